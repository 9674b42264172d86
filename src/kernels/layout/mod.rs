//! Data movement (`shaders/layout.wgsl`): transpose, row gather, deterministic row scatter-add
//! (in `scatter.rs`), column concat and slice. Pure copies (transpose, gather, concat, slice)
//! move 32-bit words and accept f32, u32 and i32 tensors; scatter-add is f32 only.

mod scatter;

pub use scatter::{scatter_add_rows, ScatterPlan, FILL_COUNTERS};

use bytemuck::{Pod, Zeroable};

use super::{check_u32, check_u32_product, grid_for};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{numel, DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
struct Params {
    a: u32,
    b: u32,
    c: u32,
    d: u32,
    e: u32,
    f: u32,
    pad: [u32; 2],
}

fn expect_words(op: &str, t: &Tensor) -> Result<()> {
    if t.dtype() == DType::F16 {
        return Err(Error::DType {
            op: op.into(),
            expected: "a 32-bit dtype (f32, u32 or i32)".into(),
            got: t.dtype().name().into(),
        });
    }
    Ok(())
}

fn u32s(op: &str, values: &[usize]) -> Result<Vec<u32>> {
    values.iter().map(|&v| check_u32(op, v)).collect()
}

/// Transpose a 2-D matrix: [r, c] -> [c, r] (through 32x32 shared-memory tiles).
pub fn transpose(x: &Tensor) -> Result<Tensor> {
    expect_words("transpose", x)?;
    let (r, c) = match x.shape() {
        [r, c] => (*r, *c),
        s => {
            return Err(Error::shape(
                "transpose",
                format!("needs a 2-D matrix, got {s:?}"),
            ))
        }
    };
    check_u32("transpose", x.numel())?;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &[c, r], x.dtype())?;
    let tiles = r.div_ceil(32) * c.div_ceil(32);
    let params = Params {
        a: r as u32,
        b: c as u32,
        ..Params::default()
    };
    gpu.dispatch(
        "transpose",
        &Kernel::new(Shader::Layout, "transpose_tiled"),
        &params,
        &[x.binding()?, out.binding_mut()?],
        gpu.grid(tiles as u64, 1)?,
    )?;
    Ok(out)
}

/// Rows of `x` (`[n, ...]`) picked by `idx` (u32 `[m]`): returns `[m, ...]` with row i = `x[idx[i]]`.
/// An index >= n yields a row of zeros (the kernel never reads out of bounds).
pub fn gather_rows(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    const OP: &str = "gather_rows";
    expect_words(OP, x)?;
    idx.expect_dtype(OP, DType::U32)?;
    if x.shape().is_empty() || idx.shape().len() != 1 {
        return Err(Error::shape(
            OP,
            format!(
                "needs x [n, ...] and idx [m], got {:?} and {:?}",
                x.shape(),
                idx.shape()
            ),
        ));
    }
    let n = x.shape()[0];
    // Saturates rather than overflows (an empty x may have huge trailing dimensions); the
    // checks below refuse it.
    let f = numel(&x.shape()[1..]);
    let m = idx.numel();
    let v = u32s(OP, &[n, f, m, x.numel()])?;
    check_u32_product(OP, &[m, f])?;
    let mut shape = x.shape().to_vec();
    shape[0] = m;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &shape, x.dtype())?;
    let params = Params {
        a: v[0],
        b: v[1],
        c: v[2],
        ..Params::default()
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Layout, "gather_rows"),
        &params,
        &[x.binding()?, idx.binding()?, out.binding_mut()?],
        grid_for(gpu, m * f)?,
    )?;
    Ok(out)
}

/// Copy `width` columns from `src` (row length `src_cols`, starting at `src_off`) into `dst`
/// (row length `dst_cols`, starting at `dst_off`) for `rows` rows.
fn copy_cols(
    op: &'static str,
    src: &Tensor,
    dst: &Tensor,
    rows: usize,
    width: usize,
    (src_cols, src_off): (usize, usize),
    (dst_cols, dst_off): (usize, usize),
) -> Result<()> {
    let v = u32s(
        op,
        &[
            rows,
            width,
            src_cols,
            src_off,
            dst_cols,
            dst_off,
            rows * width,
        ],
    )?;
    let gpu = src.gpu();
    let params = Params {
        a: v[0],
        b: v[1],
        c: v[2],
        d: v[3],
        e: v[4],
        f: v[5],
        pad: [0; 2],
    };
    gpu.dispatch(
        op,
        &Kernel::new(Shader::Layout, "copy_cols"),
        &params,
        &[src.binding()?, dst.binding_mut()?],
        grid_for(gpu, rows * width)?,
    )
}

/// Concatenate along the last dimension: parts of shapes [..., f_i] (same leading dimensions and
/// dtype) give [..., Σ f_i].
pub fn concat_cols(parts: &[&Tensor]) -> Result<Tensor> {
    const OP: &str = "concat_cols";
    let first = parts
        .first()
        .ok_or_else(|| Error::shape(OP, "needs at least one part"))?;
    expect_words(OP, first)?;
    if first.shape().is_empty() {
        return Err(Error::shape(OP, "parts must have at least one dimension"));
    }
    let lead = &first.shape()[..first.shape().len() - 1];
    let (rows, _) = first.matrix_dims();
    let mut total = 0;
    for p in parts {
        p.expect_dtype(OP, first.dtype())?;
        let s = p.shape();
        if s.is_empty() || &s[..s.len() - 1] != lead {
            return Err(Error::shape(
                OP,
                format!("part {s:?} does not match the leading dimensions {lead:?}"),
            ));
        }
        total = usize::checked_add(total, p.matrix_dims().1).ok_or_else(|| {
            Error::shape(OP, "the total width of the parts overflows the size type")
        })?;
    }
    let mut shape = lead.to_vec();
    shape.push(total);
    let out = Tensor::empty(first.gpu(), &shape, first.dtype())?;
    let mut off = 0;
    for p in parts {
        let w = p.matrix_dims().1;
        copy_cols(OP, p, &out, rows, w, (w, 0), (total, off))?;
        off += w;
    }
    Ok(out)
}

/// Columns `start..end` of the last dimension: [..., c] -> [..., end - start]
/// (the inverse of [`concat_cols`]).
pub fn slice_cols(x: &Tensor, start: usize, end: usize) -> Result<Tensor> {
    const OP: &str = "slice_cols";
    expect_words(OP, x)?;
    let (rows, cols) = x.matrix_dims();
    if x.shape().is_empty() || start > end || end > cols {
        return Err(Error::shape(
            OP,
            format!("columns {start}..{end} out of range for {:?}", x.shape()),
        ));
    }
    let mut shape = x.shape().to_vec();
    if let Some(last) = shape.last_mut() {
        *last = end - start;
    }
    let out = Tensor::empty(x.gpu(), &shape, x.dtype())?;
    copy_cols(
        OP,
        x,
        &out,
        rows,
        end - start,
        (cols, start),
        (end - start, 0),
    )?;
    Ok(out)
}
