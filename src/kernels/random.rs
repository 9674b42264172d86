//! Seeded GPU random tensors (`shaders/random.wgsl`): element i is a pure function of
//! (seed, i), so a seed gives the same tensor on every run and every grid shape. The random
//! bits are the same on every device; the floats made from them go through the device's own
//! arithmetic (a multiply-add a driver may fuse, and for [`normal`] its `log`, `sqrt` and
//! `cos`, whose accuracy WGSL leaves to the implementation), so two devices may differ in the
//! last bits.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::{Error, Result};
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    seed_lo: u32,
    seed_hi: u32,
    wide: u32,
    a: f32,
    b: f32,
    pad1: [u32; 2],
}

fn fill(
    gpu: &Gpu,
    shape: &[usize],
    seed: u64,
    (a, b): (f32, f32),
    wide: bool,
    entry: &'static str,
) -> Result<Tensor> {
    let out = Tensor::empty(gpu, shape, DType::F32)?;
    let n = check_u32(entry, out.numel())?;
    let params = Params {
        n,
        seed_lo: seed as u32,
        seed_hi: (seed >> 32) as u32,
        wide: u32::from(wide),
        a,
        b,
        pad1: [0; 2],
    };
    gpu.dispatch(
        entry,
        &Kernel::new(Shader::Random, entry),
        &params,
        &[out.binding_mut()?],
        grid_for(gpu, out.numel())?,
    )?;
    Ok(out)
}

/// Uniform values in [low, high); `low` everywhere when `low == high`. Any finite bounds work,
/// even those whose difference exceeds the largest f32. [`Error::InvalidInput`] naming
/// `uniform` when a bound is NaN or infinite or `low > high`.
pub fn uniform(gpu: &Gpu, shape: &[usize], low: f32, high: f32, seed: u64) -> Result<Tensor> {
    if !(low.is_finite() && high.is_finite() && low <= high) {
        return Err(Error::InvalidInput(format!(
            "uniform: the range [{low}, {high}) needs finite bounds with low <= high"
        )));
    }
    // high - low overflows to infinity: the kernel mixes the bounds instead of scaling it.
    let wide = !(high - low).is_finite();
    fill(gpu, shape, seed, (low, high), wide, "uniform_fill")
}

/// Normal values with the given mean and standard deviation (Box-Muller); `mean` everywhere
/// when `std` is 0. The angle 2 pi u is taken in [-pi, pi] (one turn less above pi, the same
/// cosine), the only range where WGSL bounds the error of `cos`. [`Error::InvalidInput`]
/// naming `normal` when `mean` or `std` is NaN or infinite, or `std` is negative.
pub fn normal(gpu: &Gpu, shape: &[usize], mean: f32, std: f32, seed: u64) -> Result<Tensor> {
    if !(mean.is_finite() && std.is_finite() && std >= 0.0) {
        return Err(Error::InvalidInput(format!(
            "normal: mean {mean} and standard deviation {std} must be finite, the deviation >= 0"
        )));
    }
    fill(gpu, shape, seed, (mean, std), false, "normal_fill")
}
