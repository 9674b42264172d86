//! Dedicated backward kernels of the autodiff tape (`shaders/backward.wgsl`): activation
//! derivatives from saved outputs, seeded dropout masks and scalar broadcasts.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for, random};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    op: u32,
    p: f32,
    scale: f32,
}

/// An activation whose derivative is written in terms of its output y.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// y = max(x, 0): dy/dx = `[y > 0]`.
    Relu,
    /// y = sigmoid(x): dy/dx = y (1 - y).
    Sigmoid,
    /// y = tanh(x): dy/dx = 1 - y².
    Tanh,
    /// y = e^x: dy/dx = y.
    Exp,
}

/// Gradient through an activation: `grad * f'(x)` computed from the saved output `y`.
/// [`Error::Shape`] unless `grad` has the shape of `y`; [`Error::InvalidInput`] when they live
/// on two GPU devices.
pub fn act_backward(y: &Tensor, grad: &Tensor, act: Activation) -> Result<Tensor> {
    const OP: &str = "act_backward";
    y.expect_dtype(OP, DType::F32)?;
    grad.expect_dtype(OP, DType::F32)?;
    if y.shape() != grad.shape() {
        return Err(Error::shape(
            OP,
            format!("y {:?} and grad {:?} differ", y.shape(), grad.shape()),
        ));
    }
    let gpu = y.gpu();
    let n = check_u32(OP, y.numel())?;
    let out = Tensor::empty(gpu, y.shape(), DType::F32)?;
    let params = Params {
        n,
        op: act as u32,
        p: 0.0,
        scale: 0.0,
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Backward, "act_backward"),
        &params,
        &[y.binding()?, grad.binding()?, out.binding_mut()?],
        grid_for(gpu, y.numel())?,
    )?;
    Ok(out)
}

/// A seeded inverted-dropout mask of `shape`: each element is 0 with probability `p`, else
/// `1 / (1 - p)`. Element i depends only on (seed, i).
pub fn dropout_mask(gpu: &crate::Gpu, shape: &[usize], p: f32, seed: u64) -> Result<Tensor> {
    const OP: &str = "dropout_mask";
    if !(0.0..1.0).contains(&p) {
        return Err(Error::InvalidInput(format!(
            "{OP}: drop probability {p} must be in [0, 1)"
        )));
    }
    let u = random::uniform(gpu, shape, 0.0, 1.0, seed)?;
    let n = check_u32(OP, u.numel())?;
    let out = Tensor::empty(gpu, shape, DType::F32)?;
    let params = Params {
        n,
        op: 0,
        p,
        scale: 1.0 / (1.0 - p),
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Backward, "dropout_mask"),
        &params,
        &[u.binding()?, out.binding_mut()?],
        grid_for(gpu, u.numel())?,
    )?;
    Ok(out)
}

/// A tensor of `shape` filled with `s[0] * scale`, where `s` holds one element (on the GPU).
pub fn broadcast_scalar(s: &Tensor, shape: &[usize], scale: f32) -> Result<Tensor> {
    const OP: &str = "broadcast_scalar";
    s.expect_dtype(OP, DType::F32)?;
    if s.numel() != 1 {
        return Err(Error::shape(
            OP,
            format!("needs one element, got {:?}", s.shape()),
        ));
    }
    let gpu = s.gpu();
    let out = Tensor::empty(gpu, shape, DType::F32)?;
    let n = check_u32(OP, out.numel())?;
    let params = Params {
        n,
        op: 0,
        p: 0.0,
        scale,
    };
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::Backward, "broadcast_scalar"),
        &params,
        &[s.binding()?, out.binding_mut()?],
        grid_for(gpu, out.numel())?,
    )?;
    Ok(out)
}
