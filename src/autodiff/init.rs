//! Parameter initialisation on the GPU with the seeded counter-based RNG.

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::random;
use crate::tensor::Tensor;

fn fans(shape: &[usize]) -> Result<(usize, usize)> {
    match shape {
        [fan_in, fan_out] => Ok((*fan_in, *fan_out)),
        s => Err(Error::shape(
            "xavier init",
            format!("needs a [fan_in, fan_out] matrix, got {s:?}"),
        )),
    }
}

/// Xavier/Glorot uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), for a weight stored
/// [fan_in, fan_out] (as tkipf/gcn's `glorot`).
pub fn xavier_uniform(gpu: &Gpu, shape: &[usize], seed: u64) -> Result<Tensor> {
    let (i, o) = fans(shape)?;
    // Saturating: a shape too large for the device is refused by the allocation, not here.
    let a = (6.0 / i.saturating_add(o).max(1) as f32).sqrt();
    random::uniform(gpu, shape, -a, a, seed)
}

/// Xavier/Glorot normal: N(0, 2 / (fan_in + fan_out)).
pub fn xavier_normal(gpu: &Gpu, shape: &[usize], seed: u64) -> Result<Tensor> {
    let (i, o) = fans(shape)?;
    let std = (2.0 / i.saturating_add(o).max(1) as f32).sqrt();
    random::normal(gpu, shape, 0.0, std, seed)
}
