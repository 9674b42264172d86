//! Reductions (`shaders/reduce.wgsl`): along rows, along columns and over a whole tensor.
//!
//! Every reduction is a shared-memory tree with a fixed order (no float atomics), so results are
//! deterministic. Rows of at most [`SMALL_COLS`] elements are folded by one thread each. Long
//! reductions run as several passes: a row longer than [`ROW_CHUNK`] elements is split over
//! several workgroups, and a column longer than [`COL_CHUNK`] rows is split into row chunks
//! whose partial results are reduced again, so tall matrices stay parallel.
//! Empty reductions give 0 for sum, 0 for mean (not NaN) and -inf for max. A NaN input makes
//! every reduction over it NaN, max included.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::Result;
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Elements of a row folded by one workgroup per pass of [`reduce_rows`].
pub const ROW_CHUNK: usize = 4096;
/// Rows of at most this many columns are reduced by one thread per row (else a workgroup).
pub const SMALL_COLS: usize = 32;
/// Rows folded by one workgroup per pass of [`reduce_cols`], whatever the device's grid limit.
pub const COL_CHUNK: usize = 256;

/// A reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    /// Sum (0 when empty).
    Sum,
    /// Arithmetic mean (0 when empty).
    Mean,
    /// Maximum (-inf when empty; NaN when any reduced element is NaN).
    Max,
}

impl ReduceOp {
    fn code(self) -> u32 {
        u32::from(self == ReduceOp::Max)
    }

    /// Scale applied to the final sum: 1/count for the mean (0 when count is 0).
    fn scale(self, count: usize) -> f32 {
        match (self, count) {
            (ReduceOp::Mean, 0) => 0.0,
            (ReduceOp::Mean, n) => 1.0 / n as f32,
            _ => 1.0,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    chunk: u32,
    chunks: u32,
    op: u32,
    scale: f32,
    pad: [u32; 2],
}

/// Reduce x, viewed as `[rows, cols]` (see [`Tensor::matrix_dims`]), over its columns: output `[rows]`.
pub fn reduce_rows(x: &Tensor, op: ReduceOp) -> Result<Tensor> {
    rows_impl("reduce_rows", x, op)
}

fn rows_impl(name: &'static str, x: &Tensor, op: ReduceOp) -> Result<Tensor> {
    x.expect_dtype(name, DType::F32)?;
    let (rows, cols) = x.matrix_dims();
    check_u32(name, x.numel())?;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &[rows], DType::F32)?;
    let mut cur = x.clone();
    let mut cur_cols = cols;
    loop {
        let chunks = cur_cols.div_ceil(ROW_CHUNK).max(1);
        let last = chunks == 1;
        let dst = if last {
            out.clone()
        } else {
            Tensor::empty(gpu, &[rows, chunks], DType::F32)?
        };
        let params = Params {
            rows: check_u32(name, rows)?,
            cols: cur_cols as u32,
            chunk: ROW_CHUNK as u32,
            chunks: chunks as u32,
            op: op.code(),
            scale: if last { op.scale(cols) } else { 1.0 },
            pad: [0; 2],
        };
        let (entry, grid) = if cur_cols <= SMALL_COLS {
            ("reduce_rows_small", grid_for(gpu, rows)?)
        } else {
            ("reduce_rows", gpu.grid((rows * chunks) as u64, 1)?)
        };
        gpu.dispatch(
            name,
            &Kernel::new(Shader::Reduce, entry),
            &params,
            &[cur.binding()?, dst.binding_mut()?],
            grid,
        )?;
        if last {
            return Ok(out);
        }
        cur = dst;
        cur_cols = chunks;
    }
}

/// Reduce x, viewed as `[rows, cols]`, over its rows: output `[cols]`.
pub fn reduce_cols(x: &Tensor, op: ReduceOp) -> Result<Tensor> {
    const NAME: &str = "reduce_cols";
    x.expect_dtype(NAME, DType::F32)?;
    let (rows, cols) = x.matrix_dims();
    check_u32(NAME, x.numel())?;
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &[cols], DType::F32)?;
    if cols == 0 {
        return Ok(out);
    }
    // Columns per workgroup: the smallest of 1, 4, 16, 64 covering the row (up to 64).
    let fw: u32 = match cols {
        1 => 1,
        2..=4 => 4,
        5..=16 => 16,
        _ => 64,
    };
    let blocks = cols.div_ceil(fw as usize);
    let mut cur = x.clone();
    let mut cur_rows = rows;
    loop {
        // A fixed chunk (never sized from the device's grid limit), so every device and grid
        // folds the same partial sums in the same order.
        let chunk = COL_CHUNK;
        let chunks = cur_rows.div_ceil(chunk).max(1);
        let last = chunks == 1;
        let dst = if last {
            out.clone()
        } else {
            Tensor::empty(gpu, &[chunks, cols], DType::F32)?
        };
        let params = Params {
            rows: cur_rows as u32,
            cols: cols as u32,
            chunk: chunk as u32,
            chunks: chunks as u32,
            op: op.code(),
            scale: if last { op.scale(rows) } else { 1.0 },
            pad: [0; 2],
        };
        let grid = gpu.grid((blocks * chunks) as u64, 1)?;
        gpu.dispatch(
            NAME,
            &Kernel::new(Shader::Reduce, "reduce_cols").with("FW", f64::from(fw)),
            &params,
            &[cur.binding()?, dst.binding_mut()?],
            grid,
        )?;
        if last {
            return Ok(out);
        }
        cur = dst;
        cur_rows = chunks;
    }
}

/// Sum of all elements; output shape `[1]` (0 for an empty tensor).
pub fn sum_all(x: &Tensor) -> Result<Tensor> {
    x.expect_dtype("sum_all", DType::F32)?;
    let flat = x.reshape(&[1, x.numel()])?;
    rows_impl("sum_all", &flat, ReduceOp::Sum)
}
