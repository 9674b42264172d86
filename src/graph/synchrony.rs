//! Neural-synchrony graphs: the excitatory neurons of a clip that spiked become nodes, and two
//! nodes of the same clip are joined when they spike within a window (150 ms by default) of each
//! other. Built on the GPU from time-sorted spikes into a block-diagonal CSR over all clips, with
//! per-node features and per-clip node offsets for pooling.

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::gpu::{Gpu, Kernel, Shader};
use crate::kernels::scan::exclusive_scan;
use crate::tensor::{DType, Tensor};

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

/// The window the kernels compare time differences of `spikes` against: `window_ms` widened by the most that rounding can add to the
/// difference of two times (one f32 ulp of the latest time) and by one ulp of the window, then
/// rounded up to an f32. Spike times that are simulation steps x dt rounded to f32 are then
/// joined when a whole window of steps apart whatever dt, and not when one step further apart,
/// as long as dt exceeds twice that margin (well under 0.01 ms for clips shorter than 10 s).
/// A window that is not a finite number >= 0 is returned as it is ([`build`] refuses it first).
fn rounded_window(window_ms: f32, spikes: &[Spike]) -> f32 {
    if !(window_ms.is_finite() && window_ms >= 0.0) {
        return window_ms;
    }
    let ulp = |x: f32| f64::from(f32::from_bits(x.to_bits() + 1) - x);
    let latest = spikes
        .iter()
        .map(|s| s.time_ms)
        .filter(|t| t.is_finite())
        .fold(0f32, |a, t| a.max(t.abs()));
    let target = f64::from(window_ms) + ulp(latest) + ulp(window_ms);
    let w = target as f32;
    // Times near f32::MAX have no finite margin: the window is then used as given.
    if !w.is_finite() {
        window_ms
    } else if f64::from(w) < target {
        // The next f32 up (w is finite and >= 0).
        f32::from_bits(w.to_bits() + 1)
    } else {
        w
    }
}

/// Build the synchrony graph of `spikes` (any order) on the GPU.
pub fn build(
    gpu: &Gpu,
    spikes: &[Spike],
    layer: &Layer,
    config: &SynchronyConfig,
) -> Result<SynchronyGraph> {
    validate(spikes, layer, config)?;
    let mut sorted = spikes.to_vec();
    sort_spikes(&mut sorted);
    let nodes_all = layer.clips * layer.neurons;
    // One degree per neuron slot, allocated first: a layer with more slots than a binding holds
    // is refused here, before any host table is sized by its clip count.
    let degree = Tensor::zeros(gpu, &[nodes_all], DType::U32)?;
    let words = layer.neurons.div_ceil(32);
    let u = |n: usize, what: &str| -> Result<u32> {
        u32::try_from(n).map_err(|_| Error::InvalidInput(format!("{what} = {n} exceeds 2^32")))
    };
    let neuron: Vec<u32> = sorted.iter().map(|s| s.neuron).collect();
    // `+ 0.0` turns a -0.0 time into +0.0: the first-spike kernel takes the minimum of the
    // times' bit patterns, where -0.0 would rank above every positive time.
    let time: Vec<f32> = sorted.iter().map(|s| s.time_ms + 0.0).collect();
    let clip: Vec<u32> = sorted.iter().map(|s| s.clip).collect();
    let mut clip_spike_offsets = vec![0usize; layer.clips + 1];
    for s in &sorted {
        clip_spike_offsets[s.clip as usize + 1] += 1;
    }
    for c in 0..layer.clips {
        clip_spike_offsets[c + 1] += clip_spike_offsets[c];
    }
    let t_neuron = Tensor::from_u32(gpu, &[neuron.len()], &neuron)?;
    let t_time = Tensor::from_f32(gpu, &[time.len()], &time)?;
    let t_clip = Tensor::from_u32(gpu, &[clip.len()], &clip)?;
    let base = Params {
        neurons: u(layer.neurons, "neurons")?,
        words: u(words, "bitmap words")?,
        window: rounded_window(config.window_ms, &sorted),
        split: u(layer.audio_neurons, "audio neurons")?,
        nodes: u(nodes_all, "clips x neurons")?,
        duration: layer.duration_ms,
        ..Params::default()
    };
    // Clips per chunk so that one chunk's bitmap fits one storage binding.
    let clip_bitmap_bytes = (layer.neurons * words * 4) as u64;
    let per_chunk = (gpu.max_binding_bytes() / clip_bitmap_bytes.max(1)).max(1) as usize;
    if clip_bitmap_bytes > gpu.max_binding_bytes() {
        return Err(Error::TooLarge {
            what: format!(
                "synchrony bitmap of one clip with {} neurons",
                layer.neurons
            ),
            bytes: clip_bitmap_bytes,
            limit: gpu.max_binding_bytes(),
        });
    }
    let chunks: Vec<(usize, usize)> = (0..layer.clips)
        .step_by(per_chunk)
        .map(|c0| (c0, (c0 + per_chunk).min(layer.clips)))
        .collect();
    let chunk_params = |c0: usize, c1: usize| -> Result<Params> {
        Ok(Params {
            spike_begin: u(clip_spike_offsets[c0], "spikes")?,
            spike_end: u(clip_spike_offsets[c1], "spikes")?,
            clip_begin: u(c0, "clips")?,
            clips: u(c1 - c0, "clips")?,
            ..base
        })
    };
    let mark = |p: &Params, bitmap: &Tensor| -> Result<()> {
        gpu.clear(bitmap.buffer(), 0, bitmap.byte_len().max(4))?;
        let n = (p.spike_end - p.spike_begin) as u64;
        gpu.dispatch(
            "synchrony_mark_pairs",
            &Kernel::new(Shader::Synchrony, "mark_pairs"),
            p,
            &[
                t_neuron.binding()?,
                t_time.binding()?,
                t_clip.binding()?,
                bitmap.binding_mut()?,
            ],
            gpu.grid(n, 256)?,
        )
    };
    // Pass 1: mark pairs and count each row's neighbours.
    let mut bitmaps = Vec::new();
    for &(c0, c1) in &chunks {
        let p = chunk_params(c0, c1)?;
        let bitmap = Tensor::empty(gpu, &[(c1 - c0) * layer.neurons * words], DType::U32)?;
        mark(&p, &bitmap)?;
        gpu.dispatch(
            "synchrony_row_degree",
            &Kernel::new(Shader::Synchrony, "row_degree"),
            &p,
            &[bitmap.binding()?, degree.binding_mut()?],
            gpu.grid(((c1 - c0) * layer.neurons) as u64, 256)?,
        )?;
        if chunks.len() == 1 {
            bitmaps.push(bitmap);
        }
    }
    let row_ptr_all = exclusive_scan(&degree)?;
    // The u32 scan wraps past 2^32 edges. A row has at most `neurons` columns, so where the
    // layer could reach that many, the degrees are summed in u64 on the host instead.
    let most = nodes_all as u64 * layer.neurons as u64;
    let edges = if most <= u64::from(u32::MAX) {
        u64::from(row_ptr_all.rows(nodes_all, nodes_all + 1)?.to_u32()?[0])
    } else {
        degree.to_u32()?.iter().map(|&d| u64::from(d)).sum()
    };
    if edges > config.max_edges {
        return Err(Error::InvalidInput(format!(
            "the synchrony graph has {edges} edges, over the cap of {}; narrow the window \
             ({} ms) or raise max_edges",
            config.max_edges, config.window_ms
        )));
    }
    if edges > u64::from(u32::MAX) {
        return Err(Error::InvalidInput(format!(
            "the synchrony graph has {edges} edges, over the 2^32 a CSR graph can index; \
             build it from fewer clips at a time or narrow the window ({} ms)",
            config.window_ms
        )));
    }
    let edges = edges as usize;
    // Pass 2: write each row's columns in ascending order.
    let col_idx = Tensor::empty(gpu, &[edges], DType::U32)?;
    for (k, &(c0, c1)) in chunks.iter().enumerate() {
        let p = chunk_params(c0, c1)?;
        let bitmap = match bitmaps.get(k) {
            Some(b) => b.clone(),
            None => {
                let b = Tensor::empty(gpu, &[(c1 - c0) * layer.neurons * words], DType::U32)?;
                mark(&p, &b)?;
                b
            }
        };
        gpu.dispatch(
            "synchrony_fill_cols",
            &Kernel::new(Shader::Synchrony, "fill_cols"),
            &p,
            &[
                bitmap.binding()?,
                row_ptr_all.binding()?,
                col_idx.binding_mut()?,
            ],
            gpu.grid(((c1 - c0) * layer.neurons) as u64, 256)?,
        )?;
    }
    compact(
        gpu,
        &base,
        layer,
        &t_neuron,
        &t_time,
        &t_clip,
        &row_ptr_all,
        col_idx,
        edges,
    )
}

/// Keep the neurons that spiked, renumber them, and compute node features and clip offsets.
#[allow(clippy::too_many_arguments)]
fn compact(
    gpu: &Gpu,
    base: &Params,
    layer: &Layer,
    t_neuron: &Tensor,
    t_time: &Tensor,
    t_clip: &Tensor,
    row_ptr_all: &Tensor,
    col_idx: Tensor,
    edges: usize,
) -> Result<SynchronyGraph> {
    let nodes_all = base.nodes as usize;
    let count = Tensor::zeros(gpu, &[nodes_all], DType::U32)?;
    let first = Tensor::from_u32(gpu, &[nodes_all], &vec![f32::INFINITY.to_bits(); nodes_all])?;
    let p = Params {
        spike_end: t_neuron.numel() as u32,
        clips: layer.clips as u32,
        ..*base
    };
    let kernel = |entry| Kernel::new(Shader::Synchrony, entry);
    gpu.dispatch(
        "synchrony_spike_stats",
        &kernel("spike_stats"),
        &p,
        &[
            t_neuron.binding()?,
            t_time.binding()?,
            t_clip.binding()?,
            count.binding_mut()?,
            first.binding_mut()?,
        ],
        gpu.grid(t_neuron.numel() as u64, 256)?,
    )?;
    let active = Tensor::empty(gpu, &[nodes_all], DType::U32)?;
    let node_grid = gpu.grid(nodes_all as u64, 256)?;
    gpu.dispatch(
        "synchrony_active_flags",
        &kernel("active_flags"),
        &p,
        &[count.binding()?, active.binding_mut()?],
        node_grid,
    )?;
    let new_id = exclusive_scan(&active)?;
    let nodes = new_id.rows(nodes_all, nodes_all + 1)?.to_u32()?[0] as usize;
    // Zeroed: with no node slots at all (zero clips) compact_nodes has no invocation to write
    // the end pointer, which must then read 0, not what a recycled buffer held.
    let row_ptr = Tensor::zeros(gpu, &[nodes + 1], DType::U32)?;
    let features = Tensor::empty(gpu, &[nodes, NODE_FEATURES], DType::F32)?;
    let node_neuron = Tensor::empty(gpu, &[nodes], DType::U32)?;
    gpu.dispatch(
        "synchrony_compact_nodes",
        &kernel("compact_nodes"),
        &p,
        &[
            count.binding()?,
            first.binding()?,
            new_id.binding()?,
            row_ptr_all.binding()?,
            row_ptr.binding_mut()?,
            features.binding_mut()?,
            node_neuron.binding_mut()?,
        ],
        node_grid,
    )?;
    let renumber = Params {
        nodes: edges as u32,
        ..p
    };
    gpu.dispatch(
        "synchrony_renumber_cols",
        &kernel("renumber_cols"),
        &renumber,
        &[new_id.binding()?, col_idx.binding_mut()?],
        gpu.grid(edges as u64, 256)?,
    )?;
    let clip_offsets = Tensor::empty(gpu, &[layer.clips + 1], DType::U32)?;
    gpu.dispatch(
        "synchrony_clip_offsets",
        &kernel("clip_offsets"),
        &p,
        &[new_id.binding()?, clip_offsets.binding_mut()?],
        gpu.grid(layer.clips as u64 + 1, 256)?,
    )?;
    Ok(SynchronyGraph {
        row_ptr,
        col_idx,
        features,
        clip_offsets,
        node_neuron,
        nodes,
        edges,
    })
}
