//! Segment reductions over CSR row ranges (`shaders/segment.wgsl`), for graph pooling (sum, mean
//! and max readout), and their backward passes ([`segment_expand`] for sum and mean,
//! [`segment_max_backward`] routing gradients through the argmax).
//!
//! Every segment is reduced by its own workgroup(s) in a fixed order (no float atomics), so
//! results are deterministic.

use bytemuck::{Pod, Zeroable};

use super::reduce::ReduceOp;
use super::{check_u32, check_u32_product, grid_for};
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
    check_u32_product(OP, &[s, f])?;
    let gpu = x.gpu();
    // Checked here too: an empty result records no dispatch, where the check would run.
    gpu.check_same_device(OP, "offsets", offsets.gpu())?;
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
    let mut bindings = vec![x.binding()?, offsets.binding()?, out.binding_mut()?];
    let entry = match &arg {
        Some(a) => {
            bindings.push(a.binding_mut()?);
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

fn expect_grad(op: &str, grad: &Tensor) -> Result<(usize, usize)> {
    grad.expect_dtype(op, DType::F32)?;
    match grad.shape() {
        [s, f] => Ok((*s, *f)),
        sh => Err(Error::shape(
            op,
            format!("grad must be [segments, f], got {sh:?}"),
        )),
    }
}

/// Backward of [`segment_reduce`] for [`ReduceOp::Sum`] and [`ReduceOp::Mean`]: spreads
/// `grad` (`[s, f]`) back over the n rows, `out[r]` = `grad[segment of r]` (divided by the segment
/// length for the mean); rows in no segment get 0. `offsets` as for [`segment_reduce`].
/// For [`ReduceOp::Max`] use [`segment_max_backward`].
pub fn segment_expand(grad: &Tensor, offsets: &Tensor, n: usize, op: ReduceOp) -> Result<Tensor> {
    const OP: &str = "segment_expand";
    let (s, f) = expect_grad(OP, grad)?;
    offsets.expect_dtype(OP, DType::U32)?;
    // s + 1 overflows for an empty grad of usize::MAX segments, which no offsets can match.
    let len = s.checked_add(1);
    if len.is_none_or(|len| offsets.shape() != [len]) {
        return Err(Error::shape(
            OP,
            format!(
                "offsets must be [{}] for grad {:?}, got {:?}",
                len.map_or(format!("{s} + 1"), |len| len.to_string()),
                grad.shape(),
                offsets.shape()
            ),
        ));
    }
    if op == ReduceOp::Max {
        return Err(Error::InvalidInput(format!(
            "{OP}: the max backward needs the argmax; use segment_max_backward"
        )));
    }
    check_u32_product(OP, &[n, f])?;
    check_u32_product(OP, &[s, f])?;
    let gpu = grad.gpu();
    let out = Tensor::empty(gpu, &[n, f], DType::F32)?;
    let params = Params {
        n: n as u32,
        f: f as u32,
        s: s as u32,
        blocks: 0,
        mean: u32::from(op == ReduceOp::Mean),
        pad: [0; 3],
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Segment, "segment_expand"),
        &params,
        &[grad.binding()?, offsets.binding()?, out.binding_mut()?],
        grid_for(gpu, n * f)?,
    )?;
    Ok(out)
}

/// Backward of [`segment_reduce`] with [`ReduceOp::Max`]: out [n, f] is zero except
/// out[argmax[s, j], j] = grad[s, j]. Argmax entries >= n (empty segments) are skipped.
pub fn segment_max_backward(grad: &Tensor, argmax: &Tensor, n: usize) -> Result<Tensor> {
    const OP: &str = "segment_max_backward";
    let (s, f) = expect_grad(OP, grad)?;
    argmax.expect_dtype(OP, DType::U32)?;
    grad.expect_same_shape(OP, argmax)?;
    check_u32_product(OP, &[n, f])?;
    check_u32_product(OP, &[s, f])?;
    let gpu = grad.gpu();
    let out = Tensor::zeros(gpu, &[n, f], DType::F32)?;
    let params = Params {
        n: n as u32,
        f: f as u32,
        s: s as u32,
        blocks: 0,
        mean: 0,
        pad: [0; 3],
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Segment, "segment_max_backward"),
        &params,
        &[grad.binding()?, argmax.binding()?, out.binding_mut()?],
        grid_for(gpu, s * f)?,
    )?;
    Ok(out)
}
