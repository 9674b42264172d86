//! Compressed sparse row matrices kept both on the host and on the GPU, with the transpose
//! structure built once at construction so backward passes never rebuild it.

use std::sync::Arc;

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::{DType, Tensor};

/// Host copy of a CSR matrix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostCsr {
    /// Row offsets, `n_rows + 1` non-decreasing entries from 0 to the entry count.
    pub row_ptr: Vec<u32>,
    /// Column of each stored entry. [`HostCsr::from_triples`] sorts them within a row and merges
    /// repeats, but [`Csr::from_host`] and the kernels take any order, and a column repeated
    /// within a row counts as the sum of its values.
    pub col_idx: Vec<u32>,
    /// Value of each stored entry.
    pub values: Vec<f32>,
}

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

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(crate) struct SparseParams {
    pub n: u32,
    pub f: u32,
    pub nnz: u32,
    /// Feature tiles per row of the tiled SpMM kernel.
    pub tiles: u32,
}

fn u32_len(what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::InvalidInput(format!("{what}: {n} exceeds u32 range")))
}

/// [`Error::TooLarge`] unless `n + 1` u32 offsets (a row_ptr over `n` rows) fit one binding of
/// `gpu`. Checked before the host builds any offset array: the upload would refuse it anyway,
/// and a count past the device's limits would first exhaust host memory (or overflow).
fn offsets_fit(gpu: &Gpu, what: &str, n: usize) -> Result<()> {
    let bytes = (n as u64).saturating_add(1).saturating_mul(4);
    let limit = gpu.max_binding_bytes();
    if bytes > limit {
        return Err(Error::TooLarge {
            what: format!("{what} offsets of {n} rows"),
            bytes,
            limit,
        });
    }
    Ok(())
}

/// [`Error::InvalidInput`] unless `host` is a consistent CSR of shape `[n_rows, n_cols]`:
/// `n_rows + 1` non-decreasing offsets from 0 to the entry count, one value per column index and
/// every column `< n_cols` (what [`HostCsr::row_indices`], [`HostCsr::transpose_structure`] and
/// [`HostCsr::gcn_scaled`] trust).
fn check_host(n_rows: usize, n_cols: usize, host: &HostCsr) -> Result<()> {
    let nnz = host.nnz();
    u32_len("csr nnz", nnz)?;
    if host.row_ptr.len().checked_sub(1) != Some(n_rows)
        || host.values.len() != nnz
        || host.row_ptr.last().copied() != Some(nnz as u32)
    {
        return Err(Error::InvalidInput(format!(
            "inconsistent CSR: {} row offsets for {n_rows} rows, {nnz} columns, {} values",
            host.row_ptr.len(),
            host.values.len()
        )));
    }
    // Entries before the first offset would belong to no row.
    if host.row_ptr[0] != 0 {
        return Err(Error::InvalidInput(format!(
            "inconsistent CSR: row_ptr[0] = {}, the row offsets must start at 0",
            host.row_ptr[0]
        )));
    }
    if host.row_ptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::InvalidInput("CSR row offsets decrease".into()));
    }
    if let Some(&c) = host.col_idx.iter().find(|&&c| c as usize >= n_cols) {
        return Err(Error::InvalidInput(format!(
            "CSR column {c} out of range for {n_cols} columns"
        )));
    }
    Ok(())
}

impl HostCsr {
    /// Build from (row, col, value) triples: sorted by (row, col), duplicates merged by summing.
    /// A low-level helper that trusts its input: it panics on a row `>= n_rows` (columns are
    /// not bounded here; [`Csr::from_host`] checks them). Use [`Csr::from_edges`] for checked
    /// construction from user data.
    pub fn from_triples(n_rows: usize, mut triples: Vec<(u32, u32, f32)>) -> HostCsr {
        triples.sort_by_key(|&(r, c, _)| (r, c));
        let mut row_ptr = vec![0u32; n_rows + 1];
        let mut col_idx = Vec::with_capacity(triples.len());
        let mut values: Vec<f32> = Vec::with_capacity(triples.len());
        let mut last: Option<(u32, u32)> = None;
        for (r, c, v) in triples {
            if last == Some((r, c)) {
                if let Some(x) = values.last_mut() {
                    *x += v;
                }
                continue;
            }
            last = Some((r, c));
            row_ptr[r as usize + 1] += 1;
            col_idx.push(c);
            values.push(v);
        }
        for i in 0..n_rows {
            row_ptr[i + 1] += row_ptr[i];
        }
        HostCsr {
            row_ptr,
            col_idx,
            values,
        }
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.col_idx.len()
    }

    /// Row index of every stored entry. A low-level helper that trusts its input: it panics on
    /// a `row_ptr` that decreases or runs past the entries ([`Csr::from_host`] checks both).
    pub fn row_indices(&self) -> Vec<u32> {
        let nnz = self.nnz();
        if let Some(&end) = self.row_ptr.last() {
            assert!(
                end as usize <= nnz,
                "row offsets run to {end}, past the {nnz} entries"
            );
        }
        let mut rows = Vec::with_capacity(nnz);
        for r in 0..self.row_ptr.len().saturating_sub(1) {
            let len = self.row_ptr[r + 1]
                .checked_sub(self.row_ptr[r])
                .unwrap_or_else(|| panic!("row offsets decrease after row {r}"));
            rows.extend(std::iter::repeat_n(r as u32, len as usize));
        }
        rows
    }

    /// Transpose structure (row_ptr of Aᵀ, columns of Aᵀ, permutation into A's values), built
    /// by a counting sort so entries of each Aᵀ row stay ordered by A's row. Panics on a
    /// column `>= n_cols`; [`Csr::from_host`] checks the columns before it calls this.
    pub fn transpose_structure(&self, n_cols: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
        let nnz = self.nnz();
        let mut t_ptr = vec![0u32; n_cols + 1];
        for &c in &self.col_idx {
            t_ptr[c as usize + 1] += 1;
        }
        for i in 0..n_cols {
            t_ptr[i + 1] += t_ptr[i];
        }
        let mut next = t_ptr.clone();
        let mut t_col = vec![0u32; nnz];
        let mut perm = vec![0u32; nnz];
        for (r, k) in self.row_indices().into_iter().zip(0u32..) {
            let c = self.col_idx[k as usize] as usize;
            let slot = next[c] as usize;
            next[c] += 1;
            t_col[slot] = r;
            perm[slot] = k;
        }
        (t_ptr, t_col, perm)
    }

    /// Dense row-major copy (for tests and small matrices). Trusts its input like the other
    /// helpers: panics on a column `>= n_cols` or offsets past the entries.
    pub fn to_dense(&self, n_cols: usize) -> Vec<f32> {
        let n_rows = self.row_ptr.len().saturating_sub(1);
        let mut d = vec![0.0; n_rows * n_cols];
        for r in 0..n_rows {
            for k in self.row_ptr[r] as usize..self.row_ptr[r + 1] as usize {
                d[r * n_cols + self.col_idx[k] as usize] += self.values[k];
            }
        }
        d
    }

    /// Sum of row `r`'s values in storage order, in f32 (the degree [`HostCsr::gcn_scaled`]
    /// uses). Panics on a row or offsets outside the entries.
    fn row_sum(&self, r: usize) -> f32 {
        let range = self.row_ptr[r] as usize..self.row_ptr[r + 1] as usize;
        self.values[range].iter().fold(0.0f32, |d, &v| d + v)
    }

    /// D^-1/2 A D^-1/2 with D the row sums of this (square) matrix, in f32: each row's values
    /// summed in storage order, d^-1/2 (0 where the sum is not positive), then
    /// (d_r^-1/2 · v) · d_c^-1/2. A low-level helper that trusts its input: it panics on a
    /// column index outside the square or inconsistent offsets ([`Csr::gcn_normalized`] checks
    /// them).
    pub fn gcn_scaled(&self) -> HostCsr {
        let n = self.row_ptr.len().saturating_sub(1);
        let range = |r: usize| self.row_ptr[r] as usize..self.row_ptr[r + 1] as usize;
        let dinv: Vec<f32> = (0..n)
            .map(|r| {
                let d = self.row_sum(r);
                if d > 0.0 {
                    1.0 / d.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let mut values = Vec::with_capacity(self.nnz());
        for (r, &dr) in dinv.iter().enumerate() {
            for k in range(r) {
                values.push(dr * self.values[k] * dinv[self.col_idx[k] as usize]);
            }
        }
        HostCsr {
            row_ptr: self.row_ptr.clone(),
            col_idx: self.col_idx.clone(),
            values,
        }
    }
}

impl Csr {
    /// Upload a host CSR matrix of shape `[n_rows, n_cols]` and build its transpose structure.
    /// [`Error::TooLarge`] when the row offsets of the matrix or of its transpose (`n + 1`
    /// u32 each) would not fit one binding of `gpu`.
    pub fn from_host(gpu: &Gpu, n_rows: usize, n_cols: usize, host: HostCsr) -> Result<Csr> {
        let nnz = host.nnz();
        u32_len("csr rows", n_rows.saturating_add(1))?;
        u32_len("csr cols", n_cols.saturating_add(1))?;
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
        u32_len("csr rows", n.saturating_add(1))?;
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
        if let Some(k) = host.values.iter().position(|v| !v.is_finite()) {
            let row = host.row_ptr.partition_point(|&p| p as usize <= k) - 1;
            return Err(Error::InvalidInput(format!(
                "the weights of edge {row} -> {} sum to {}, past the f32 range",
                host.col_idx[k], host.values[k]
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

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.host.nnz()
    }

    /// The device the matrix lives on.
    pub fn gpu(&self) -> &Gpu {
        self.values.gpu()
    }

    /// Same sparsity pattern (and transpose structure) with new values, F32 `[nnz]` (for learned
    /// edge weights). The host copy keeps the pattern but not these values (reading them back
    /// would wait for the GPU), which [`Csr::host_values_current`] records.
    /// Values on another GPU device than the matrix are [`Error::InvalidInput`].
    pub fn with_values(&self, values: Tensor) -> Result<Csr> {
        values.expect_dtype("Csr::with_values", DType::F32)?;
        if values.shape() != [self.nnz()] {
            return Err(Error::shape(
                "Csr::with_values",
                format!(
                    "values of shape {:?} for {} entries (want [{}])",
                    values.shape(),
                    self.nnz(),
                    self.nnz()
                ),
            ));
        }
        self.row_ptr
            .gpu()
            .check_same_device("Csr::with_values", "the values", values.gpu())?;
        Ok(Csr {
            values,
            host_values_current: false,
            ..self.clone()
        })
    }

    /// D^-1/2 (A + I) D^-1/2 with D the row sums of A + I. Computed on the host from the host
    /// copy (pattern and values) and uploaded, so the host copy and the GPU values are the same
    /// numbers and no call waits for the GPU (this runs once per training minibatch). Rows whose
    /// sum is not positive get a zero scale. Non-square matrices are an error, and so is a host
    /// copy that (edited through the public fields) no longer is a consistent CSR of
    /// `[n_rows, n_cols]`, and a row of A + I whose sum is not a finite f32
    /// ([`Error::InvalidInput`]: its zero scale would erase the node).
    pub fn gcn_normalized(&self) -> Result<Csr> {
        if !self.host_values_current {
            return Err(Error::Unsupported(
                "gcn_normalized: this matrix's values were replaced on the GPU (with_values), \
                 so its host copy no longer holds them; normalise before replacing the values"
                    .into(),
            ));
        }
        if self.n_rows != self.n_cols {
            return Err(Error::shape(
                "gcn_normalized",
                format!(
                    "adjacency must be square, got {}x{}",
                    self.n_rows, self.n_cols
                ),
            ));
        }
        let n = self.n_rows;
        check_host(n, n, &self.host)?;
        let looped = with_self_loops(n, &self.host, 1.0);
        // A degree past f32::MAX (or NaN) would get a zero scale and silently erase the node.
        if let Some(r) = (0..n).find(|&r| !looped.row_sum(r).is_finite()) {
            return Err(Error::InvalidInput(format!(
                "gcn_normalized: row {r} of A + I sums to {}, not a finite f32; scale the edge \
                 weights down",
                looped.row_sum(r)
            )));
        }
        let normalized = looped.gcn_scaled();
        Csr::from_host(self.gpu(), n, n, normalized)
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

/// Add a diagonal entry of 1 to each row. With `add` = 0 an existing loop is kept as is (only
/// missing loops are inserted); with `add` = 1 every diagonal value grows by one (A + I). A
/// diagonal stored more than once counts as the sum of its entries, so `add` goes to one of them.
fn with_self_loops(n: usize, m: &HostCsr, add: f32) -> HostCsr {
    let mut triples = Vec::with_capacity(m.nnz() + n);
    for r in 0..n {
        let mut seen = false;
        for k in m.row_ptr[r] as usize..m.row_ptr[r + 1] as usize {
            let c = m.col_idx[k];
            let v = if c as usize == r {
                let v = if seen { m.values[k] } else { m.values[k] + add };
                seen = true;
                v
            } else {
                m.values[k]
            };
            triples.push((r as u32, c, v));
        }
        if !seen {
            triples.push((r as u32, r as u32, 1.0));
        }
    }
    HostCsr::from_triples(n, triples)
}
