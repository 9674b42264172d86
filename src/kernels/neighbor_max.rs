//! 1-hop neighbour max pooling over a dense M x M mask (`shaders/neighbor_max.wgsl`), used by
//! the graph inception layer: node-major features H [M, C] (C = graphs x features), mask[i, j] > 0
//! marks j as a neighbour of i (ReLU(A) > 0 for a learned adjacency, or a fixed graph).

use bytemuck::{Pod, Zeroable};

use super::{check_u32, grid_for};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Argmax value of a node without neighbours.
pub const NO_NEIGHBOUR: u32 = u32::MAX;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    m: u32,
    c: u32,
    pad: [u32; 2],
}

fn params(op: &str, mask: &Tensor, h: &Tensor) -> Result<Params> {
    let (m, c) = h.matrix_dims();
    if mask.shape() != [m, m] {
        return Err(Error::shape(
            op,
            format!(
                "mask {:?} must be [{m}, {m}] for features {:?}",
                mask.shape(),
                h.shape()
            ),
        ));
    }
    check_u32(op, m * c)?;
    Ok(Params {
        m: m as u32,
        c: c as u32,
        pad: [0; 2],
    })
}

/// `out[i, c]` = max_{j: `mask[i,j]` > 0} `h[j, c]`, with the winning j (lowest on ties) as argmax.
/// A node without neighbours gets 0 and [`NO_NEIGHBOUR`].
pub fn masked_max(mask: &Tensor, h: &Tensor) -> Result<(Tensor, Tensor)> {
    mask.expect_dtype("masked_max", DType::F32)?;
    h.expect_dtype("masked_max", DType::F32)?;
    let p = params("masked_max", mask, h)?;
    let gpu = h.gpu();
    let out = Tensor::empty(gpu, h.shape(), DType::F32)?;
    let arg = Tensor::empty(gpu, h.shape(), DType::U32)?;
    gpu.dispatch(
        "masked_max",
        &Kernel::new(Shader::NeighborMax, "masked_max"),
        &p,
        &[
            mask.binding()?,
            h.binding()?,
            out.binding_mut()?,
            arg.binding_mut()?,
        ],
        grid_for(gpu, h.numel())?,
    )?;
    Ok((out, arg))
}

/// Gradient of [`masked_max`] with respect to h: each output gradient goes to its argmax row.
/// `mask` is the forward pass's mask (only its neighbours are searched).
pub fn masked_max_backward(mask: &Tensor, arg: &Tensor, grad: &Tensor) -> Result<Tensor> {
    const OP: &str = "masked_max_backward";
    mask.expect_dtype(OP, DType::F32)?;
    arg.expect_dtype(OP, DType::U32)?;
    grad.expect_dtype(OP, DType::F32)?;
    if arg.shape() != grad.shape() {
        return Err(Error::shape(
            OP,
            format!(
                "argmax {:?} and gradient {:?} differ",
                arg.shape(),
                grad.shape()
            ),
        ));
    }
    let p = params(OP, mask, grad)?;
    let gpu = grad.gpu();
    let dh = Tensor::empty(gpu, grad.shape(), DType::F32)?;
    gpu.dispatch(
        OP,
        &Kernel::new(Shader::NeighborMax, "masked_max_backward"),
        &p,
        &[
            mask.binding()?,
            arg.binding()?,
            grad.binding()?,
            dh.binding_mut()?,
        ],
        grid_for(gpu, grad.numel())?,
    )?;
    Ok(dh)
}
