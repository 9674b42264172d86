//! New values on a [`Csr`]'s sparsity pattern: learned edge weights and GCN normalisation.

use super::host::with_self_loops;
use super::validate::check_host;
use super::Csr;
use crate::error::{Error, Result};
use crate::tensor::{DType, Tensor};

impl Csr {
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
