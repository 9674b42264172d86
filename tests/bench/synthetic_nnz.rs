//! The synthetic sparse rows (`spmm_cora`, `spmm_1m`, `gcn_epoch_synthetic`) count the stored
//! entries of the graphs they run, not the nominal 2m + n (edges drawn twice, or drawn as self
//! loops, are stored once) nor 18 features per node (a column drawn twice in a row is stored
//! once). The matrices are built here as the rows build them and their entries counted.

use crate::common;
use synchgraph::bench::case::Sizes;
use synchgraph::bench::cases_layout::random_indices;
use synchgraph::bench::cases_sparse::sparse;
use synchgraph::bench::BenchCase;
use synchgraph::graph::{Csr, HostCsr};

/// Quick sizes (only `quick` matters to the sparse rows).
fn quick_sizes() -> Sizes {
    Sizes {
        quick: true,
        elements: 1 << 20,
        copy_bytes: 16 << 20,
        matmul: &[256],
        neurons: 1 << 20,
        stdp: 512,
        warmup: 2,
        repetitions: 5,
        timestamps: false,
    }
}

/// Stored entries of the normalised random graph the rows draw: `m` random pairs of `n` nodes.
fn graph_nnz(gpu: &synchgraph::gpu::Gpu, n: usize, m: usize, seed: u64) -> usize {
    let idx = random_indices(2 * m, n, seed);
    let edges: Vec<(u32, u32)> = idx.chunks(2).map(|p| (p[0], p[1])).collect();
    Csr::from_edges(gpu, n, &edges, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap()
        .nnz()
}

/// SpMM compulsory bytes of a square A[n, n] with `nnz` entries times X[n, f]: offsets, columns
/// and values, X once (every row is referenced: each row has a self loop), the output once.
fn spmm_bytes(n: usize, nnz: usize, f: usize) -> u64 {
    4 * ((n + 1) + 2 * nnz + n * f + n * f) as u64
}

fn row<'a>(cases: &'a [BenchCase], name: &str) -> &'a BenchCase {
    cases.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn spmm_rows_count_the_entries_of_the_graph_they_run() {
    let gpu = common::gpu();
    let cases = sparse(&quick_sizes());
    for (name, n, m) in [("spmm_cora", 2708, 5278), ("spmm_1m", 1 << 14, 7 << 13)] {
        let nnz = graph_nnz(&gpu, n, m, 77);
        assert!(nnz < 2 * m + n, "{name}: the draw has collisions");
        let case = row(&cases, name);
        assert_eq!(case.bytes, spmm_bytes(n, nnz, 64), "{name} bytes");
        assert_eq!(case.flops, 2 * 64 * nnz as u64, "{name} FLOPs");
    }
    // The size text still names the nominal count, which the peer's row pairs with.
    assert_eq!(row(&cases, "spmm_cora").size, "2708 nodes, 13264 nnz x 64");
}

#[test]
fn gcn_epoch_synthetic_counts_the_entries_of_its_graph_and_features() {
    let gpu = common::gpu();
    let (n, f, h, c) = (2708usize, 1433usize, 16usize, 7usize);
    let nnz_a = graph_nnz(&gpu, n, 5278, 79);
    let cols = random_indices(n * 18, f, 80);
    let triples = cols
        .iter()
        .enumerate()
        .map(|(k, &col)| ((k / 18) as u32, col, 1.0 / 18.0))
        .collect();
    let nnz_x = HostCsr::from_triples(n, triples).nnz();
    assert!(nnz_x < 18 * n, "the draw repeats some columns within a row");
    let case = row(&sparse(&quick_sizes()), "gcn_epoch_synthetic").flops;
    // X W1, Â (X W1), Â (H W2) forward; Xᵀ G, Âᵀ G twice backward; H W2 once forward and twice
    // backward.
    let want = 4 * nnz_x * h + 4 * nnz_a * (h + c) + 6 * n * h * c;
    assert_eq!(case, want as u64, "gcn_epoch_synthetic FLOPs");
}
