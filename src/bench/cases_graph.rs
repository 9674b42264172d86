//! Graph and training cases: synchrony-graph construction from spikes, SpMM forward (`A · X`) and
//! backward (`Aᵀ · G`) on random graphs with 64 features, and one Adam step.
//!
//! SpMM bytes follow [`spmm_bytes`] (row offsets, columns and values once, the feature matrix
//! once, the output written once); the backward also reads the transpose permutation (4 B per
//! non-zero). The feature rows gathered per non-zero, which a cache serves where the features fit
//! in it, are the rows' `gathered_bytes` metric ([`spmm_gathered_bytes`]), not part of the bytes
//! that set GB/s. FLOPs are 2 per non-zero and feature. Adam reads the parameter, gradient
//! and both moments and writes the parameter and both moments: 28 B and 13 FLOPs per value.
//! Synchrony bytes are counted in [`synchrony_bytes`].

use super::case::{count_text, BenchCase, RunFn, Sizes, INPUT_SETS};
use super::cases::normal_sets;
use super::cases_layout::random_indices;
use crate::autodiff::optim::Adam;
use crate::autodiff::ParamStore;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::graph::csr::{Csr, HostCsr};
use crate::graph::spmm::{spmm, spmm_bytes, spmm_gathered_bytes, spmm_transpose};
use crate::graph::synchrony::{build, sort_spikes, Layer, Spike, SynchronyConfig};
use crate::tensor::Tensor;

/// Features per node of the SpMM workloads.
pub const SPMM_FEATURES: usize = 64;
/// Non-zeros per row of the `spmm_large` graph.
pub const LARGE_DEGREE: usize = 16;
/// Parameter tensors of the Adam workload (the peer's `ADAM_TENSORS`).
pub const ADAM_TENSORS: usize = 16;
/// Excitatory neurons per clip of the synchrony workload (Diehl & Cook's 400).
pub const SYNC_NEURONS: usize = 400;
/// Spikes per clip of the synchrony workload (one per neuron on average).
pub const SYNC_SPIKES: usize = 400;
/// Simulated clip length of the synchrony workload, ms.
pub const SYNC_DURATION_MS: f32 = 350.0;

/// A random graph as CSR with duplicates kept: `edges` uniform (src, dst) pairs plus a self loop
/// per node, values `1 / row degree` (the peer's random graph: same counts, its own draw).
pub fn random_graph(nodes: usize, edges: usize, seed: u64) -> HostCsr {
    let src = random_indices(edges, nodes, seed);
    let dst = random_indices(edges, nodes, seed + 1);
    let mut row_ptr = vec![0u32; nodes + 1];
    for &s in &src {
        row_ptr[s as usize + 1] += 1;
    }
    for r in 0..nodes {
        row_ptr[r + 1] += row_ptr[r] + 1; // + the self loop
    }
    let mut col_idx = vec![0u32; edges + nodes];
    let mut fill: Vec<u32> = row_ptr[..nodes].to_vec();
    for r in 0..nodes {
        col_idx[fill[r] as usize] = r as u32;
        fill[r] += 1;
    }
    for (&s, &d) in src.iter().zip(&dst) {
        col_idx[fill[s as usize] as usize] = d;
        fill[s as usize] += 1;
    }
    let mut values = vec![0.0f32; edges + nodes];
    for r in 0..nodes {
        let (a, b) = (row_ptr[r] as usize, row_ptr[r + 1] as usize);
        col_idx[a..b].sort_unstable();
        values[a..b].fill(1.0 / (b - a) as f32);
    }
    HostCsr {
        row_ptr,
        col_idx,
        values,
    }
}

/// A graph whose every row has exactly `degree` uniformly drawn columns (sorted), values 1/degree.
pub fn regular_graph(nodes: usize, degree: usize, seed: u64) -> HostCsr {
    let mut col_idx = random_indices(nodes * degree, nodes, seed);
    for row in col_idx.chunks_mut(degree) {
        row.sort_unstable();
    }
    HostCsr {
        row_ptr: (0..=nodes).map(|r| (r * degree) as u32).collect(),
        col_idx,
        values: vec![1.0 / degree as f32; nodes * degree],
    }
}

/// How the SpMM graph of a row is drawn (in setup, so unselected rows cost nothing).
#[derive(Clone, Copy)]
enum GraphKind {
    /// [`random_graph`] with this many edges.
    Random(usize),
    /// [`regular_graph`] with this degree.
    Regular(usize),
}

fn spmm_cases(name: &str, nodes: usize, kind: GraphKind, seed: u64) -> Vec<BenchCase> {
    let f = SPMM_FEATURES;
    let nnz = match kind {
        GraphKind::Random(edges) => edges + nodes,
        GraphKind::Regular(degree) => nodes * degree,
    };
    let size = format!("{} nodes {} nnz x {f}", count_text(nodes), count_text(nnz));
    let bytes = spmm_bytes(nnz, nodes, f) as u64;
    let gathered = spmm_gathered_bytes(nnz, f);
    let flops = (2 * nnz * f) as u64;
    let mut cases = Vec::new();
    for backward in [false, true] {
        let row = if backward {
            format!("spmm_backward_{name}")
        } else {
            format!("spmm_{name}")
        };
        let mut case = BenchCase::memory(
            row,
            "graph",
            size.clone(),
            bytes + if backward { 4 * nnz as u64 } else { 0 },
            flops,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let host = match kind {
                    GraphKind::Random(edges) => random_graph(nodes, edges, seed),
                    GraphKind::Regular(degree) => regular_graph(nodes, degree, seed),
                };
                let a = Csr::from_host(gpu, nodes, nodes, host)?;
                let x = normal_sets(gpu, &[nodes, f], seed + 10)?;
                Ok(Box::new(move |i| {
                    let x = &x[i % INPUT_SETS];
                    if backward {
                        spmm_transpose(&a, x)?;
                    } else {
                        spmm(&a, x)?;
                    }
                    Ok(None)
                }))
            }),
        );
        case.counts = vec![("gathered_bytes", gathered)];
        cases.push(case);
    }
    cases
}

/// SpMM forward and backward on the peer's random graph (`spmm_random`, 4096 nodes / 32K edges
/// quick, 128K nodes / 1M edges full, plus self loops) and on a large 16-per-row graph
/// (`spmm_large`, 2048 nodes quick, 1M full).
pub fn spmm_rows(sizes: &Sizes) -> Vec<BenchCase> {
    let (nodes, edges, large) = if sizes.quick {
        (4096, 32768, 2048)
    } else {
        (131072, 1 << 20, 1 << 20)
    };
    // Keep X [large, 64] within the device's largest binding, as `elements` is.
    let large = large.min(sizes.elements / SPMM_FEATURES).max(1);
    let mut cases = spmm_cases("random", nodes, GraphKind::Random(edges), 401);
    cases.extend(spmm_cases(
        "large",
        large,
        GraphKind::Regular(LARGE_DEGREE),
        421,
    ));
    cases
}

/// Clips of the synchrony workload.
pub fn synchrony_clips(sizes: &Sizes) -> usize {
    if sizes.quick {
        8
    } else {
        256
    }
}

/// Random spikes of `clips` clips: [`SYNC_SPIKES`] per clip, uniform neurons and times.
pub fn synchrony_spikes(clips: usize, seed: u64) -> Vec<Spike> {
    let total = clips * SYNC_SPIKES;
    let neurons = random_indices(total, SYNC_NEURONS, seed);
    let times = random_indices(total, 1 << 24, seed + 1);
    (0..total)
        .map(|i| Spike {
            clip: (i / SYNC_SPIKES) as u32,
            neuron: neurons[i],
            time_ms: times[i] as f32 / (1u32 << 24) as f32 * SYNC_DURATION_MS,
        })
        .collect()
}

/// (pairs examined within the window, distinct directed edges) of sorted `spikes`, as the GPU
/// builds them: pairs of different neurons of one clip at most `window` ms apart.
pub fn synchrony_counts(spikes: &[Spike], window: f32) -> (u64, u64) {
    let mut sorted = spikes.to_vec();
    sort_spikes(&mut sorted);
    let (mut pairs, mut edges) = (0u64, 0u64);
    let mut seen = vec![false; SYNC_NEURONS * SYNC_NEURONS];
    let mut clip = u32::MAX;
    for i in 0..sorted.len() {
        let s = sorted[i];
        if s.clip != clip {
            clip = s.clip;
            seen.fill(false);
        }
        for t in &sorted[i + 1..] {
            if t.clip != s.clip || t.time_ms - s.time_ms > window {
                break;
            }
            pairs += 1;
            let (a, b) = (s.neuron as usize, t.neuron as usize);
            if a != b && !seen[a * SYNC_NEURONS + b] {
                seen[a * SYNC_NEURONS + b] = true;
                seen[b * SYNC_NEURONS + a] = true;
                edges += 2;
            }
        }
    }
    (pairs, edges)
}

/// Bytes of one synchrony-graph build of `spikes` spikes over `clips` clips of `neurons` neurons
/// with `nodes` active nodes and `edges` directed edges: spikes read twice (pair marking and spike
/// statistics, 12 B each), the pair bitmap written twice (clear, marks) and read twice (degrees,
/// columns), 56 B per neuron slot in the per-node passes (degree, scans, statistics, flags,
/// compaction), 28 B per active node written (row pointer, neuron, 5 features) and 16 B per edge
/// (column write, renumbering read, gather and write).
pub fn synchrony_bytes(spikes: u64, clips: u64, neurons: u64, nodes: u64, edges: u64) -> u64 {
    let bitmap = 4 * clips * neurons * neurons.div_ceil(32);
    24 * spikes + 4 * bitmap + 56 * clips * neurons + 28 * nodes + 16 * edges
}

/// Synchrony-graph construction (`graph::synchrony::build`) with the default 150 ms window.
pub fn synchrony(sizes: &Sizes) -> BenchCase {
    let clips = synchrony_clips(sizes);
    // Handed over sorted, as the peer's are: `build` still sorts its copy, but a sorted input
    // is one pass, so the wall clock (`--wall`) no longer times a real host sort. Timed by
    // timestamps, the row is the sum of the build's dispatches only: its host sort, uploads and
    // the two readbacks that size its outputs (edge and node counts) are not timed. By wall clock
    // they are part of the build and are timed, as the peer's host synchronisations are; compare
    // this row with the peer by wall clock (`benches/device/record.sh`'s `engine-wall` step).
    let mut spikes = synchrony_spikes(clips, 501);
    sort_spikes(&mut spikes);
    let config = SynchronyConfig {
        max_edges: 1 << 40,
        ..SynchronyConfig::default()
    };
    let (pairs, edges) = synchrony_counts(&spikes, config.window_ms);
    let mut active = vec![false; clips * SYNC_NEURONS];
    for s in &spikes {
        active[s.clip as usize * SYNC_NEURONS + s.neuron as usize] = true;
    }
    let nodes = active.iter().filter(|a| **a).count() as u64;
    let bytes = synchrony_bytes(
        spikes.len() as u64,
        clips as u64,
        SYNC_NEURONS as u64,
        nodes,
        edges,
    );
    let layer = Layer {
        clips,
        neurons: SYNC_NEURONS,
        audio_neurons: SYNC_NEURONS / 2,
        duration_ms: SYNC_DURATION_MS,
    };
    BenchCase::memory(
        "synchrony_graph",
        "graph",
        format!(
            "{clips}x{SYNC_NEURONS} neurons {} spikes",
            count_text(spikes.len())
        ),
        bytes,
        pairs,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let gpu = gpu.clone();
            Ok(Box::new(move |_| {
                build(&gpu, &spikes, &layer, &config)?;
                Ok(None)
            }))
        }),
    )
}

/// One Adam step over [`ADAM_TENSORS`] parameters totalling `sizes.elements` values, gradients
/// rotating between input sets.
pub fn adam(sizes: &Sizes) -> BenchCase {
    let each = sizes.elements / ADAM_TENSORS;
    let total = (each * ADAM_TENSORS) as u64;
    BenchCase::memory(
        "adam_step",
        "adam",
        format!(
            "{} params / {ADAM_TENSORS} tensors",
            count_text(total as usize)
        ),
        28 * total,
        13 * total,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let mut store = ParamStore::new();
            let mut grads = Vec::new();
            for k in 0..ADAM_TENSORS {
                let w = Tensor::zeros(gpu, &[each], crate::tensor::DType::F32)?;
                let id = store.add(&format!("p{k}"), w, 0.0);
                grads.push((id, normal_sets(gpu, &[each], 601 + 10 * k as u64)?));
            }
            let mut opt = Adam::new(1e-3);
            Ok(Box::new(move |i| {
                store.zero_grad();
                for (id, g) in &grads {
                    store.accumulate(*id, g[i % INPUT_SETS].clone())?;
                }
                opt.step(&mut store)?;
                Ok(None)
            }))
        }),
    )
}
