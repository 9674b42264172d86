//! Dense fp32 matrix products (`shaders/matmul.wgsl`): a tiled, register-blocked GEMM with
//! 128x128 output tiles per workgroup of 256 threads (8x8 per thread), K staged in steps of 8
//! through workgroup memory. Transposed operands are read in place (no transpose pass).

use bytemuck::{Pod, Zeroable};

use super::check_u32;
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Output rows and columns covered by one workgroup.
const TILE: usize = 128;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    m: u32,
    n: u32,
    k: u32,
    pad: u32,
}

/// Floating-point operations of an (m x k) · (k x n) product: 2mkn.
pub fn matmul_flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

fn dims2(op: &str, what: &str, t: &Tensor) -> Result<(usize, usize)> {
    t.expect_dtype(op, DType::F32)?;
    match t.shape() {
        [r, c] => Ok((*r, *c)),
        s => Err(Error::shape(
            op,
            format!("{what} must be a 2-D matrix, got shape {s:?}"),
        )),
    }
}

fn gemm(op: &'static str, a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    let (ar, ac) = dims2(op, "a", a)?;
    let (br, bc) = dims2(op, "b", b)?;
    let (m, ka) = if trans_a { (ac, ar) } else { (ar, ac) };
    let (kb, n) = if trans_b { (bc, br) } else { (br, bc) };
    if ka != kb {
        return Err(Error::shape(
            op,
            format!(
                "inner dimensions differ: a {:?} and b {:?} give k = {ka} and {kb}",
                a.shape(),
                b.shape()
            ),
        ));
    }
    let k = ka;
    for count in [m * k, k * n, m * n] {
        check_u32(op, count)?;
    }
    let gpu = a.gpu();
    let out = Tensor::empty(gpu, &[m, n], DType::F32)?;
    let groups_m = m.div_ceil(TILE);
    let groups_n = n.div_ceil(TILE);
    let max = gpu.limits().max_compute_workgroups_per_dimension as usize;
    if groups_m > max || groups_n > max {
        return Err(Error::shape(
            op,
            format!("a {m}x{n} output needs more than {max} tiles of {TILE} along one side"),
        ));
    }
    let params = Params {
        m: m as u32,
        n: n as u32,
        k: k as u32,
        pad: 0,
    };
    let kernel = Kernel::new(Shader::Matmul, "gemm")
        .with("TRANS_A", f64::from(u8::from(trans_a)))
        .with("TRANS_B", f64::from(u8::from(trans_b)));
    gpu.dispatch(
        op,
        &kernel,
        &params,
        &[a.binding()?, b.binding()?, out.binding()?],
        [groups_n as u32, groups_m as u32, 1],
    )?;
    Ok(out)
}

/// A · B for A [m, k] and B [k, n]; returns [m, n]. Any sizes, including 0 (k = 0 gives zeros).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm("matmul", a, b, false, false)
}

/// Aᵀ · B for A stored [k, m] and B [k, n]; returns [m, n].
pub fn matmul_tn(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm("matmul_tn", a, b, true, false)
}

/// A · Bᵀ for A [m, k] and B stored [n, k]; returns [m, n].
pub fn matmul_nt(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm("matmul_nt", a, b, false, true)
}
