//! Conductance-based LIF groups (`shaders/lif.wgsl`) and their f64 CPU reference.
//!
//! tau dV/dt = (E_rest - V) + ge (E_exc - V) + gi (E_inh - V), ge and gi decay exponentially,
//! the threshold `v_thresh - theta_offset + theta` adapts (+theta_plus per spike, exponential
//! decay), V is held during the refractory period and reset after a spike. Forward Euler, as
//! Brian integrates these equations.
//!
//! Refractoriness follows Brian: a neuron that spiked at step t is free again once
//! t' - t >= `refr_steps` (the refractory period in whole steps). After a spike at step t it is
//! held for steps t+1 .. t+refr_steps-1 and may fire again at t+refr_steps, so the shortest
//! interval between two spikes is exactly the refractory period: 10 steps = 5 ms for the
//! excitatory group and 4 steps = 2 ms for the inhibitory one at dt 0.5 ms. The countdown in
//! the flags therefore restarts at `refr_steps - 1` on a spike (0 for a one-step period: the
//! neuron is free on the very next step, as in Brian).
//!
//! Bytes per neuron-step on the GPU: 20 read + 20 written.
//!
//! Theta decays once every `theta_every` steps by `theta_every * dt / tau_theta`: with the
//! default tau_theta = 1e7 ms the per-step decrement (~1e-6 mV at theta = 20 mV) is below half
//! an f32 ulp, so a per-step f32 update would round it to 0 or to a whole ulp (a 2x error).
//! The reference uses the same schedule.

use bytemuck::{Pod, Zeroable};

use super::config::NeuronConfig;
use crate::error::{Error, Result};
use crate::gpu::grid::WORKGROUP_1D;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Flag bit set in a neuron's flags word when it spiked in the last step.
pub const SPIKE_BIT: u32 = 0x8000_0000;

/// Bits of a neuron's flags that hold its refractory countdown in steps; a refractory period
/// is at most this many steps (checked by [`crate::snn::Config::validate`]).
pub const REFRACTORY_MASK: u32 = 0x7fff_ffff;

/// Per-step constants of one group, derived from a [`NeuronConfig`] and dt.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct LifParams {
    /// Neurons in the dispatch (clips x group size).
    pub n: u32,
    /// Refractory period in whole steps (>= 1): after a spike at step t the neuron may fire
    /// again from step t + refr_steps; its countdown restarts at `refr_steps - 1`.
    pub refr_steps: u32,
    /// Current step (selects the steps on which theta decays).
    pub step: u32,
    /// Theta decays on steps that are multiples of this.
    pub theta_every: u32,
    /// Resting potential (mV).
    pub v_rest: f32,
    /// Reset potential (mV).
    pub v_reset: f32,
    /// v_thresh - theta_offset (mV).
    pub v_th: f32,
    /// Excitatory reversal potential (mV).
    pub e_exc: f32,
    /// Inhibitory reversal potential (mV).
    pub e_inh: f32,
    /// dt / tau (dimensionless).
    pub k_v: f32,
    /// dt / tau_ge.
    pub k_ge: f32,
    /// dt / tau_gi.
    pub k_gi: f32,
    /// Threshold increment per spike (mV).
    pub theta_plus: f32,
    /// theta_every * dt / tau_theta.
    pub k_theta: f32,
    pad1: [f32; 2],
}

impl LifParams {
    /// Constants for `n` neurons of group `c` at step `dt_ms` (ms).
    pub fn new(c: &NeuronConfig, dt_ms: f64, n: u32) -> Self {
        let k = dt_ms / c.tau_theta_ms;
        let theta_every = theta_decay_every(c.tau_theta_ms, dt_ms);
        LifParams {
            n,
            refr_steps: ((c.refractory_ms / dt_ms).round() as u32).max(1),
            step: 0,
            theta_every,
            v_rest: c.v_rest as f32,
            v_reset: c.v_reset as f32,
            v_th: (c.v_thresh - c.theta_offset) as f32,
            e_exc: c.e_exc as f32,
            e_inh: c.e_inh as f32,
            k_v: (dt_ms / c.tau_ms) as f32,
            k_ge: (dt_ms / c.tau_ge_ms) as f32,
            k_gi: (dt_ms / c.tau_gi_ms) as f32,
            theta_plus: c.theta_plus as f32,
            k_theta: (k * f64::from(theta_every)) as f32,
            pad1: [0.0; 2],
        }
    }
}

/// Steps between two theta decays for threshold time constant `tau_theta_ms` at step `dt_ms`:
/// the smallest interval whose decay factor `every * dt / tau_theta` is >= 2^-12, resolvable in
/// f32 at theta ~ 1..100 mV (1 to 1,000,000 steps).
pub fn theta_decay_every(tau_theta_ms: f64, dt_ms: f64) -> u32 {
    (2f64.powi(-12) / (dt_ms / tau_theta_ms))
        .ceil()
        .clamp(1.0, 1e6) as u32
}

/// f32 values of each neuron's state: (v mV, ge, gi, theta mV).
pub const STATE_VALUES: usize = 4;

/// State of one group on the GPU: `state` `[n, 4]` f32 = (v mV, ge, gi, theta mV) and `flags` `[n]`
/// u32 (bits 0..30 refractory countdown in steps, bit 31 spiked in the last step).
pub struct GroupState {
    /// (v, ge, gi, theta) per neuron.
    pub state: Tensor,
    /// Refractory countdown and spike bit per neuron.
    pub flags: Tensor,
}

impl GroupState {
    /// `n` neurons at potential `v0` (mV) with zero conductances and threshold offset `theta0` (mV).
    pub fn at_rest(gpu: &Gpu, n: usize, v0: f32, theta0: f32) -> Result<Self> {
        let host: Vec<f32> = (0..n).flat_map(|_| [v0, 0.0, 0.0, theta0]).collect();
        Self::from_host(gpu, &host, &vec![0; n])
    }

    /// Upload `state` (4 f32 per neuron) and `flags`.
    pub fn from_host(gpu: &Gpu, state: &[f32], flags: &[u32]) -> Result<Self> {
        Ok(GroupState {
            state: Tensor::from_f32(gpu, &[flags.len(), STATE_VALUES], state)?,
            flags: Tensor::from_u32(gpu, &[flags.len()], flags)?,
        })
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.flags.numel()
    }

    /// True for an empty group.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fail with [`crate::Error::Shape`] (naming `op`) unless `state` holds
    /// [`STATE_VALUES`] f32 per neuron of `flags` (u32): the fields are public, and a kernel
    /// given fewer states than flags would read and write past the state buffer.
    pub fn check(&self, op: &str) -> Result<()> {
        self.state.expect_dtype(op, DType::F32)?;
        self.flags.expect_dtype(op, DType::U32)?;
        if self.state.numel() != STATE_VALUES * self.flags.numel() {
            return Err(Error::shape(
                op,
                format!(
                    "neuron state {:?} does not hold {STATE_VALUES} values for each of the {} \
                     neurons of its flags",
                    self.state.shape(),
                    self.flags.numel()
                ),
            ));
        }
        Ok(())
    }

    /// Read back (state, flags).
    pub fn to_host(&self) -> Result<(Vec<f32>, Vec<u32>)> {
        Ok((self.state.to_f32()?, self.flags.to_u32()?))
    }
}

/// Record one LIF step of every neuron of `g` (no readback).
pub fn lif_step(gpu: &Gpu, g: &GroupState, p: &LifParams) -> Result<()> {
    g.check("lif_step")?;
    let mut p = *p;
    p.n = super::check_len("lif_step", g.len())?;
    let groups = gpu.grid(g.len() as u64, WORKGROUP_1D)?;
    gpu.dispatch(
        "lif_step",
        &Kernel::new(Shader::Lif, "lif_step"),
        &p,
        &[g.state.binding_mut()?, g.flags.binding_mut()?],
        groups,
    )
}

/// f64 reference of one step on host state (4 values per neuron) and flags, same phases as the
/// kernel.
pub fn lif_step_reference(p: &LifParams, state: &mut [f64], flags: &mut [u32]) {
    let f = |x: f32| f64::from(x);
    for (s, fl) in state.chunks_exact_mut(4).zip(flags.iter_mut()) {
        let (v0, ge0, gi0, th0) = (s[0], s[1], s[2], s[3]);
        let r = *fl & REFRACTORY_MASK;
        let free = r == 0;
        // Integrate (Euler, from the old values), held while refractory.
        let dv =
            f(p.k_v) * ((f(p.v_rest) - v0) + ge0 * (f(p.e_exc) - v0) + gi0 * (f(p.e_inh) - v0));
        let mut v = if free { v0 + dv } else { v0 };
        // Decay.
        let ge = ge0 - f(p.k_ge) * ge0;
        let gi = gi0 - f(p.k_gi) * gi0;
        let due = p.step % p.theta_every.max(1) == 0;
        let mut theta = if due { th0 - f(p.k_theta) * th0 } else { th0 };
        // Spike and reset.
        let spike = free && v > f(p.v_th) + theta;
        let mut r_next = r.saturating_sub(1);
        if spike {
            v = f(p.v_reset);
            theta += f(p.theta_plus);
            r_next = p.refr_steps.max(1) - 1;
        }
        s.copy_from_slice(&[v, ge, gi, theta]);
        *fl = r_next | if spike { SPIKE_BIT } else { 0 };
    }
}
