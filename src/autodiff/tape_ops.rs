//! Forward ops of the tape: each runs the forward kernel and records an [`Op`] node.

use super::tape::{Op, Tape, Var};
use crate::error::{Error, Result};
use crate::graph::{spmm, Csr};
use crate::kernels::backward::{dropout_mask, Activation};
use crate::kernels::elementwise::{self as ew, Binary, Unary};
use crate::kernels::layout::{concat_cols, gather_rows, scatter_add_rows};
use crate::kernels::matmul::{matmul, matmul_nt, matmul_tn};
use crate::kernels::reduce::{reduce_rows, sum_all, ReduceOp};
use crate::kernels::segment::segment_reduce;
use crate::kernels::softmax::softmax_cross_entropy;
use crate::tensor::{DType, Tensor};

impl Tape {
    /// A · B.
    pub fn matmul(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("matmul", &[a, b])?;
        let v = matmul(&a.value, &b.value)?;
        Ok(self.push(v, Op::MatMul(a.id, b.id)))
    }

    /// Aᵀ · B with A stored [k, m].
    pub fn matmul_tn(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("matmul_tn", &[a, b])?;
        let v = matmul_tn(&a.value, &b.value)?;
        Ok(self.push(v, Op::MatMulTn(a.id, b.id)))
    }

    /// A · Bᵀ with B stored [n, k].
    pub fn matmul_nt(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("matmul_nt", &[a, b])?;
        let v = matmul_nt(&a.value, &b.value)?;
        Ok(self.push(v, Op::MatMulNt(a.id, b.id)))
    }

    /// A shape error naming `op` unless b has a's shape or is a row vector of a's last
    /// dimension (the broadcasts `add`, `sub` and `mul` take).
    pub(super) fn check_broadcast(op: &str, a: &Var, b: &Var) -> Result<()> {
        let cols = a.value.matrix_dims().1;
        if a.shape() == b.shape() || (b.value.numel() == cols && b.shape().last() == Some(&cols)) {
            return Ok(());
        }
        Err(Error::shape(
            op,
            format!(
                "b {:?} must match a {:?} or be a row vector of length {cols}",
                b.shape(),
                a.shape()
            ),
        ))
    }

    /// a + b; b has a's shape or is a row vector broadcast over rows.
    pub fn add(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("add", &[a, b])?;
        Self::check_broadcast("add", a, b)?;
        let v = ew::binary(&a.value, &b.value, Binary::Add)?;
        Ok(self.push(v, Op::Add(a.id, b.id)))
    }

    /// a - b; b has a's shape or is a row vector broadcast over rows.
    pub fn sub(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("sub", &[a, b])?;
        Self::check_broadcast("sub", a, b)?;
        let v = ew::binary(&a.value, &b.value, Binary::Sub)?;
        Ok(self.push(v, Op::Sub(a.id, b.id)))
    }

    /// a * b elementwise (Hadamard product); b has a's shape or is a row vector.
    pub fn mul(&mut self, a: &Var, b: &Var) -> Result<Var> {
        self.check("mul", &[a, b])?;
        Self::check_broadcast("mul", a, b)?;
        let v = ew::binary(&a.value, &b.value, Binary::Mul)?;
        Ok(self.push(v, Op::Mul(a.id, b.id)))
    }

    /// alpha * x.
    pub fn scale(&mut self, x: &Var, alpha: f32) -> Result<Var> {
        self.check("scale", &[x])?;
        let v = ew::scale(&x.value, alpha)?;
        Ok(self.push(v, Op::Scale(x.id, alpha)))
    }

    fn act(&mut self, x: &Var, act: Activation, unary: Unary) -> Result<Var> {
        self.check("activation", &[x])?;
        let v = ew::unary(&x.value, unary)?;
        Ok(self.push(v, Op::Act(x.id, act)))
    }

    /// max(x, 0).
    pub fn relu(&mut self, x: &Var) -> Result<Var> {
        self.act(x, Activation::Relu, Unary::Relu)
    }

    /// 1 / (1 + e^-x).
    pub fn sigmoid(&mut self, x: &Var) -> Result<Var> {
        self.act(x, Activation::Sigmoid, Unary::Sigmoid)
    }

    /// tanh(x).
    pub fn tanh(&mut self, x: &Var) -> Result<Var> {
        self.act(x, Activation::Tanh, Unary::Tanh)
    }

    /// e^x.
    pub fn exp(&mut self, x: &Var) -> Result<Var> {
        self.act(x, Activation::Exp, Unary::Exp)
    }

    /// Inverted dropout with drop probability `p` while training (a seeded GPU mask, a new
    /// stream per call); the identity in evaluation mode or for p = 0. A `p` outside [0, 1) is
    /// [`Error::InvalidInput`] in both modes, so a bad setting shows before training starts. A
    /// refused call does not advance the mask stream.
    pub fn dropout(&mut self, x: &Var, p: f32) -> Result<Var> {
        self.check("dropout", &[x])?;
        check_drop_probability("dropout", p)?;
        if !self.training || p == 0.0 {
            return Ok(x.clone());
        }
        // Checked before the dropout counter moves, so a refused call leaves later masks as
        // they were.
        x.value.expect_dtype("dropout", DType::F32)?;
        self.dropout_calls += 1;
        let seed = self
            .seed
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(self.dropout_calls);
        let mask = dropout_mask(&self.gpu, x.shape(), p, seed)?;
        self.dropout_with_mask(x, mask)
    }

    /// x * mask with a given mask (the gradient is g * mask).
    pub fn dropout_with_mask(&mut self, x: &Var, mask: Tensor) -> Result<Var> {
        self.check("dropout", &[x])?;
        x.value.expect_same_shape("dropout", &mask)?;
        let v = ew::mul(&x.value, &mask)?;
        Ok(self.push(v, Op::Dropout(x.id, mask)))
    }

    /// Column-wise concatenation of matrices with the same number of rows.
    pub fn concat_cols(&mut self, parts: &[&Var]) -> Result<Var> {
        self.check("concat_cols", parts)?;
        let ts: Vec<&Tensor> = parts.iter().map(|v| &v.value).collect();
        let v = concat_cols(&ts)?;
        Ok(self.push(v, Op::ConcatCols(parts.iter().map(|v| v.id).collect())))
    }

    /// Rows of x picked by `idx` (u32 `[m]`).
    pub fn gather_rows(&mut self, x: &Var, idx: &Tensor) -> Result<Var> {
        self.check("gather_rows", &[x])?;
        let v = gather_rows(&x.value, idx)?;
        Ok(self.push(v, Op::GatherRows(x.id, idx.clone())))
    }

    /// `out[r]` = Σ `x[i]` over `idx[i]` == r, for `n` output rows.
    pub fn scatter_add_rows(&mut self, x: &Var, idx: &Tensor, n: usize) -> Result<Var> {
        self.check("scatter_add_rows", &[x])?;
        let v = scatter_add_rows(&x.value, idx, n)?;
        Ok(self.push(v, Op::ScatterAddRows(x.id, idx.clone(), n)))
    }

    /// Segment pooling: row `s` of the [s, f] result folds rows `offsets[s]..offsets[s+1]` of x
    /// with sum, mean or max (max backward routes through the argmax). The offsets must be
    /// non-decreasing with `offsets[s]` = rows of x, as [`segment_reduce`] requires: it checks
    /// only their shape, and overlapping segments give meaningless values and gradients.
    pub fn segment_pool(&mut self, x: &Var, offsets: &Tensor, op: ReduceOp) -> Result<Var> {
        self.check("segment_pool", &[x])?;
        let (v, argmax) = segment_reduce(&x.value, offsets, op)?;
        Ok(self.push(
            v,
            Op::SegmentReduce {
                x: x.id,
                offsets: offsets.clone(),
                op,
                argmax,
            },
        ))
    }

    /// Pooling over all rows of x ([n, f] -> [1, f]) with sum, mean or max.
    pub fn pool_rows(&mut self, x: &Var, op: ReduceOp) -> Result<Var> {
        let n = *x.shape().first().unwrap_or(&0);
        let offsets = Tensor::from_u32(&self.gpu, &[2], &[0, n as u32])?;
        self.segment_pool(x, &offsets, op)
    }

    /// Sum of all elements, shape `[1]`.
    pub fn sum_all(&mut self, x: &Var) -> Result<Var> {
        self.check("sum_all", &[x])?;
        let v = sum_all(&x.value)?;
        Ok(self.push(v, Op::SumAll(x.id)))
    }

    /// Softmax cross-entropy of logits `[r, c]` against u32 labels `[r]`, averaged with the row
    /// weights `mask` (Σ w·nll / Σ w; a 0/1 mask counts the rows marked 1; all rows alike when
    /// `None`); shape `[1]`. A label >= the number of classes is not an error: its row gets
    /// weight 0 (nothing is read back to check the labels; validate them on the host, as the
    /// loaders do).
    pub fn softmax_cross_entropy(
        &mut self,
        logits: &Var,
        labels: &Tensor,
        mask: Option<&Tensor>,
    ) -> Result<Var> {
        self.check("softmax_cross_entropy", &[logits])?;
        let (loss, grad) = softmax_cross_entropy(&logits.value, labels, mask)?;
        Ok(self.push(loss, Op::SoftmaxCrossEntropy(logits.id, grad)))
    }

    /// L2 penalty coeff * Σ x², shape `[1]`.
    pub fn l2_penalty(&mut self, x: &Var, coeff: f32) -> Result<Var> {
        self.check("l2_penalty", &[x])?;
        let v = ew::scale(&sum_all(&ew::unary(&x.value, Unary::Square)?)?, coeff)?;
        Ok(self.push(v, Op::L2(x.id, coeff)))
    }

    /// Frobenius penalty coeff * sqrt(Σ x²), shape `[1]`. The norm is formed from x divided by
    /// max |x|, so it is right wherever it is representable, also where Σ x² itself would
    /// overflow or underflow f32 (from ‖x‖ ≈ 1.8e19, below ‖x‖ ≈ 1e-19).
    pub fn frobenius_penalty(&mut self, x: &Var, coeff: f32) -> Result<Var> {
        self.check("frobenius_penalty", &[x])?;
        let (_, rn, s) = scaled_norm(&x.value)?;
        // coeff is applied before s, so a small coeff keeps a norm past f32::MAX finite.
        let v = ew::mul(&ew::scale(&rn, coeff)?, &s)?;
        Ok(self.push(v, Op::Frobenius(x.id, coeff)))
    }

    /// Sparse A · X for a constant CSR matrix A [n, m] and X [m, f]; the backward pass runs
    /// Aᵀ · G through the transpose structure built with A (nothing is transposed per step).
    pub fn spmm(&mut self, a: &Csr, x: &Var) -> Result<Var> {
        self.check("spmm", &[x])?;
        let v = spmm(a, &x.value)?;
        Ok(self.push(v, Op::Spmm(x.id, Box::new(a.clone()))))
    }

    /// Inverted dropout of the stored values of a constant sparse matrix (tkipf/gcn's
    /// `sparse_dropout`): a new [`Csr`] with the same pattern and each value zeroed with
    /// probability `p`, else scaled by 1 / (1 - p); the matrix itself unchanged in evaluation mode.
    /// As for [`Tape::dropout`], a `p` outside [0, 1) is [`Error::InvalidInput`] in both modes.
    pub fn sparse_dropout(&mut self, a: &Csr, p: f32) -> Result<Csr> {
        check_drop_probability("sparse_dropout", p)?;
        // Checked before the dropout counter moves, so a refused call leaves later masks as
        // they were.
        self.gpu
            .check_same_device("sparse_dropout", "the sparse matrix", a.gpu())?;
        if !self.training || p == 0.0 || a.nnz() == 0 {
            return Ok(a.clone());
        }
        self.dropout_calls += 1;
        let seed = self
            .seed
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(self.dropout_calls);
        let mask = dropout_mask(&self.gpu, &[a.nnz()], p, seed)?;
        a.with_values(ew::mul(&a.values, &mask)?)
    }
}

/// The Euclidean norm of the f32 tensor `x` as `(r, rn, s)` with ‖x‖ = rn · s: `s` (`[1]`) is
/// max |x| clamped to [`f32::MIN_POSITIVE`], [`f32::MAX`], `r` = x / s (shaped like x, every
/// |r| <= 1) and `rn` = sqrt(Σ r²) (`[1]`, at least 1 unless x = 0, where r and rn are 0).
/// Σ x² itself overflows f32 from ‖x‖ ≈ 1.8e19 and underflows to 0 below ‖x‖ ≈ 1e-19, where
/// the norm and the direction r / rn are still representable; the clamp keeps 0 / 0 out for
/// x = 0 and ∞ / ∞ out for an infinite entry (whose norm stays ∞).
pub(super) fn scaled_norm(x: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let gpu = x.gpu();
    let scalar = |v: f32| Tensor::from_f32(gpu, &[1], &[v]);
    let abs = ew::unary(&x.reshape(&[1, x.numel()])?, Unary::Abs)?;
    let s = reduce_rows(&abs, ReduceOp::Max)?;
    let s = ew::binary(&s, &scalar(f32::MIN_POSITIVE)?, Binary::Max)?;
    let s = ew::binary(&s, &scalar(f32::MAX)?, Binary::Min)?;
    let r = ew::binary(x, &s, Binary::Div)?;
    let rn = ew::unary(&sum_all(&ew::unary(&r, Unary::Square)?)?, Unary::Sqrt)?;
    Ok((r, rn, s))
}

/// [`Error::InvalidInput`] unless the drop probability `p` of `op` is in [0, 1) (at 1 the
/// 1 / (1 - p) scale is infinite).
fn check_drop_probability(op: &str, p: f32) -> Result<()> {
    if !(0.0..1.0).contains(&p) {
        return Err(Error::InvalidInput(format!(
            "{op}: drop probability {p} must be in [0, 1)"
        )));
    }
    Ok(())
}
