//! Optimizers over every parameter of a [`ParamStore`], one WGSL dispatch per parameter tensor
//! recorded in a single batch (`shaders/optim.wgsl`); nothing is read back. Weight decay is L2
//! added to the gradient (as in tkipf/gcn and PyTorch's `weight_decay`), taken per parameter
//! from the store.

use bytemuck::{Pod, Zeroable};

use super::params::{ParamId, ParamStore};
use crate::error::{Error, Result};
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

/// [`Error::InvalidInput`] naming `op` unless every `(name, value, below_one)` is finite and
/// non-negative (and below 1 where `below_one`), and every weight decay in `store` is finite and
/// non-negative, as PyTorch's optimizers require. Checked before a step changes anything: a
/// negative rate or decay would climb the loss and a NaN one would turn every weight into NaN.
fn check_hyper(op: &str, values: &[(&str, f32, bool)], store: &ParamStore) -> Result<()> {
    let bad = |name: &str, v: f32, below_one: bool| {
        let range = if below_one {
            "in [0, 1)"
        } else {
            "finite and >= 0"
        };
        Err(Error::InvalidInput(format!(
            "{op}: {name} is {v}; it must be {range}"
        )))
    };
    let ok = |v: f32, below_one: bool| v.is_finite() && v >= 0.0 && (!below_one || v < 1.0);
    for &(name, v, below_one) in values {
        if !ok(v, below_one) {
            return bad(name, v, below_one);
        }
    }
    for id in store.ids() {
        let wd = store.weight_decay(id);
        if !ok(wd, false) {
            return bad(
                &format!("the weight decay of '{}'", store.name(id)),
                wd,
                false,
            );
        }
    }
    Ok(())
}

/// [`Error::InvalidInput`] naming `op` when the optimizer's state belongs to another store than
/// `store` (`bound`: the store of its first step). Its moments and update counts are kept per
/// parameter index, so stepping another store would apply them to unrelated parameters (and
/// index past them where that store's tensors are larger).
fn check_store(op: &str, bound: Option<u64>, store: &ParamStore) -> Result<()> {
    if bound.is_some_and(|s| s != store.store_id()) {
        return Err(Error::InvalidInput(format!(
            "{op}: this optimizer's state belongs to another parameter store; use a new \
             optimizer for each store"
        )));
    }
    Ok(())
}

/// [`Error::Unsupported`] naming `op` and the parameter when a parameter with a gradient
/// cannot be updated in place (a view at a byte offset the device cannot bind for writing), or
/// the error of one too large for a kernel. Checked before a step changes anything, so a step
/// never stops after updating some of the parameters.
fn check_writable(op: &str, store: &ParamStore) -> Result<()> {
    for id in store.ids().filter(|&id| store.grad(id).is_some()) {
        let w = store.value(id);
        check_u32(op, w.numel())?;
        if let Err(e) = w.binding_mut() {
            let why = match e {
                Error::Unsupported(m) => m,
                other => other.to_string(),
            };
            return Err(Error::Unsupported(format!(
                "{op}: parameter '{}': {why}",
                store.name(id)
            )));
        }
    }
    Ok(())
}

/// A learning-rate schedule, evaluated per epoch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum LrSchedule {
    /// The base rate throughout.
    Constant,
    /// StepLR: base * gamma^(epoch / step) (integer division).
    Step {
        /// Epochs per decay (0 is taken as 1: a decay every epoch).
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
            LrSchedule::Step { step, gamma } => {
                // Saturated rather than wrapped to a negative power past i32::MAX decays.
                let decays = i32::try_from(epoch / step.max(1)).unwrap_or(i32::MAX);
                base * gamma.powi(decays)
            }
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
    /// Denominator epsilon, finite and >= 0. At 0 an entry whose moments are both 0 (its
    /// gradient was always exactly 0) takes no step rather than 0 / 0.
    pub eps: f32,
    t: u32,
    /// Per parameter: first moment, second moment, updates received.
    state: Vec<(Tensor, Tensor, u32)>,
    /// Identity of the store the state belongs to (set by the first step).
    store: Option<u64>,
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
            store: None,
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

    /// One update of every parameter that has a gradient. [`Error::InvalidInput`], with nothing
    /// changed, when the rate, eps or a weight decay is negative or not finite, a beta is
    /// outside [0, 1), or `store` is not the store of the first step (the state is per store);
    /// [`Error::Unsupported`], with nothing changed, naming a parameter that cannot be updated
    /// in place (a view at a byte offset the device cannot bind for writing).
    pub fn step(&mut self, store: &mut ParamStore) -> Result<()> {
        check_hyper(
            "adam_step",
            &[
                ("lr", self.lr, false),
                ("beta1", self.beta1, true),
                ("beta2", self.beta2, true),
                ("eps", self.eps, false),
            ],
            store,
        )?;
        check_store("adam_step", self.store, store)?;
        check_writable("adam_step", store)?;
        self.store = Some(store.store_id());
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
    /// Identity of the store the state belongs to (set by the first step).
    store: Option<u64>,
}

impl Sgd {
    /// SGD with the given rate and momentum.
    pub fn new(lr: f32, momentum: f32) -> Self {
        Sgd {
            lr,
            momentum,
            state: Vec::new(),
            store: None,
        }
    }

    /// One update of every parameter that has a gradient. [`Error::InvalidInput`], with nothing
    /// changed, when the rate, the momentum or a weight decay is negative or not finite, or
    /// `store` is not the store of the first step (the momentum buffers are per store);
    /// [`Error::Unsupported`], with nothing changed, naming a parameter that cannot be updated
    /// in place (a view at a byte offset the device cannot bind for writing).
    pub fn step(&mut self, store: &mut ParamStore) -> Result<()> {
        check_hyper(
            "sgd_step",
            &[("lr", self.lr, false), ("momentum", self.momentum, false)],
            store,
        )?;
        check_store("sgd_step", self.store, store)?;
        check_writable("sgd_step", store)?;
        self.store = Some(store.store_id());
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
