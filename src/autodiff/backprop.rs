//! Every backward rule, in one `match`: given d loss / d output, the gradients of the inputs
//! that need one.

use super::tape::{Op, Tape};
use super::tape_ops::scaled_norm;
use crate::error::{Error, Result};
use crate::graph::spmm_transpose;
use crate::kernels::backward::{act_backward, broadcast_scalar};
use crate::kernels::elementwise::{self as ew, Binary};
use crate::kernels::layout::{gather_rows, scatter_add_rows, slice_cols};
use crate::kernels::matmul::{matmul, matmul_nt, matmul_tn};
use crate::kernels::reduce::{reduce_cols, ReduceOp};
use crate::kernels::segment::{segment_expand, segment_max_backward};
use crate::tensor::Tensor;

/// Sum `g` over rows when the input `b` was a broadcast row vector; identity otherwise.
fn unbroadcast(g: Tensor, b: &Tensor) -> Result<Tensor> {
    if g.shape() == b.shape() {
        return Ok(g);
    }
    let (_, cols) = g.matrix_dims();
    reduce_cols(&g.reshape(&[g.numel() / cols.max(1), cols])?, ReduceOp::Sum)?.reshape(b.shape())
}

/// Gradients of the inputs of node `i` from its output gradient `g`. `needs[j]` tells whether
/// node j wants a gradient; inputs that do not are skipped.
pub(crate) fn rule(
    tape: &Tape,
    i: usize,
    g: &Tensor,
    needs: &[bool],
) -> Result<Vec<(usize, Tensor)>> {
    let op = &tape.nodes[i].op;
    let mut out = Vec::new();
    let mut put = |id: usize, f: &mut dyn FnMut() -> Result<Tensor>| -> Result<()> {
        if needs[id] {
            out.push((id, f()?));
        }
        Ok(())
    };
    match op {
        Op::Leaf | Op::Param(_) => {}
        Op::MatMul(a, b) => {
            put(*a, &mut || matmul_nt(g, tape.saved(*b)?))?;
            put(*b, &mut || matmul_tn(tape.saved(*a)?, g))?;
        }
        Op::MatMulTn(a, b) => {
            put(*a, &mut || matmul_nt(tape.saved(*b)?, g))?;
            put(*b, &mut || matmul(tape.saved(*a)?, g))?;
        }
        Op::MatMulNt(a, b) => {
            put(*a, &mut || matmul(g, tape.saved(*b)?))?;
            put(*b, &mut || matmul_tn(g, tape.saved(*a)?))?;
        }
        Op::Add(a, b) => {
            put(*a, &mut || Ok(g.clone()))?;
            put(*b, &mut || unbroadcast(g.clone(), tape.saved(*b)?))?;
        }
        Op::Sub(a, b) => {
            put(*a, &mut || Ok(g.clone()))?;
            put(*b, &mut || {
                unbroadcast(ew::scale(g, -1.0)?, tape.saved(*b)?)
            })?;
        }
        Op::Mul(a, b) => {
            put(*a, &mut || ew::mul(g, tape.saved(*b)?))?;
            put(*b, &mut || {
                unbroadcast(ew::mul(g, tape.saved(*a)?)?, tape.saved(*b)?)
            })?;
        }
        Op::Scale(x, alpha) => put(*x, &mut || ew::scale(g, *alpha))?,
        Op::Act(x, act) => put(*x, &mut || act_backward(tape.saved(i)?, g, *act))?,
        Op::Dropout(x, mask) => put(*x, &mut || ew::mul(g, mask))?,
        Op::ConcatCols(parts) => {
            let mut start = 0;
            for &p in parts {
                let w = tape.saved(p)?.matrix_dims().1;
                put(p, &mut || slice_cols(g, start, start + w))?;
                start += w;
            }
        }
        Op::GatherRows(x, idx) => put(*x, &mut || {
            // The forward gathers rows of any rank >= 1; the scatter works on [m, f] matrices,
            // so the trailing dimensions are folded into f and the result viewed as x.
            let shape = tape.saved(*x)?.shape();
            let f = shape[1..].iter().product::<usize>();
            let g2 = g.reshape(&[idx.numel(), f])?;
            scatter_add_rows(&g2, idx, shape[0])?.reshape(shape)
        })?,
        Op::ScatterAddRows(x, idx, _) => put(*x, &mut || gather_rows(g, idx))?,
        Op::SegmentReduce {
            x,
            offsets,
            op,
            argmax,
        } => put(*x, &mut || {
            let n = tape.saved(*x)?.shape()[0];
            match (op, argmax) {
                (ReduceOp::Max, Some(am)) => segment_max_backward(g, am, n),
                (ReduceOp::Max, None) => Err(Error::InvalidInput(
                    "segment_reduce backward: max pooling without a saved argmax".into(),
                )),
                (op, _) => segment_expand(g, offsets, n, *op),
            }
        })?,
        Op::SumAll(x) => put(*x, &mut || {
            broadcast_scalar(g, tape.saved(*x)?.shape(), 1.0)
        })?,
        Op::SoftmaxCrossEntropy(x, dlogits) => {
            put(*x, &mut || ew::binary(dlogits, g, Binary::Mul))?
        }
        Op::L2(x, coeff) => put(*x, &mut || {
            // d/dx coeff Σ x² = 2 coeff x, times the incoming scalar.
            ew::scale(&ew::binary(tape.saved(*x)?, g, Binary::Mul)?, 2.0 * coeff)
        })?,
        Op::Frobenius(x, coeff) => put(*x, &mut || {
            // y = coeff ‖x‖: dy/dx = coeff x / ‖x‖ = coeff r / rn with r = x / max |x| and
            // rn = ‖r‖ >= 1 (see `scaled_norm`), so neither a huge nor a tiny x loses the
            // direction. At x = 0, r = rn = 0 and rn is raised to a tiny value: the
            // subgradient 0, not the NaN of 0 / 0.
            let xs = tape.saved(*x)?;
            let (r, rn, _) = scaled_norm(xs)?;
            let tiny = Tensor::from_f32(xs.gpu(), &[1], &[f32::MIN_POSITIVE])?;
            let rn = ew::binary(&rn, &tiny, Binary::Max)?;
            let unit = ew::binary(&r, &rn, Binary::Div)?;
            ew::scale(&ew::binary(&unit, g, Binary::Mul)?, *coeff)
        })?,
        Op::NoRule(name, _) => {
            return Err(Error::Unsupported(format!(
                "autodiff: no backward rule for op '{name}' (node {i}), but a gradient reaches it"
            )))
        }
        Op::Reshape(x) => put(*x, &mut || g.reshape(tape.saved(*x)?.shape()))?,
        Op::BatchNorm {
            x,
            invstd,
            batch_stats,
        } => put(*x, &mut || {
            super::tape_lgrin::batch_norm_backward(g, tape.saved(i)?, invstd, *batch_stats)
        })?,
        Op::NeighborMax(x, arg, mask) => put(*x, &mut || {
            crate::kernels::neighbor_max::masked_max_backward(mask, arg, g)
        })?,
        Op::Spmm(x, a) => put(*x, &mut || spmm_transpose(a, g))?,
    }
    Ok(out)
}
