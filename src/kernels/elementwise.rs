//! Elementwise kernels (`shaders/elementwise.wgsl`): unary maps, binary ops with broadcasting,
//! scaling and select.

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    cols: u32,
    mode: u32,
    op: u32,
    alpha: f32,
    beta: f32,
    pad: [u32; 2],
}

/// A unary map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unary {
    /// max(x, 0)
    Relu,
    /// 1 / (1 + e^-x)
    Sigmoid,
    /// tanh(x)
    Tanh,
    /// e^x
    Exp,
    /// -x
    Neg,
    /// |x|
    Abs,
    /// sqrt(x)
    Sqrt,
    /// ln(x)
    Log,
    /// x²
    Square,
    /// 1 if x > 0 else 0
    Step,
    /// 1 / x
    Recip,
}

impl Unary {
    fn code(self) -> u32 {
        match self {
            Unary::Relu => 0,
            Unary::Sigmoid => 1,
            Unary::Tanh => 2,
            Unary::Exp => 3,
            Unary::Neg => 4,
            Unary::Abs => 5,
            Unary::Sqrt => 6,
            Unary::Log => 7,
            Unary::Square => 8,
            Unary::Step => 10,
            Unary::Recip => 11,
        }
    }

    /// Plain Rust reference of the same map.
    pub fn reference(self, x: f32) -> f32 {
        match self {
            Unary::Relu => x.max(0.0),
            Unary::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Unary::Tanh => x.tanh(),
            Unary::Exp => x.exp(),
            Unary::Neg => -x,
            Unary::Abs => x.abs(),
            Unary::Sqrt => x.sqrt(),
            Unary::Log => x.ln(),
            Unary::Square => x * x,
            Unary::Step => f32::from(u8::from(x > 0.0)),
            Unary::Recip => 1.0 / x,
        }
    }
}

/// A binary op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// a + b
    Add,
    /// a - b
    Sub,
    /// a * b
    Mul,
    /// a / b
    Div,
    /// max(a, b)
    Max,
    /// min(a, b)
    Min,
}

impl Binary {
    fn code(self) -> u32 {
        self as u32
    }

    /// Plain Rust reference of the same op.
    pub fn reference(self, a: f32, b: f32) -> f32 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
            Binary::Max => a.max(b),
            Binary::Min => a.min(b),
        }
    }
}

fn run_unary(x: &Tensor, code: u32, alpha: f32, beta: f32, name: &'static str) -> Result<Tensor> {
    x.expect_dtype(name, DType::F32)?;
    let gpu = x.gpu();
    let n = check_u32(name, x.numel())?;
    let out = Tensor::empty(gpu, x.shape(), DType::F32)?;
    let params = Params {
        n,
        cols: 0,
        mode: 0,
        op: 0,
        alpha,
        beta,
        pad: [0; 2],
    };
    let kernel = Kernel::new(Shader::Elementwise, "unary").with("OP", f64::from(code));
    gpu.dispatch(
        name,
        &kernel,
        &params,
        &[x.binding()?, out.binding_mut()?],
        grid_for(gpu, x.numel())?,
    )?;
    Ok(out)
}

/// Apply a unary map.
pub fn unary(x: &Tensor, op: Unary) -> Result<Tensor> {
    let name = match op {
        Unary::Relu => "relu",
        Unary::Sigmoid => "sigmoid",
        Unary::Tanh => "tanh",
        Unary::Exp => "exp",
        Unary::Neg => "neg",
        Unary::Abs => "abs",
        Unary::Sqrt => "sqrt",
        Unary::Log => "log",
        Unary::Square => "square",
        Unary::Step => "step",
        Unary::Recip => "recip",
    };
    run_unary(x, op.code(), 1.0, 0.0, name)
}

/// alpha * x + beta.
pub fn affine(x: &Tensor, alpha: f32, beta: f32) -> Result<Tensor> {
    run_unary(x, 9, alpha, beta, "affine")
}

/// alpha * x.
pub fn scale(x: &Tensor, alpha: f32) -> Result<Tensor> {
    affine(x, alpha, 0.0)
}

/// A binary op. `b` has the shape of `a`, or is a row vector of `a`'s last dimension
/// (broadcast over rows), or has one element (a scalar).
pub fn binary(a: &Tensor, b: &Tensor, op: Binary) -> Result<Tensor> {
    let name = match op {
        Binary::Add => "add",
        Binary::Sub => "sub",
        Binary::Mul => "mul",
        Binary::Div => "div",
        Binary::Max => "maximum",
        Binary::Min => "minimum",
    };
    a.expect_dtype(name, DType::F32)?;
    b.expect_dtype(name, DType::F32)?;
    let (_, cols) = a.matrix_dims();
    let mode = if a.shape() == b.shape() {
        0
    } else if b.numel() == 1 {
        2
    } else if b.numel() == cols && b.shape().last() == Some(&cols) {
        1
    } else {
        return Err(Error::shape(
            name,
            format!(
                "cannot broadcast {:?} to {:?} (need the same shape, a row vector of length {cols}, or a scalar)",
                b.shape(),
                a.shape()
            ),
        ));
    };
    let gpu = a.gpu();
    let n = check_u32(name, a.numel())?;
    let out = Tensor::empty(gpu, a.shape(), DType::F32)?;
    let params = Params {
        n,
        cols: cols as u32,
        mode,
        op: op.code(),
        alpha: 1.0,
        beta: 0.0,
        pad: [0; 2],
    };
    gpu.dispatch(
        name,
        &Kernel::new(Shader::Elementwise, "binary"),
        &params,
        &[a.binding()?, b.binding()?, out.binding_mut()?],
        grid_for(gpu, a.numel())?,
    )?;
    Ok(out)
}

/// a + b (with broadcasting, see [`binary`]).
pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(a, b, Binary::Add)
}

/// a - b (with broadcasting).
pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(a, b, Binary::Sub)
}

/// a * b elementwise (with broadcasting).
pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(a, b, Binary::Mul)
}

/// cond != 0 ? a : b, all of one shape. A NaN condition is not 0 (it picks `a`); both zeros
/// pick `b`.
pub fn select(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    for t in [cond, a, b] {
        t.expect_dtype("select", DType::F32)?;
    }
    a.expect_same_shape("select", b)?;
    a.expect_same_shape("select", cond)?;
    let gpu = a.gpu();
    let n = check_u32("select", a.numel())?;
    let out = Tensor::empty(gpu, a.shape(), DType::F32)?;
    let params = Params {
        n,
        cols: 0,
        mode: 0,
        op: 0,
        alpha: 0.0,
        beta: 0.0,
        pad: [0; 2],
    };
    gpu.dispatch(
        "select",
        &Kernel::new(Shader::Elementwise, "select_where"),
        &params,
        &[
            a.binding()?,
            b.binding()?,
            cond.binding()?,
            out.binding_mut()?,
        ],
        grid_for(gpu, a.numel())?,
    )?;
    Ok(out)
}
