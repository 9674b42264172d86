//! Segment reductions over CSR row ranges (`shaders/segment.wgsl`), for graph pooling (sum, mean
//! and max readout) and its backward pass (the max argmax routes gradients).
//!
//! Every segment is reduced by its own workgroup(s) in a fixed order (no float atomics), so
//! results are deterministic.

use bytemuck::{Pod, Zeroable};

use super::check_u32;
use super::reduce::ReduceOp;
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    f: u32,
    s: u32,
    blocks: u32,
    mean: u32,
    pad: [u32; 3],
}

/// Reduce the rows of `x` ([n, f], f32) segment by segment: segment i is rows
/// `offsets[i]..offsets[i + 1]` (`offsets` is u32 [s + 1], CSR style). Returns `[s, f]` and, for
/// [`ReduceOp::Max`], the argmax as u32 `[s, f]`: the row index in `x` of the maximum (the first
/// such row on ties).
///
/// Empty segments give 0 for every op (the mean of nothing is 0, the max of nothing is 0 with
/// argmax `u32::MAX`). Offsets must be non-decreasing with `offsets[s] == n`; only their shape is
/// checked on the host. The kernel clamps them to `[0, n]`, so invalid offsets give meaningless
/// but memory-safe results.
pub fn segment_reduce(
    x: &Tensor,
    offsets: &Tensor,
    op: ReduceOp,
) -> Result<(Tensor, Option<Tensor>)> {
    const OP: &str = "segment_reduce";
    x.expect_dtype(OP, DType::F32)?;
    offsets.expect_dtype(OP, DType::U32)?;
    let (n, f) = match x.shape() {
        [n, f] => (*n, *f),
        s => return Err(Error::shape(OP, format!("x must be [n, f], got {s:?}"))),
    };
    let s = match offsets.shape() {
        [len] if *len >= 1 => len - 1,
        sh => {
            return Err(Error::shape(
                OP,
                format!("offsets must be [segments + 1] (at least 1 element), got {sh:?}"),
            ))
        }
    };
    check_u32(OP, x.numel())?;
    check_u32(OP, s * f)?;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &[s, f], DType::F32)?;
    let arg = match op {
        ReduceOp::Max => Some(Tensor::empty(gpu, &[s, f], DType::U32)?),
        _ => None,
    };
    if s * f == 0 {
        return Ok((out, arg));
    }
    // Features per workgroup: the smallest of 1, 4, 16, 64 covering f (up to 64).
    let fw: usize = match f {
        1 => 1,
        2..=4 => 4,
        5..=16 => 16,
        _ => 64,
    };
    let blocks = f.div_ceil(fw);
    let params = Params {
        n: n as u32,
        f: f as u32,
        s: s as u32,
        blocks: blocks as u32,
        mean: u32::from(op == ReduceOp::Mean),
        pad: [0; 3],
    };
    let mut bindings = vec![x.binding()?, offsets.binding()?, out.binding()?];
    let entry = match &arg {
        Some(a) => {
            bindings.push(a.binding()?);
            "segment_max"
        }
        None => "segment_sum",
    };
    gpu.dispatch(
        entry,
        &Kernel::new(Shader::Segment, entry).with("FW", fw as f64),
        &params,
        &bindings,
        gpu.grid((s * blocks) as u64, 1)?,
    )?;
    Ok((out, arg))
}
