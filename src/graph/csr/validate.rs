//! Checks a CSR matrix passes before it is built or uploaded: u32 sizes, offsets that fit one
//! binding, and a consistent host copy.

use super::HostCsr;
use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// `n` as a u32, or [`Error::InvalidInput`] naming `what`.
pub(super) fn u32_len(what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::InvalidInput(format!("{what}: {n} exceeds u32 range")))
}

/// [`Error::InvalidInput`] unless the `n + 1` offsets over `n` `what` (rows or columns) can be
/// counted in u32; the message names `n` as the caller gave it.
pub(super) fn offsets_len(what: &str, n: usize) -> Result<()> {
    match n.checked_add(1).map(u32::try_from) {
        Some(Ok(_)) => Ok(()),
        _ => Err(Error::InvalidInput(format!(
            "csr of {n} {what}: its {n} + 1 offsets exceed the u32 range"
        ))),
    }
}

/// [`Error::TooLarge`] unless `n + 1` u32 offsets (a row_ptr over `n` rows) fit one binding of
/// `gpu`. Checked before the host builds any offset array: the upload would refuse it anyway,
/// and a count past the device's limits would first exhaust host memory (or overflow).
pub(super) fn offsets_fit(gpu: &Gpu, what: &str, n: usize) -> Result<()> {
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
pub(super) fn check_host(n_rows: usize, n_cols: usize, host: &HostCsr) -> Result<()> {
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
