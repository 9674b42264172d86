//! Neural-synchrony graphs: the excitatory neurons of a clip that spiked become nodes, and two
//! nodes of the same clip are joined when they spike within a window (150 ms by default) of each
//! other. Built on the GPU from time-sorted spikes into a block-diagonal CSR over all clips, with
//! per-node features and per-clip node offsets for pooling.
//!
//! This file holds the types, the input checks and the spike order; [`build`] and its edge
//! passes are in `edges.rs`, and the node compaction in `compact.rs`.

mod compact;
mod edges;

pub use edges::build;

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Features per node: [audio, visual, position in layer, spike count, first spike time / duration].
pub const NODE_FEATURES: usize = 5;

/// One spike: clip, neuron within the clip, time in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// Clip index.
    pub clip: u32,
    /// Neuron index within the clip's excitatory layer.
    pub neuron: u32,
    /// Spike time in ms (>= 0).
    pub time_ms: f32,
}

/// Settings of synchrony-graph construction.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SynchronyConfig {
    /// Two spikes closer than this (ms, inclusive) join their neurons. The comparison allows
    /// for the rounding of f32 spike times (one f32 step of the latest time and one of the
    /// window, rounded up to an f32), so times written as step x dt
    /// (at dt = 0.1 ms, steps 1062 and 2562 are 150.000015 ms apart once rounded) are joined
    /// when a whole window of steps apart.
    pub window_ms: f32,
    /// Largest number of directed edges allowed; more is an error, not a silent cut.
    pub max_edges: u64,
}

impl SynchronyConfig {
    /// Fail unless the window is a finite number of ms >= 0 ([`Error::Config`]).
    pub fn validate(&self) -> Result<()> {
        if !(self.window_ms.is_finite() && self.window_ms >= 0.0) {
            return Err(Error::Config(format!(
                "synchrony window must be a finite number of ms >= 0, got {}",
                self.window_ms
            )));
        }
        Ok(())
    }
}

impl Default for SynchronyConfig {
    fn default() -> Self {
        Self {
            window_ms: 150.0,
            max_edges: 50_000_000,
        }
    }
}

/// Layout of the spiking layer whose spikes become a graph.
#[derive(Debug, Clone, Copy)]
pub struct Layer {
    /// Number of clips.
    pub clips: usize,
    /// Excitatory neurons per clip.
    pub neurons: usize,
    /// Neurons below this index are audio, the rest visual.
    pub audio_neurons: usize,
    /// Simulated duration per clip in ms (scales first-spike times).
    pub duration_ms: f32,
}

/// A block-diagonal synchrony graph over many clips, resident on the GPU.
#[derive(Debug)]
pub struct SynchronyGraph {
    /// CSR row pointers, U32 [nodes + 1].
    pub row_ptr: Tensor,
    /// CSR column indices (compacted node ids), U32 `[edges]`, ascending within each row.
    pub col_idx: Tensor,
    /// Node features, F32 [nodes, NODE_FEATURES].
    pub features: Tensor,
    /// Node range of each clip, U32 [clips + 1].
    pub clip_offsets: Tensor,
    /// The neuron index (within its clip) of each node, U32 `[nodes]`.
    pub node_neuron: Tensor,
    /// Number of nodes (neurons that spiked).
    pub nodes: usize,
    /// Number of directed edges (each undirected pair counts twice).
    pub edges: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
struct Params {
    spike_begin: u32,
    spike_end: u32,
    clip_begin: u32,
    clips: u32,
    neurons: u32,
    words: u32,
    window: f32,
    split: u32,
    nodes: u32,
    duration: f32,
    pad: [u32; 2],
}

fn validate(spikes: &[Spike], layer: &Layer, config: &SynchronyConfig) -> Result<()> {
    config.validate()?;
    // Normal, not subnormal: a GPU may flush a subnormal divisor to zero.
    if !(layer.duration_ms.is_finite() && layer.duration_ms >= f32::MIN_POSITIVE) {
        return Err(Error::InvalidInput(format!(
            "layer duration must be a finite number of ms >= {:e} (it scales first-spike \
             times), got {}",
            f32::MIN_POSITIVE,
            layer.duration_ms
        )));
    }
    if layer.neurons == 0 || layer.audio_neurons > layer.neurons {
        return Err(Error::InvalidInput(format!(
            "layer needs neurons > 0 and audio_neurons <= neurons (got {} and {})",
            layer.neurons, layer.audio_neurons
        )));
    }
    // Every clip's neuron slot is numbered in u32; checked before any table is sized by the
    // clip count, and without overflowing the product.
    let slots = layer.clips.checked_mul(layer.neurons);
    if slots.is_none_or(|n| n > u32::MAX as usize) {
        return Err(Error::InvalidInput(format!(
            "clips x neurons = {} x {} exceeds the 2^32 node slots a synchrony graph can number",
            layer.clips, layer.neurons
        )));
    }
    for (i, s) in spikes.iter().enumerate() {
        if s.clip as usize >= layer.clips || s.neuron as usize >= layer.neurons {
            return Err(Error::InvalidInput(format!(
                "spike {i} (clip {}, neuron {}) is outside {} clips x {} neurons",
                s.clip, s.neuron, layer.clips, layer.neurons
            )));
        }
        if !(s.time_ms.is_finite() && s.time_ms >= 0.0) {
            return Err(Error::InvalidInput(format!(
                "spike {i} has time {} ms; times must be finite and >= 0",
                s.time_ms
            )));
        }
    }
    Ok(())
}

/// Sort spikes by (clip, time, neuron), the order the edge kernel needs. Times compare by
/// their total order ([`f32::total_cmp`]), so any times sort, NaN included.
pub fn sort_spikes(spikes: &mut [Spike]) {
    spikes.sort_by(|a, b| {
        a.clip
            .cmp(&b.clip)
            .then(a.time_ms.total_cmp(&b.time_ms))
            .then(a.neuron.cmp(&b.neuron))
    });
}
