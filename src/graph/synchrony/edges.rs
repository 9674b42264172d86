//! Building a synchrony graph on the GPU ([`build`]): mark the pairs of spikes within the window
//! in per-clip bitmaps, count each row's neighbours, and write each row's columns in ascending
//! order, then hand the edges to the node compaction.

use super::compact::compact;
use super::{sort_spikes, validate, Layer, Params, Spike, SynchronyConfig, SynchronyGraph};
use crate::error::{Error, Result};
use crate::gpu::{Gpu, Kernel, Shader};
use crate::kernels::scan::exclusive_scan;
use crate::tensor::{DType, Tensor};

/// The window the kernels compare time differences of `spikes` against: `window_ms` widened by
/// the most that rounding can add to the difference of two times (one f32 ulp of the latest
/// time) and by one ulp of the window, then rounded up to an f32. Spike times that are
/// simulation steps x dt rounded to f32 are then joined when a whole window of steps apart
/// whatever dt, and not when one step further apart, as long as dt exceeds twice that margin
/// (well under 0.01 ms for clips shorter than 10 s). A window that is not a finite number >= 0
/// is returned as it is ([`build`] refuses it first).
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
