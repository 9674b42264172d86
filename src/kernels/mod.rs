//! Kernel dispatchers: one module per WGSL family. Each function checks shapes and dtypes,
//! allocates its output, records one or more dispatches in the current batch and returns at once;
//! nothing is read back.

pub mod backward;
pub mod cast;
pub mod elementwise;
pub mod layout;
pub mod matmul;
pub mod neighbor_max;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod segment;
pub mod softmax;

use crate::error::Result;
use crate::gpu::{grid::WORKGROUP_1D, Gpu};

/// Grid for a 1-D kernel with one thread per item and [`WORKGROUP_1D`] threads per group.
pub(crate) fn grid_for(gpu: &Gpu, items: usize) -> Result<[u32; 3]> {
    gpu.grid(items as u64, WORKGROUP_1D)
}

/// Check that `n` fits the 32-bit indices the kernels use.
pub(crate) fn check_u32(op: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        crate::error::Error::shape(op, format!("{n} elements exceed the 32-bit index range"))
    })
}

/// Check that the product of `dims` fits the 32-bit indices the kernels use. The product is
/// formed without overflow (a zero factor makes it 0, whatever the others), so the huge
/// dimensions an empty tensor may have, or a huge row count from the caller, give an error
/// rather than a product that panics or wraps.
pub(crate) fn check_u32_product(op: &str, dims: &[usize]) -> Result<u32> {
    match crate::tensor::checked_numel(dims) {
        Some(n) => check_u32(op, n),
        None => Err(crate::error::Error::shape(
            op,
            format!("{dims:?} gives more elements than the 32-bit index range holds"),
        )),
    }
}
