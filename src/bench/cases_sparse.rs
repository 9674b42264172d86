//! Sparse cases: SpMM at Cora size and at about one million edges, and one full GCN training
//! epoch at Cora size (forward, backward and Adam) on a synthetic graph (`gcn_epoch_synthetic`;
//! the same epoch on the real Cora files is `gcn_epoch_cora` in [`super::cases_train`]). Graphs
//! are synthetic with a fixed seed (random symmetric edges plus self loops, normalised as for a
//! GCN), so the harness needs no data files.
//! Counts use the stored entries of the graphs the rows run ([`random_graph_nnz`],
//! [`synthetic_features_nnz`]: draws that collide are stored once); the size text names the
//! nominal 2m + n, which the peer's row pairs with.
//! SpMM bytes are [`spmm_bytes`]: offsets, columns and values read once, X read once, the output
//! written once; the X rows gathered per entry (served by the cache where X fits in it) are the
//! `gathered_bytes` metric ([`spmm_gathered_bytes`]). FLOPs are 2 · nnz · features.

use super::case::{count_text, BenchCase, RunFn, Sizes};
use super::cases::normal_sets;
use super::cases_layout::random_indices;
use crate::autodiff::optim::Adam;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::graph::spmm::{spmm_bytes, spmm_gathered_bytes};
use crate::graph::{spmm, Csr, HostCsr};
use crate::models::gcn::{NodeGcn, NodeGcnConfig};
use crate::tensor::Tensor;

/// Cora's node count, stored adjacency entries with self loops, feature width and classes.
const CORA_NODES: usize = 2708;
const CORA_EDGES: usize = 5278;
const CORA_FEATURES: usize = 1433;
const CORA_NNZ_PER_ROW: usize = 18;
const CORA_CLASSES: usize = 7;

/// A normalised random graph of `n` nodes with `m` undirected random edges.
fn random_graph(gpu: &Gpu, n: usize, m: usize, seed: u64) -> Result<Csr> {
    let idx = random_indices(2 * m, n, seed);
    let edges: Vec<(u32, u32)> = idx.chunks(2).map(|p| (p[0], p[1])).collect();
    Csr::from_edges(gpu, n, &edges, None, false, true)?.gcn_normalized()
}

/// Nominal stored entries of [`random_graph`], 2m + n: the count the rows' size text names
/// (and the peer's `spmm_cora` row pairs with). The graph stores fewer where draws collide.
fn nominal_nnz(n: usize, m: usize) -> usize {
    2 * m + n
}

/// Stored entries of the random graph of `n` nodes and `m` drawn edges (seed `seed`) that the
/// sparse rows run, counted on the host without building it: each distinct unordered pair of
/// different nodes stored both ways, plus one self loop per node (a drawn self loop or a pair
/// drawn twice is stored once).
pub fn random_graph_nnz(n: usize, m: usize, seed: u64) -> usize {
    let idx = random_indices(2 * m, n, seed);
    let mut pairs: Vec<(u32, u32)> = idx
        .chunks(2)
        .filter(|p| p[0] != p[1])
        .map(|p| (p[0].min(p[1]), p[0].max(p[1])))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    2 * pairs.len() + n
}

/// Feature columns of row `k / CORA_NNZ_PER_ROW` of the `gcn_epoch_synthetic` features, drawn
/// with replacement (seed 80).
fn synthetic_feature_cols() -> Vec<u32> {
    random_indices(CORA_NODES * CORA_NNZ_PER_ROW, CORA_FEATURES, 80)
}

/// Stored entries of the `gcn_epoch_synthetic` features: the distinct (row, column) pairs of
/// its drawn feature columns (a column drawn twice in a row is stored once).
pub fn synthetic_features_nnz() -> usize {
    let mut entries: Vec<(usize, u32)> = synthetic_feature_cols()
        .into_iter()
        .enumerate()
        .map(|(k, c)| (k / CORA_NNZ_PER_ROW, c))
        .collect();
    entries.sort_unstable();
    entries.dedup();
    entries.len()
}

fn spmm_case(name: &str, n: usize, m: usize, f: usize) -> BenchCase {
    let nnz = random_graph_nnz(n, m, 77);
    let mut case = BenchCase::memory(
        name,
        "sparse",
        format!(
            "{} nodes, {} nnz x {f}",
            count_text(n),
            count_text(nominal_nnz(n, m))
        ),
        spmm_bytes(nnz, n, f) as u64,
        (2 * nnz * f) as u64,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let a = random_graph(gpu, n, m, 77)?;
            let x = normal_sets(gpu, &[n, f], 78)?;
            Ok(Box::new(move |i| {
                spmm(&a, &x[i % x.len()])?;
                Ok(None)
            }))
        }),
    );
    case.counts = vec![("gathered_bytes", spmm_gathered_bytes(nnz, f))];
    case
}

/// The sparse and GCN cases.
pub fn sparse(sizes: &Sizes) -> Vec<BenchCase> {
    // About 1M stored entries: 2^17 nodes of mean degree 8 (2^14 in quick mode).
    let n_big = if sizes.quick { 1 << 14 } else { 1 << 17 };
    let m_big = n_big * 4 - n_big / 2;
    let cora_nnz = random_graph_nnz(CORA_NODES, CORA_EDGES, 79);
    let x_nnz = synthetic_features_nnz();
    let h = NodeGcnConfig::default().hidden;
    // The same counts as the real-Cora row: the backward's Xᵀ G has one output row per
    // feature, not per node.
    let (epoch_bytes, epoch_flops) = super::cases_train::gcn_epoch_work(
        x_nnz,
        cora_nnz,
        (CORA_NODES, CORA_FEATURES),
        h,
        CORA_CLASSES,
    );
    let epoch_gathered =
        super::cases_train::gcn_epoch_gathered_bytes(x_nnz, cora_nnz, h, CORA_CLASSES);
    let mut epoch = BenchCase::memory(
        "gcn_epoch_synthetic",
        "sparse",
        format!("{CORA_NODES} nodes, {CORA_FEATURES} feats, hidden {h}"),
        epoch_bytes,
        epoch_flops,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let adj = random_graph(gpu, CORA_NODES, CORA_EDGES, 79)?;
            let cols = synthetic_feature_cols();
            let triples = cols
                .iter()
                .enumerate()
                .map(|(k, &c)| ((k / CORA_NNZ_PER_ROW) as u32, c, 1.0 / 18.0))
                .collect();
            let host = HostCsr::from_triples(CORA_NODES, triples);
            let x = Csr::from_host(gpu, CORA_NODES, CORA_FEATURES, host)?;
            let labels: Vec<u32> = random_indices(CORA_NODES, CORA_CLASSES, 81);
            let labels = Tensor::from_u32(gpu, &[CORA_NODES], &labels)?;
            let mask: Vec<f32> = (0..CORA_NODES).map(|i| f32::from(i < 140)).collect();
            let mask = Tensor::from_f32(gpu, &[CORA_NODES], &mask)?;
            let config = NodeGcnConfig::default();
            let mut model = NodeGcn::new(gpu, CORA_FEATURES, CORA_CLASSES, config, 0)?;
            let mut adam = Adam::new(0.01);
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                model.train_step(&gpu, &mut adam, (&adj, &x), (&labels, &mask), i as u64)?;
                Ok(None)
            }))
        }),
    );
    epoch.counts = vec![("gathered_bytes", epoch_gathered)];
    vec![
        spmm_case("spmm_cora", CORA_NODES, CORA_EDGES, 64),
        spmm_case("spmm_1m", n_big, m_big, 64),
        epoch,
    ]
}
