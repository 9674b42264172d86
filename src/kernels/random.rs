//! Seeded GPU random tensors (`shaders/random.wgsl`): element i is a pure function of
//! (seed, i), so a seed gives the same tensor on every run and every device.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::Result;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    seed_lo: u32,
    seed_hi: u32,
    pad0: u32,
    a: f32,
    b: f32,
    pad1: [u32; 2],
}

fn fill(
    gpu: &Gpu,
    shape: &[usize],
    seed: u64,
    a: f32,
    b: f32,
    entry: &'static str,
) -> Result<Tensor> {
    let out = Tensor::empty(gpu, shape, DType::F32)?;
    let n = check_u32(entry, out.numel())?;
    let params = Params {
        n,
        seed_lo: seed as u32,
        seed_hi: (seed >> 32) as u32,
        pad0: 0,
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

/// Uniform values in [low, high).
pub fn uniform(gpu: &Gpu, shape: &[usize], low: f32, high: f32, seed: u64) -> Result<Tensor> {
    fill(gpu, shape, seed, low, high, "uniform_fill")
}

/// Normal values with the given mean and standard deviation (Box-Muller).
pub fn normal(gpu: &Gpu, shape: &[usize], mean: f32, std: f32, seed: u64) -> Result<Tensor> {
    fill(gpu, shape, seed, mean, std, "normal_fill")
}
