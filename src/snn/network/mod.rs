//! The multi-modal network: per modality an input group -> excitatory group (locally-connected
//! windows) -> inhibitory group (one-to-one) -> lateral inhibition of every excitatory neuron of
//! the modality but the partner, cross-modal excitatory links, and per-modality input delays
//! through a ring buffer. Populations hold all modalities of a clip back to back and all clips
//! back to back (neuron = clip * n + modality * n_mod + i). `run` records every dispatch in the
//! current batch; nothing is read back until the spike record is.

mod build;
mod names;
mod state;
mod step;
mod weights;

pub use names::{GroupName, GROUP_EXC, GROUP_INH};
pub use weights::Weights;

use super::config::Config;
use super::neurons::{GroupState, LifParams};
use super::stdp::StdpParams;
use super::synapses::SpikeLists;
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// What drives the inputs each step.
pub enum Input<'a> {
    /// Poisson rates (Hz) [clips * n_in].
    Rates(&'a Tensor),
    /// Bitmask schedule from [`super::encoding::SpikeList::upload`], the same for every clip,
    /// and the steps it covers; its width must match the network's input count.
    Schedule(&'a Tensor, u32),
}

/// The network on the GPU for `clips` clips simulated in parallel.
pub struct Network {
    gpu: Gpu,
    cfg: Config,
    /// Clips simulated together.
    pub clips: usize,
    /// Inputs per clip (all modalities).
    pub n_in: usize,
    /// Excitatory (= inhibitory) neurons per clip.
    pub n_e: usize,
    /// Excitatory population state.
    pub exc: GroupState,
    /// Inhibitory population state.
    pub inh: GroupState,
    ring: Tensor,
    slots: u32,
    streams: Tensor,
    delays: [Tensor; 2],
    lists: [SpikeLists; 3],
    /// Input -> excitatory weights [n_in, n_e].
    pub w_in: Tensor,
    mask_in: Tensor,
    w_ei: Tensor,
    w_ie: Tensor,
    w_cross: Option<Tensor>,
    tr_pre: Tensor,
    tr_post: Tensor,
    /// (v_rest, 0, 0) per excitatory neuron `[clips * n_e, 3]`: the reset's first three state
    /// columns (theta, the fourth, is kept).
    exc_rest: Tensor,
    /// The inhibitory state at rest `[clips * n_e, 4]`: (v_rest, 0, 0, theta_init).
    inh_rest: Tensor,
    lif: [LifParams; 2],
    stdp: StdpParams,
    /// Whether inhibitory spikes go to the spike record (excitatory ones always do).
    record_inh: bool,
    /// Steps simulated so far.
    pub step: u32,
}
