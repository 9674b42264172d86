//! Compressed sparse row matrices kept both on the host and on the GPU, with the transpose
//! structure built once at construction so backward passes never rebuild it.

mod build;
mod host;
mod validate;
mod values;

use std::sync::Arc;

use bytemuck::{Pod, Zeroable};

use crate::gpu::Gpu;
use crate::tensor::Tensor;

pub use host::HostCsr;

/// Transpose structure: Aᵀ as CSR whose values are `values[perm[k]]` of the original matrix.
#[derive(Debug, Clone)]
pub struct Transpose {
    /// Row offsets of Aᵀ (`n_cols + 1` entries), U32 on the GPU.
    pub row_ptr: Tensor,
    /// Column of Aᵀ (a row of A) per entry, U32 `[nnz]`.
    pub col_idx: Tensor,
    /// Index into A's value array per entry of Aᵀ, U32 `[nnz]`.
    pub perm: Tensor,
}

/// A sparse matrix in CSR form, resident on the GPU with a host copy.
#[derive(Debug, Clone)]
pub struct Csr {
    /// Number of rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
    /// Host copy (structure and values at construction time).
    pub host: Arc<HostCsr>,
    /// Row offsets, U32 [n_rows + 1].
    pub row_ptr: Tensor,
    /// Column indices, U32 `[nnz]`.
    pub col_idx: Tensor,
    /// Row index of every entry (COO rows), U32 `[nnz]`.
    pub row_idx: Tensor,
    /// Values, F32 `[nnz]`.
    pub values: Tensor,
    /// Transpose structure, shared by every matrix with the same sparsity pattern.
    pub transpose: Transpose,
    /// Most entries in one row (picks the SpMM kernel).
    pub max_row_degree: usize,
    /// Most entries in one column (picks the transposed SpMM kernel).
    pub max_col_degree: usize,
    /// False once [`Csr::with_values`] replaced the GPU values, so `host.values` no longer
    /// holds them (only the pattern); [`Csr::gcn_normalized`] then refuses to work from it.
    pub host_values_current: bool,
}

impl Csr {
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.host.nnz()
    }

    /// The device the matrix lives on.
    pub fn gpu(&self) -> &Gpu {
        self.values.gpu()
    }
}

/// The parameter block of the sparse kernels (`Params` in `shaders/sparse.wgsl`).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(crate) struct SparseParams {
    /// Output rows of the SpMM.
    pub n: u32,
    /// Feature columns of the SpMM.
    pub f: u32,
    /// Number of stored entries.
    pub nnz: u32,
    /// Feature tiles per row of the tiled SpMM kernel.
    pub tiles: u32,
}
