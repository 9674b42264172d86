//! Sparse × dense products: `A · X` and `Aᵀ · G` (for backward), row-parallel and deterministic.
//!
//! When no row of the operand holds more than [`FLAT_MAX_DEGREE`] entries, one thread computes
//! one output element, walking its row in order (`spmm_flat`): no workgroup memory or barriers,
//! which suits low-degree graphs such as citation networks and molecules. Otherwise one workgroup of 128 threads owns one output row and a tile of FW features (16, 32 or 64,
//! chosen from the feature count); the remaining 128 / FW lanes split the row's entries and are
//! summed in a fixed order in workgroup memory, so a node of very high degree is spread over
//! several lanes and every feature column, and no float atomics are used. The (row, feature tile)
//! pairs map to a 2-D grid of workgroups, folded past 65,535 per dimension.

use super::csr::{Csr, SparseParams};
use crate::error::{Error, Result};
use crate::gpu::{Binding, Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Feature tile width for `f` features.
fn tile_width(f: usize) -> u32 {
    match f {
        0..=16 => 16,
        17..=32 => 32,
        _ => 64,
    }
}

/// Largest row degree for which the thread-per-output kernel is used.
pub const FLAT_MAX_DEGREE: usize = 256;

struct Operand<'a> {
    max_degree: usize,
    rows: usize,
    cols: usize,
    row_ptr: &'a Tensor,
    col_idx: &'a Tensor,
    perm: Option<&'a Tensor>,
}

fn run(a: &Csr, op: Operand<'_>, x: &Tensor, name: &'static str) -> Result<Tensor> {
    x.expect_dtype(name, DType::F32)?;
    // Checked here, not only by the dispatch: an empty product returns before dispatching.
    a.gpu()
        .check_same_device(name, "the dense operand", x.gpu())?;
    let (m, f) = match x.shape() {
        [m, f] => (*m, *f),
        s => return Err(Error::shape(name, format!("X must be 2-D, got {s:?}"))),
    };
    if m != op.cols {
        return Err(Error::shape(
            name,
            format!("matrix is {}x{} but X has {m} rows", op.rows, op.cols),
        ));
    }
    let gpu = x.gpu();
    let out = Tensor::empty(gpu, &[op.rows, f], DType::F32)?;
    if op.rows == 0 || f == 0 {
        return Ok(out);
    }
    if (op.rows.max(m) as u64) * (f as u64) > u64::from(u32::MAX) {
        return Err(Error::shape(name, "output exceeds the 32-bit index range"));
    }
    if a.nnz() == 0 {
        gpu.clear(out.buffer(), 0, out.byte_len())?;
        return Ok(out);
    }
    let fw = tile_width(f);
    let tiles = f.div_ceil(fw as usize);
    let params = SparseParams {
        n: op.rows as u32,
        f: f as u32,
        nnz: a.nnz() as u32,
        tiles: tiles as u32,
    };
    let perm: Binding = match op.perm {
        Some(p) => p.binding()?,
        None => op.col_idx.binding()?,
    };
    let perm_flag = if op.perm.is_some() { 1.0 } else { 0.0 };
    let (kernel, grid) = if op.max_degree <= FLAT_MAX_DEGREE {
        let kernel = Kernel::new(Shader::Sparse, "spmm_flat").with("PERM", perm_flag);
        (kernel, gpu.grid((op.rows * f) as u64, 64)?)
    } else {
        // One workgroup per (row, feature tile), folded like any 1-D grid: the tiles of a wide
        // X can outnumber the workgroups one grid dimension allows.
        let grid = gpu.grid((op.rows * tiles) as u64, 1)?;
        let kernel = Kernel::new(Shader::Sparse, "spmm")
            .with("FW", f64::from(fw))
            .with("PERM", perm_flag);
        (kernel, grid)
    };
    gpu.dispatch(
        name,
        &kernel,
        &params,
        &[
            op.row_ptr.binding()?,
            op.col_idx.binding()?,
            a.values.binding()?,
            perm,
            x.binding()?,
            out.binding_mut()?,
        ],
        grid,
    )?;
    Ok(out)
}

/// A[n, m] · X[m, f] -> [n, f]. X on another GPU device than A is [`Error::InvalidInput`].
pub fn spmm(a: &Csr, x: &Tensor) -> Result<Tensor> {
    let op = Operand {
        max_degree: a.max_row_degree,
        rows: a.n_rows,
        cols: a.n_cols,
        row_ptr: &a.row_ptr,
        col_idx: &a.col_idx,
        perm: None,
    };
    run(a, op, x, "spmm")
}

/// Aᵀ[m, n] · G[n, f] -> [m, f], using the transpose structure built at construction. G on
/// another GPU device than A is [`Error::InvalidInput`].
pub fn spmm_transpose(a: &Csr, g: &Tensor) -> Result<Tensor> {
    let t = &a.transpose;
    let op = Operand {
        max_degree: a.max_col_degree,
        rows: a.n_cols,
        cols: a.n_rows,
        row_ptr: &t.row_ptr,
        col_idx: &t.col_idx,
        perm: Some(&t.perm),
    };
    run(a, op, g, "spmm_transpose")
}

/// Compulsory bytes of one SpMM of a square `A[n, n]` with `nnz` stored entries and `X[n, f]`:
/// [`spmm_bytes_rect`] with `m = n`.
pub fn spmm_bytes(nnz: usize, n: usize, f: usize) -> f64 {
    spmm_bytes_rect(nnz, n, n, f)
}

/// Compulsory bytes of one SpMM `A[n, m] · X[m, f] -> [n, f]` with `nnz` stored entries (4-byte
/// elements): row offsets, column indices and values once, the gathered operand X once (no more
/// than `min(nnz, m)` of its rows can be referenced) and the output written once.
///
/// Each entry gathers a row of X, but where X fits in the last-level cache (Cora's X at 64
/// features is 0.7 MB, the 128K-node graph's 32 MB, against the 50 MB of L2 NVIDIA gives for an H100; not measured here)
/// the repeated rows come from the cache, not from memory; counting every gathered row as
/// memory traffic gave fractions of the copy ceiling above 1. The gathered volume is reported
/// beside it instead ([`spmm_gathered_bytes`], the rows' `gathered_bytes` metric).
pub fn spmm_bytes_rect(nnz: usize, n: usize, m: usize, f: usize) -> f64 {
    let x_rows = nnz.min(m) as f64;
    let (nnz, n, f) = (nnz as f64, n as f64, f as f64);
    4.0 * ((n + 1.0) + 2.0 * nnz + x_rows * f + n * f)
}

/// Bytes of X rows one SpMM gathers: one row of `f` 4-byte values per stored entry, the traffic
/// the gather would cause if no cache held X. Not part of [`spmm_bytes`]; the bench rows report
/// it as the `gathered_bytes` metric.
pub fn spmm_gathered_bytes(nnz: usize, f: usize) -> f64 {
    4.0 * nnz as f64 * f as f64
}
