//! Graphs on the GPU: CSR matrices with a prebuilt transpose, SpMM and its transpose,
//! block-diagonal batching of many small graphs, and neural-synchrony graph construction.

pub mod batch;
pub mod csr;
pub mod spmm;
pub mod stimulus;
pub mod synchrony;

pub use batch::{batch_graphs, GraphBatch};
pub use csr::{Csr, HostCsr, Transpose};
pub use spmm::{spmm, spmm_bytes, spmm_transpose};
