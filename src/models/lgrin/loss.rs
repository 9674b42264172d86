//! The training loss of an L-GrIN or GCN baseline forward pass: cross-entropy plus the
//! structure terms of the learned adjacency A and pooling weights p, as the reference code's
//! means or the paper's sums.

use super::model::{Forward, Lgrin};
use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

impl Lgrin {
    /// Cross-entropy against u32 `labels` `[b]` plus the structure terms of the learned A and p,
    /// with (A_d)_ij = (i - j)², λ = `lambda_struct` and λ_p = `lambda_p`:
    ///
    /// * `loss_means` (reference code): λ (mean(ReLU(A) ⊙ A_d) + mean(ReLU(A)²)) + λ_p mean(p²);
    /// * otherwise (paper): λ Σ ReLU(A) ⊙ A_d + λ ‖A‖²_F + λ_p ‖p‖², where the squared
    ///   magnitude is of A itself, so negative entries are penalised too.
    ///
    /// Terms of a part that is not learned (A or p fixed) are left out.
    pub fn loss(&self, tape: &mut Tape, fwd: &Forward, labels: &Tensor) -> Result<Var> {
        let c = &self.config;
        let ce = tape.softmax_cross_entropy(&fwd.logits, labels, None)?;
        let reg = match (&fwd.relu_a, &fwd.a, &fwd.p) {
            (Some(ra), _, p) if c.loss_means => Some(tape.structure_loss(
                ra,
                &self.a_d,
                p.as_ref(),
                c.lambda_struct,
                c.lambda_p,
                true,
            )?),
            (Some(ra), Some(a), p) => {
                // `mul` would broadcast a row vector; every term weighs every entry of A.
                if ra.shape() != self.a_d.shape() || a.shape() != self.a_d.shape() {
                    return Err(Error::shape(
                        "lgrin loss",
                        format!(
                            "A {:?} and ReLU(A) {:?} must be {:?}",
                            a.shape(),
                            ra.shape(),
                            self.a_d.shape()
                        ),
                    ));
                }
                let ad = tape.constant(&self.a_d);
                let weighted = tape.mul(ra, &ad)?;
                let dist = tape.sum_all(&weighted)?;
                let dist = tape.scale(&dist, c.lambda_struct)?;
                let sq = tape.l2_penalty(a, c.lambda_struct)?;
                let mut total = tape.add(&dist, &sq)?;
                if let Some(p) = p {
                    let pen = tape.l2_penalty(p, c.lambda_p)?;
                    total = tape.add(&total, &pen)?;
                }
                Some(total)
            }
            (Some(_), None, _) => {
                return Err(Error::InvalidInput(
                    "lgrin loss: the forward pass has ReLU(A) without A".into(),
                ))
            }
            (None, _, Some(p)) => {
                let k = if c.loss_means { c.nodes as f32 } else { 1.0 };
                Some(tape.l2_penalty(p, c.lambda_p / k)?)
            }
            (None, _, None) => None,
        };
        match reg {
            Some(r) => tape.add(&ce, &r),
            None => Ok(ce),
        }
    }
}
