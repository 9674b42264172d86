//! Building a [`Csr`] on the GPU: uploading a host CSR with its transpose structure, or a square
//! adjacency from an edge list.

use std::sync::Arc;

use super::host::with_self_loops;
use super::validate::{check_host, offsets_fit, offsets_len};
use super::{Csr, HostCsr, Transpose};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::Tensor;

impl Csr {
    /// Upload a host CSR matrix of shape `[n_rows, n_cols]` and build its transpose structure.
    /// [`Error::TooLarge`] when the row offsets of the matrix or of its transpose (`n + 1`
    /// u32 each) would not fit one binding of `gpu`.
    pub fn from_host(gpu: &Gpu, n_rows: usize, n_cols: usize, host: HostCsr) -> Result<Csr> {
        let nnz = host.nnz();
        offsets_len("rows", n_rows)?;
        offsets_len("columns", n_cols)?;
        offsets_fit(gpu, "csr row", n_rows)?;
        offsets_fit(gpu, "csr transpose row", n_cols)?;
        check_host(n_rows, n_cols, &host)?;
        let (t_ptr, t_col, perm) = host.transpose_structure(n_cols);
        let max_deg = |p: &[u32]| {
            p.windows(2)
                .map(|w| (w[1] - w[0]) as usize)
                .max()
                .unwrap_or(0)
        };
        let (max_row_degree, max_col_degree) = (max_deg(&host.row_ptr), max_deg(&t_ptr));
        let transpose = Transpose {
            row_ptr: Tensor::from_u32(gpu, &[n_cols + 1], &t_ptr)?,
            col_idx: Tensor::from_u32(gpu, &[nnz], &t_col)?,
            perm: Tensor::from_u32(gpu, &[nnz], &perm)?,
        };
        Ok(Csr {
            n_rows,
            n_cols,
            row_ptr: Tensor::from_u32(gpu, &[n_rows + 1], &host.row_ptr)?,
            col_idx: Tensor::from_u32(gpu, &[nnz], &host.col_idx)?,
            row_idx: Tensor::from_u32(gpu, &[nnz], &host.row_indices())?,
            values: Tensor::from_f32(gpu, &[nnz], &host.values)?,
            host: Arc::new(host),
            transpose,
            max_row_degree,
            max_col_degree,
            host_values_current: true,
        })
    }

    /// Square adjacency of `n` nodes from directed edges `(src, dst)` (entry at row src, column
    /// dst). Duplicate edges are merged: weights are summed (a sum past the f32 range is an
    /// [`Error::InvalidInput`]), unweighted duplicates stay 1.
    /// `self_loops` adds a weight-1 loop to every node that has none; `symmetric` also stores
    /// each edge reversed with the same weight unless the reverse edge was given too.
    /// [`Error::TooLarge`], before anything is built, when the `n + 1` row offsets would not fit
    /// one binding of `gpu`.
    pub fn from_edges(
        gpu: &Gpu,
        n: usize,
        edges: &[(u32, u32)],
        weights: Option<&[f32]>,
        self_loops: bool,
        symmetric: bool,
    ) -> Result<Csr> {
        offsets_len("rows", n)?;
        offsets_fit(gpu, "csr row", n)?;
        if let Some(w) = weights {
            if w.len() != edges.len() {
                return Err(Error::InvalidInput(format!(
                    "{} weights for {} edges",
                    w.len(),
                    edges.len()
                )));
            }
        }
        let mut triples = Vec::with_capacity(edges.len());
        for (i, &(s, d)) in edges.iter().enumerate() {
            if s as usize >= n || d as usize >= n {
                return Err(Error::InvalidInput(format!(
                    "edge {i} ({s} -> {d}) refers to a node >= n = {n}"
                )));
            }
            let w = weights.map_or(1.0, |w| w[i]);
            if !w.is_finite() {
                return Err(Error::InvalidInput(format!("edge {i} has weight {w}")));
            }
            triples.push((s, d, w));
        }
        let mut host = HostCsr::from_triples(n, triples);
        if weights.is_none() {
            host.values.iter_mut().for_each(|v| *v = 1.0);
        }
        // Each weight is finite, but the sum of a repeated edge's weights may not be.
        if let Some((row, col, sum)) = host.first_non_finite() {
            return Err(Error::InvalidInput(format!(
                "the weights of edge {row} -> {col} sum to {sum}, past the f32 range"
            )));
        }
        if symmetric {
            // Mirror every entry whose reverse is missing; a pair given both ways keeps its weights.
            let mut sym = Vec::with_capacity(2 * host.nnz());
            for r in 0..n {
                for k in host.row_ptr[r] as usize..host.row_ptr[r + 1] as usize {
                    let c = host.col_idx[k];
                    sym.push((r as u32, c, host.values[k]));
                    if c as usize != r && !has_entry(&host, c, r as u32) {
                        sym.push((c, r as u32, host.values[k]));
                    }
                }
            }
            host = HostCsr::from_triples(n, sym);
        }
        if self_loops {
            host = with_self_loops(n, &host, 0.0);
        }
        Csr::from_host(gpu, n, n, host)
    }
}

/// Whether row `r` of `m` stores column `c`; `m` must have sorted columns within each row (as
/// [`HostCsr::from_triples`] builds them).
fn has_entry(m: &HostCsr, r: u32, c: u32) -> bool {
    let (s, e) = (
        m.row_ptr[r as usize] as usize,
        m.row_ptr[r as usize + 1] as usize,
    );
    m.col_idx[s..e].binary_search(&c).is_ok()
}
