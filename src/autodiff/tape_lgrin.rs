//! Tape ops of the graph inception network: reshape, batch normalisation over rows, PReLU,
//! 1-hop neighbour max, Ψ pooling and the adjacency structure loss. Batch norm and neighbour max
//! are their own ops; the others are compositions of existing ops.

use super::tape::{Op, Tape, Var};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::elementwise::{self as ew, Unary};
use crate::kernels::neighbor_max::masked_max;
use crate::kernels::reduce::{reduce_cols, ReduceOp};
use crate::tensor::{DType, Tensor};

/// Running statistics of one batch-norm layer (per column), updated in training mode as
/// `running = (1 - momentum) running + momentum batch` with the unbiased batch variance
/// (PyTorch's convention) and used in evaluation mode.
#[derive(Clone, Debug)]
pub struct BatchNormStats {
    /// f32 `[cols]` running mean (starts at 0).
    pub running_mean: Tensor,
    /// f32 `[cols]` running variance (starts at 1).
    pub running_var: Tensor,
    /// Weight of the new batch in the running update.
    pub momentum: f32,
    /// Added to the variance before the square root.
    pub eps: f32,
}

impl BatchNormStats {
    /// Fresh statistics for `cols` columns with PyTorch's defaults (momentum 0.1, eps 1e-5).
    pub fn new(gpu: &Gpu, cols: usize) -> Result<Self> {
        Ok(BatchNormStats {
            running_mean: Tensor::zeros(gpu, &[cols], DType::F32)?,
            running_var: Tensor::from_f32(gpu, &[cols], &vec![1.0; cols])?,
            momentum: 0.1,
            eps: 1e-5,
        })
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.running_mean.numel()
    }
}

/// Gradient of the non-affine batch norm: with batch statistics
/// dx = invstd (g - mean(g) - x̂ mean(g x̂)) per column, with running statistics dx = g invstd.
pub(crate) fn batch_norm_backward(
    g: &Tensor,
    xhat: &Tensor,
    invstd: &Tensor,
    batch_stats: bool,
) -> Result<Tensor> {
    if !batch_stats {
        return ew::mul(g, invstd);
    }
    let gm = reduce_cols(g, ReduceOp::Mean)?;
    let gx = reduce_cols(&ew::mul(g, xhat)?, ReduceOp::Mean)?;
    let centred = ew::sub(&ew::sub(g, &gm)?, &ew::mul(xhat, &gx)?)?;
    ew::mul(&centred, invstd)
}

impl Tape {
    /// The same data with a new shape (same number of elements).
    pub fn reshape(&mut self, x: &Var, shape: &[usize]) -> Result<Var> {
        self.check("reshape", &[x])?;
        let v = x.value.reshape(shape)?;
        Ok(self.push(v, Op::Reshape(x.id)))
    }

    /// Batch normalisation over the rows of x [n, c] without affine parameters. A training tape
    /// normalises with the batch mean and (biased) variance and updates `stats`; an evaluation
    /// tape uses the running statistics. Affine scale and shift compose with [`Tape::mul`] and
    /// [`Tape::add`] (see [`Tape::batch_norm_affine`]). [`Error::InvalidInput`] for a `stats`
    /// momentum outside [0, 1] or an eps that is not a finite number > 0; a shape error for a
    /// running variance of another length than the running mean, for an x whose last dimension
    /// is not the layer's width, and for fewer than 2 rows on a training tape (the unbiased
    /// variance of one row is undefined). A refused call leaves `stats` as they were.
    pub fn batch_norm(&mut self, x: &Var, stats: &mut BatchNormStats) -> Result<Var> {
        self.check("batch_norm", &[x])?;
        // Checked first: a training step updates the running statistics before its last kernel.
        for (what, t) in [
            ("the running mean", &stats.running_mean),
            ("the running variance", &stats.running_var),
        ] {
            self.gpu.check_same_device("batch_norm", what, t.gpu())?;
            t.expect_dtype("batch_norm", DType::F32)?;
        }
        if stats.running_var.numel() != stats.cols() {
            return Err(Error::shape(
                "batch_norm",
                format!(
                    "the running variance {:?} must have one entry per column of the running \
                     mean {:?}",
                    stats.running_var.shape(),
                    stats.running_mean.shape()
                ),
            ));
        }
        if !((0.0..=1.0).contains(&stats.momentum) && stats.eps.is_finite() && stats.eps > 0.0) {
            return Err(Error::InvalidInput(format!(
                "batch_norm: momentum must be in [0, 1] and eps a finite number > 0, got {} and {}",
                stats.momentum, stats.eps
            )));
        }
        let (n, c) = x.value.matrix_dims();
        if c != stats.cols() {
            return Err(Error::shape(
                "batch_norm",
                format!("input has {c} columns, the layer {}", stats.cols()),
            ));
        }
        let x2 = x.value.reshape(&[n, c])?;
        let (centred, invstd) = if self.training {
            if n < 2 {
                return Err(Error::shape(
                    "batch_norm",
                    format!("training mode needs at least 2 rows, got {n}"),
                ));
            }
            let mean = reduce_cols(&x2, ReduceOp::Mean)?;
            let centred = ew::sub(&x2, &mean)?;
            let var = reduce_cols(&ew::unary(&centred, Unary::Square)?, ReduceOp::Mean)?;
            let invstd = ew::unary(
                &ew::unary(&ew::affine(&var, 1.0, stats.eps)?, Unary::Sqrt)?,
                Unary::Recip,
            )?;
            let m = stats.momentum;
            stats.running_mean = ew::add(
                &ew::scale(&stats.running_mean, 1.0 - m)?,
                &ew::scale(&mean, m)?,
            )?;
            let unbiased = n as f32 / (n - 1) as f32;
            stats.running_var = ew::add(
                &ew::scale(&stats.running_var, 1.0 - m)?,
                &ew::scale(&var, m * unbiased)?,
            )?;
            (centred, invstd)
        } else {
            let centred = ew::sub(&x2, &stats.running_mean)?;
            let invstd = ew::unary(
                &ew::unary(
                    &ew::affine(&stats.running_var, 1.0, stats.eps)?,
                    Unary::Sqrt,
                )?,
                Unary::Recip,
            )?;
            (centred, invstd)
        };
        let v = ew::mul(&centred, &invstd)?.reshape(x.shape())?;
        Ok(self.push(
            v,
            Op::BatchNorm {
                x: x.id,
                invstd,
                batch_stats: self.training,
            },
        ))
    }

    /// Batch norm followed by the per-column affine map x̂ γ + β (γ, β row vectors `[c]`). A γ
    /// or β that `mul` or `add` would refuse (another shape, a dtype other than f32) is refused
    /// before the batch norm runs, so it leaves `stats` as they were.
    pub fn batch_norm_affine(
        &mut self,
        x: &Var,
        stats: &mut BatchNormStats,
        gamma: &Var,
        beta: &Var,
    ) -> Result<Var> {
        self.check("batch_norm_affine", &[x, gamma, beta])?;
        // The batch norm of a training tape updates the running statistics: check first.
        for v in [gamma, beta] {
            Self::check_broadcast("batch_norm_affine", x, v)?;
            v.value.expect_dtype("batch_norm_affine", DType::F32)?;
        }
        let xhat = self.batch_norm(x, stats)?;
        let scaled = self.mul(&xhat, gamma)?;
        self.add(&scaled, beta)
    }

    /// PReLU with a learnable slope per column: max(x, 0) + a min(x, 0), a a row vector `[c]`.
    /// A slope that `mul` would refuse (no row vector of x's width, a dtype other than f32), or
    /// an x of another dtype, is refused before the first of its nodes is recorded.
    pub fn prelu(&mut self, x: &Var, slope: &Var) -> Result<Var> {
        self.check("prelu", &[x, slope])?;
        Self::check_broadcast("prelu", x, slope)?;
        for v in [x, slope] {
            v.value.expect_dtype("prelu", DType::F32)?;
        }
        let pos = self.relu(x)?;
        let neg = self.sub(x, &pos)?;
        let scaled = self.mul(&neg, slope)?;
        self.add(&pos, &scaled)
    }

    /// 1-hop neighbour max of node-major features h [m, c]: out[i, :] = max over j with
    /// mask[i, j] > 0 of h[j, :] (0 for a node without neighbours). The mask is a constant; the
    /// gradient goes to each maximum's row.
    pub fn neighbor_max(&mut self, mask: &Tensor, h: &Var) -> Result<Var> {
        self.check("neighbor_max", &[h])?;
        let (v, arg) = masked_max(mask, &h.value)?;
        Ok(self.push(v, Op::NeighborMax(h.id, arg, mask.clone())))
    }

    /// Ψ pooling of node-major features h `[m, c]` with p `[m]` (or `[m, 1]`): pᵀ h, the paper's
    /// hᵀ p laid out as a row, shape `[1, c]`. Both are f32; an h that is not a matrix or a p
    /// of another length is a shape error, found before anything is recorded.
    pub fn psi_pool(&mut self, h: &Var, p: &Var) -> Result<Var> {
        self.check("psi_pool", &[h, p])?;
        let m = match h.shape() {
            [m, _] => *m,
            s => {
                return Err(Error::shape(
                    "psi_pool",
                    format!("h must be a [m, c] matrix, got {s:?}"),
                ))
            }
        };
        if p.value.numel() != m {
            return Err(Error::shape(
                "psi_pool",
                format!("p {:?} must have one weight per node ({m})", p.shape()),
            ));
        }
        for v in [h, p] {
            v.value.expect_dtype("psi_pool", DType::F32)?;
        }
        let pc = self.reshape(p, &[m, 1])?;
        self.matmul_tn(&pc, h)
    }

    /// Adjacency structure loss of a learned graph:
    /// λ_s (Σ ReLU(A) ⊙ A_d + Σ ReLU(A)²) / k + λ_p Σ p² / k_p, where `relu_a` is ReLU(A) [m, m],
    /// `a_d` the constant distance penalty (shaped like ReLU(A); another shape is an error) and
    /// k = m², k_p = m when `means` (the reference code) or 1 (the paper's sums). `p` is left
    /// out when `None`. ReLU(A), the penalty and p are f32; anything refused is refused before
    /// the loss records its first node.
    pub fn structure_loss(
        &mut self,
        relu_a: &Var,
        a_d: &Tensor,
        p: Option<&Var>,
        lambda_struct: f32,
        lambda_p: f32,
        means: bool,
    ) -> Result<Var> {
        self.check("structure_loss", &[relu_a])?;
        if let Some(p) = p {
            self.check("structure_loss", &[p])?;
        }
        // Checked first: the loss records tape nodes before its first kernel reads `a_d`.
        self.gpu
            .check_same_device("structure_loss", "the distance penalty", a_d.gpu())?;
        // `mul` would broadcast a row vector; the distance penalty weighs every entry of A.
        if a_d.shape() != relu_a.shape() {
            return Err(Error::shape(
                "structure_loss",
                format!(
                    "distance penalty {:?} must have the shape of ReLU(A) {:?}",
                    a_d.shape(),
                    relu_a.shape()
                ),
            ));
        }
        relu_a.value.expect_dtype("structure_loss", DType::F32)?;
        a_d.expect_dtype("structure_loss", DType::F32)?;
        if let Some(p) = p {
            p.value.expect_dtype("structure_loss", DType::F32)?;
        }
        let k = if means {
            relu_a.value.numel() as f32
        } else {
            1.0
        };
        let ad = self.constant(a_d);
        let weighted = self.mul(relu_a, &ad)?;
        let dist = self.sum_all(&weighted)?;
        let dist = self.scale(&dist, lambda_struct / k)?;
        let sq = self.l2_penalty(relu_a, lambda_struct / k)?;
        let mut total = self.add(&dist, &sq)?;
        if let Some(p) = p {
            let kp = if means { p.value.numel() as f32 } else { 1.0 };
            let pen = self.l2_penalty(p, lambda_p / kp)?;
            total = self.add(&total, &pen)?;
        }
        Ok(total)
    }
}
