//! Softmax over rows and softmax cross-entropy (`shaders/softmax.wgsl`). Row kernels run one
//! workgroup of 256 threads per row with shared-memory max and sum, or one thread per row for
//! rows of at most [`SMALL_COLS`] columns; every reduction has a fixed order, so results are
//! deterministic.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, check_u32_product, grid_for};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Rows of at most this many columns run one thread per row instead of one workgroup per row.
pub const SMALL_COLS: usize = 32;

/// Kernel and grid for a row kernel: thread per row for short rows, else workgroup per row.
fn row_launch(
    gpu: &crate::Gpu,
    rows: usize,
    cols: usize,
    small: &'static str,
    large: &'static str,
) -> Result<(&'static str, [u32; 3])> {
    if cols <= SMALL_COLS {
        Ok((small, grid_for(gpu, rows)?))
    } else {
        Ok((large, gpu.grid(rows as u64, 1)?))
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    has_mask: u32,
    pad: u32,
}

/// Numerically stable softmax over the last dimension (x viewed as [rows, cols]).
/// Returns a tensor of x's shape.
pub fn softmax_rows(x: &Tensor) -> Result<Tensor> {
    x.expect_dtype("softmax_rows", DType::F32)?;
    let (rows, cols) = x.matrix_dims();
    check_u32("softmax_rows", x.numel())?;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, x.shape(), DType::F32)?;
    if cols == 0 {
        return Ok(out);
    }
    let params = Params {
        rows: rows as u32,
        cols: cols as u32,
        has_mask: 0,
        pad: 0,
    };
    let (entry, grid) = row_launch(gpu, rows, cols, "softmax_rows_small", "softmax_rows")?;
    gpu.dispatch(
        "softmax_rows",
        &Kernel::new(Shader::Softmax, entry),
        &params,
        &[x.binding()?, out.binding_mut()?],
        grid,
    )?;
    Ok(out)
}

/// Mean softmax cross-entropy of `logits` `[r, c]` against `labels` (u32 `[r]`), and its gradient.
///
/// Row i has weight w_i = `mask[i]` (f32 `[r]`; 1 counts the row, 0 ignores it; `None` gives every
/// row weight 1). Returns `(loss [1], grad [r, c])` with
/// `loss = Σ w_i (-log softmax(logits_i)[label_i]) / Σ w_i` and
/// `grad_i = (softmax(logits_i) - onehot(label_i)) * w_i / Σ w_i`.
/// A row whose label is >= c gets weight 0 (it contributes nothing, and nothing out of bounds is
/// read; loaders validate labels on the host). When all weights are 0 the loss and gradient are 0;
/// a NaN weight is not 0, and makes the loss and every gradient NaN.
pub fn softmax_cross_entropy(
    logits: &Tensor,
    labels: &Tensor,
    mask: Option<&Tensor>,
) -> Result<(Tensor, Tensor)> {
    const OP: &str = "softmax_cross_entropy";
    logits.expect_dtype(OP, DType::F32)?;
    labels.expect_dtype(OP, DType::U32)?;
    let (r, c) = match logits.shape() {
        [r, c] => (*r, *c),
        s => {
            return Err(Error::shape(
                OP,
                format!("logits must be [rows, classes], got {s:?}"),
            ))
        }
    };
    if labels.shape() != [r] {
        return Err(Error::shape(
            OP,
            format!(
                "labels must be [{r}] for logits {:?}, got {:?}",
                logits.shape(),
                labels.shape()
            ),
        ));
    }
    if let Some(m) = mask {
        m.expect_dtype(OP, DType::F32)?;
        if m.shape() != [r] {
            return Err(Error::shape(
                OP,
                format!(
                    "mask must be [{r}] for logits {:?}, got {:?}",
                    logits.shape(),
                    m.shape()
                ),
            ));
        }
    }
    check_u32(OP, logits.numel())?;
    check_u32_product(OP, &[r, 4])?;
    let gpu = logits.gpu();
    // Checked here too: no rows or no classes record no dispatch, where the check would run.
    gpu.check_same_device(OP, "labels", labels.gpu())?;
    if let Some(m) = mask {
        gpu.check_same_device(OP, "mask", m.gpu())?;
    }
    let loss = Tensor::zeros(gpu, &[1], DType::F32)?;
    let grad = Tensor::empty(gpu, &[r, c], DType::F32)?;
    if r == 0 || c == 0 {
        gpu.clear(grad.buffer(), 0, grad.byte_len())?;
        return Ok((loss, grad));
    }
    let stats = Tensor::empty(gpu, &[r, 4], DType::F32)?;
    let count = Tensor::empty(gpu, &[1], DType::F32)?;
    let params = Params {
        rows: r as u32,
        cols: c as u32,
        has_mask: u32::from(mask.is_some()),
        pad: 0,
    };
    let mask_binding = match mask {
        Some(m) => m.binding()?,
        None => logits.binding()?,
    };
    let (entry, grid) = row_launch(gpu, r, c, "ce_rows_small", "ce_rows")?;
    gpu.dispatch(
        "ce_rows",
        &Kernel::new(Shader::Softmax, entry),
        &params,
        &[
            logits.binding()?,
            labels.binding()?,
            mask_binding,
            stats.binding_mut()?,
        ],
        grid,
    )?;
    gpu.dispatch(
        "ce_total",
        &Kernel::new(Shader::Softmax, "ce_total"),
        &params,
        &[stats.binding()?, loss.binding_mut()?, count.binding_mut()?],
        [1, 1, 1],
    )?;
    gpu.dispatch(
        "ce_grad",
        &Kernel::new(Shader::Softmax, "ce_grad"),
        &params,
        &[
            logits.binding()?,
            labels.binding()?,
            stats.binding()?,
            count.binding()?,
            grad.binding_mut()?,
        ],
        grid_for(gpu, r * c)?,
    )?;
    Ok((loss, grad))
}
