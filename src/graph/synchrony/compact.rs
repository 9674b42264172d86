//! Node compaction of a synchrony graph: keep the neurons that spiked, renumber them and the
//! edge columns, and compute node features and per-clip node offsets.

use super::{Layer, Params, SynchronyGraph, NODE_FEATURES};
use crate::error::Result;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::kernels::scan::exclusive_scan;
use crate::tensor::{DType, Tensor};

/// Keep the neurons that spiked, renumber them, and compute node features and clip offsets.
#[allow(clippy::too_many_arguments)]
pub(super) fn compact(
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
