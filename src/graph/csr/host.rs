//! [`HostCsr`]: the host copy of a CSR matrix and the host-side helpers that build, transpose,
//! densify, normalise and add self loops to it.

/// Host copy of a CSR matrix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostCsr {
    /// Row offsets, `n_rows + 1` non-decreasing entries from 0 to the entry count.
    pub row_ptr: Vec<u32>,
    /// Column of each stored entry. [`HostCsr::from_triples`] sorts them within a row and merges
    /// repeats, but [`Csr::from_host`] and the kernels take any order, and a column repeated
    /// within a row counts as the sum of its values.
    ///
    /// [`Csr::from_host`]: super::Csr::from_host
    pub col_idx: Vec<u32>,
    /// Value of each stored entry.
    pub values: Vec<f32>,
}

impl HostCsr {
    /// Build from (row, col, value) triples: sorted by (row, col), duplicates merged by summing.
    /// A low-level helper that trusts its input: it panics on a row `>= n_rows` (columns are
    /// not bounded here; [`Csr::from_host`] checks them). Use [`Csr::from_edges`] for checked
    /// construction from user data.
    ///
    /// [`Csr::from_host`]: super::Csr::from_host
    /// [`Csr::from_edges`]: super::Csr::from_edges
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

    /// The first stored entry whose value is not finite, as (row, column, value).
    pub fn first_non_finite(&self) -> Option<(usize, u32, f32)> {
        let k = self.values.iter().position(|v| !v.is_finite())?;
        let row = self
            .row_ptr
            .partition_point(|&p| p as usize <= k)
            .saturating_sub(1);
        Some((row, self.col_idx[k], self.values[k]))
    }

    /// Row index of every stored entry. A low-level helper that trusts its input: it panics on
    /// a `row_ptr` that decreases or runs past the entries ([`Csr::from_host`] checks both).
    ///
    /// [`Csr::from_host`]: super::Csr::from_host
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
    ///
    /// [`Csr::from_host`]: super::Csr::from_host
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
    pub(super) fn row_sum(&self, r: usize) -> f32 {
        let range = self.row_ptr[r] as usize..self.row_ptr[r + 1] as usize;
        self.values[range].iter().fold(0.0f32, |d, &v| d + v)
    }

    /// D^-1/2 A D^-1/2 with D the row sums of this (square) matrix, in f32: each row's values
    /// summed in storage order, d^-1/2 (0 where the sum is not positive), then
    /// (d_r^-1/2 · v) · d_c^-1/2. A low-level helper that trusts its input: it panics on a
    /// column index outside the square or inconsistent offsets ([`Csr::gcn_normalized`] checks
    /// them).
    ///
    /// [`Csr::gcn_normalized`]: super::Csr::gcn_normalized
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

/// Add a diagonal entry of 1 to each row. With `add` = 0 an existing loop is kept as is (only
/// missing loops are inserted); with `add` = 1 every diagonal value grows by one (A + I). A
/// diagonal stored more than once counts as the sum of its entries, so `add` goes to one of them.
pub(super) fn with_self_loops(n: usize, m: &HostCsr, add: f32) -> HostCsr {
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
