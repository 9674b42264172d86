//! f32 <-> f16 conversion (`shaders/cast.wgsl`).

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::Result;
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    pad: [u32; 3],
}

/// Convert an f32 tensor to f16 storage, rounding to nearest even; every input has a defined
/// result, bit for bit IEEE's: beyond the f16 range becomes ±infinity, NaN stays NaN, tiny
/// values become subnormals or signed zero.
pub fn to_f16(x: &Tensor) -> Result<Tensor> {
    x.expect_dtype("to_f16", DType::F32)?;
    let gpu = x.gpu();
    let n = check_u32("to_f16", x.numel())?;
    let out = Tensor::empty(gpu, x.shape(), DType::F16)?;
    gpu.dispatch(
        "f32_to_f16",
        &Kernel::new(Shader::Cast, "f32_to_f16"),
        &Params { n, pad: [0; 3] },
        &[x.binding()?, out.binding_mut()?],
        grid_for(gpu, x.numel().div_ceil(2))?,
    )?;
    Ok(out)
}

/// Convert an f16 tensor to f32.
pub fn to_f32(x: &Tensor) -> Result<Tensor> {
    x.expect_dtype("to_f32", DType::F16)?;
    let gpu = x.gpu();
    let n = check_u32("to_f32", x.numel())?;
    let out = Tensor::empty(gpu, x.shape(), DType::F32)?;
    gpu.dispatch(
        "f16_to_f32",
        &Kernel::new(Shader::Cast, "f16_to_f32"),
        &Params { n, pad: [0; 3] },
        &[x.binding()?, out.binding_mut()?],
        grid_for(gpu, x.numel())?,
    )?;
    Ok(out)
}
