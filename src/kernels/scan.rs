//! Exclusive prefix sums of u32 values (`shaders/scan.wgsl`), used to turn per-row counts into
//! CSR row pointers and to renumber active nodes.

use bytemuck::{Pod, Zeroable};

use super::check_u32;
use crate::error::Result;
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Values scanned by one workgroup.
const BLOCK: usize = 1024;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    pad: [u32; 3],
}

/// Exclusive prefix sum: for x of length n returns y of length n + 1 with `y[i]` = `x[0]` + ... +
/// `x[i-1]`, so `y[n]` is the total. Sums wrap modulo 2^32; callers bound their totals.
pub fn exclusive_scan(x: &Tensor) -> Result<Tensor> {
    x.expect_dtype("exclusive_scan", DType::U32)?;
    let n = x.numel();
    let out = Tensor::zeros(x.gpu(), &[n + 1], DType::U32)?;
    scan_into(x, &out, n)?;
    let gpu = x.gpu();
    gpu.dispatch(
        "scan_total",
        &Kernel::new(Shader::Scan, "write_total"),
        &Params {
            n: check_u32("exclusive_scan", n)?,
            pad: [0; 3],
        },
        &[x.binding()?, out.binding_mut()?],
        [1, 1, 1],
    )?;
    Ok(out)
}

/// Scan the first `n` values of `x` into the first `n` values of `out` (recursive over blocks).
fn scan_into(x: &Tensor, out: &Tensor, n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let gpu = x.gpu();
    let blocks = n.div_ceil(BLOCK);
    let sums = Tensor::zeros(gpu, &[blocks], DType::U32)?;
    let params = Params {
        n: check_u32("exclusive_scan", n)?,
        pad: [0; 3],
    };
    let grid = gpu.grid(blocks as u64, 1)?;
    gpu.dispatch(
        "scan_blocks",
        &Kernel::new(Shader::Scan, "scan_blocks"),
        &params,
        &[x.binding()?, out.binding_mut()?, sums.binding_mut()?],
        grid,
    )?;
    if blocks > 1 {
        let scanned = Tensor::zeros(gpu, &[blocks], DType::U32)?;
        scan_into(&sums, &scanned, blocks)?;
        gpu.dispatch(
            "scan_add_offsets",
            &Kernel::new(Shader::Scan, "add_offsets"),
            &params,
            &[scanned.binding()?, out.binding_mut()?],
            grid,
        )?;
    }
    Ok(())
}
