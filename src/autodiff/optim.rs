//! Optimizers over every parameter of a [`ParamStore`], one WGSL dispatch per parameter tensor
//! recorded in a single batch (`shaders/optim.wgsl`); nothing is read back. Weight decay is L2
//! added to the gradient (as in tkipf/gcn and PyTorch's `weight_decay`), taken per parameter
//! from the store.

use bytemuck::{Pod, Zeroable};

use super::params::{ParamId, ParamStore};
use crate::error::Result;
use crate::gpu::{Kernel, Shader};
use crate::kernels::{check_u32, grid_for};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    wd: f32,
    c1: f32,
    c2: f32,
}

/// A learning-rate schedule, evaluated per epoch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum LrSchedule {
    /// The base rate throughout.
    Constant,
    /// StepLR: base * gamma^(epoch / step) (integer division).
    Step {
        /// Epochs per decay.
        step: usize,
        /// Decay factor.
        gamma: f32,
    },
}

impl LrSchedule {
    /// The learning rate at `epoch` (0-based) for base rate `base`.
    pub fn lr(&self, base: f32, epoch: usize) -> f32 {
        match *self {
            LrSchedule::Constant => base,
            LrSchedule::Step { step, gamma } => base * gamma.powi((epoch / step.max(1)) as i32),
        }
    }
}

/// Adam (Kingma & Ba) with bias correction and L2 weight decay. Each parameter counts its own
/// updates for the bias correction, so one that had no gradient in some steps (as in PyTorch)
/// is corrected by the number of updates it received, not by the optimizer's step count.
pub struct Adam {
    /// Learning rate.
    pub lr: f32,
    /// First-moment decay.
    pub beta1: f32,
    /// Second-moment decay.
    pub beta2: f32,
    /// Denominator epsilon.
    pub eps: f32,
    t: u32,
    /// Per parameter: first moment, second moment, updates received.
    state: Vec<(Tensor, Tensor, u32)>,
}

impl Adam {
    /// Adam with the usual defaults (beta1 0.9, beta2 0.999, eps 1e-8).
    pub fn new(lr: f32) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            state: Vec::new(),
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.t
    }

    /// Updates parameter `id` has received (it is skipped in steps where it has no gradient).
    pub fn updates_of(&self, id: ParamId) -> u32 {
        self.state.get(id.0).map_or(0, |s| s.2)
    }

    /// One update of every parameter that has a gradient.
    pub fn step(&mut self, store: &mut ParamStore) -> Result<()> {
        self.t += 1;
        for id in store.ids() {
            let w = store.value(id);
            if self.state.len() <= id.0 {
                let gpu = w.gpu();
                self.state.push((
                    Tensor::zeros(gpu, w.shape(), DType::F32)?,
                    Tensor::zeros(gpu, w.shape(), DType::F32)?,
                    0,
                ));
            }
            let Some(g) = store.grad(id) else { continue };
            let (m, v, t) = &mut self.state[id.0];
            *t += 1;
            let c1 = 1.0 - self.beta1.powi(*t as i32);
            let c2 = 1.0 - self.beta2.powi(*t as i32);
            let params = Params {
                n: check_u32("adam_step", w.numel())?,
                lr: self.lr,
                beta1: self.beta1,
                beta2: self.beta2,
                eps: self.eps,
                wd: store.weight_decay(id),
                c1,
                c2,
            };
            let gpu = w.gpu();
            gpu.dispatch(
                "adam_step",
                &Kernel::new(Shader::Optim, "adam_step"),
                &params,
                &[
                    w.binding_mut()?,
                    g.binding()?,
                    m.binding_mut()?,
                    v.binding_mut()?,
                ],
                grid_for(gpu, w.numel())?,
            )?;
        }
        Ok(())
    }
}

/// Stochastic gradient descent with optional momentum and L2 weight decay.
pub struct Sgd {
    /// Learning rate.
    pub lr: f32,
    /// Momentum (0 for plain SGD).
    pub momentum: f32,
    state: Vec<Tensor>,
}

impl Sgd {
    /// SGD with the given rate and momentum.
    pub fn new(lr: f32, momentum: f32) -> Self {
        Sgd {
            lr,
            momentum,
            state: Vec::new(),
        }
    }

    /// One update of every parameter that has a gradient.
    pub fn step(&mut self, store: &mut ParamStore) -> Result<()> {
        for id in store.ids() {
            let w = store.value(id);
            if self.state.len() <= id.0 {
                self.state
                    .push(Tensor::zeros(w.gpu(), w.shape(), DType::F32)?);
            }
            let Some(g) = store.grad(id) else { continue };
            let buf = &self.state[id.0];
            let params = Params {
                n: check_u32("sgd_step", w.numel())?,
                lr: self.lr,
                beta1: self.momentum,
                beta2: 0.0,
                eps: 0.0,
                wd: store.weight_decay(id),
                c1: 1.0,
                c2: 1.0,
            };
            let gpu = w.gpu();
            gpu.dispatch(
                "sgd_step",
                &Kernel::new(Shader::Optim, "sgd_step"),
                &params,
                &[w.binding_mut()?, g.binding()?, buf.binding_mut()?],
                grid_for(gpu, w.numel())?,
            )?;
        }
        Ok(())
    }
}
