//! Edge cases of batching and SpMM that were found correct and are kept as regressions: a batch
//! of no graphs and of empty graphs, the flat / tiled SpMM kernels on both sides of
//! `FLAT_MAX_DEGREE` (exact: small integer values), and the prebuilt transpose after
//! `Csr::with_values` replaced the values.

use crate::common;

use common::gpu;
use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
use synchgraph::graph::{batch_graphs, spmm, spmm_transpose, Csr};
use synchgraph::Tensor;

#[test]
fn a_batch_of_no_graphs_or_of_empty_graphs() {
    let g = gpu();
    let b = batch_graphs(&g, &[], true, true).unwrap();
    assert_eq!((b.num_graphs(), b.num_nodes()), (0, 0));
    assert_eq!(b.offsets.to_u32().unwrap(), vec![0]);
    let x = Tensor::from_f32(&g, &[0, 3], &[]).unwrap();
    assert_eq!(spmm(&b.csr, &x).unwrap().shape(), &[0, 3]);
    assert_eq!(spmm_transpose(&b.csr, &x).unwrap().shape(), &[0, 3]);
    let none: Vec<(u32, u32)> = vec![];
    let b = batch_graphs(&g, &[(0, &none), (0, &none)], true, true).unwrap();
    assert_eq!(b.offsets_host, vec![0, 0, 0]);
    assert_eq!(b.csr.gcn_normalized().unwrap().nnz(), 0);
}

/// Row 1 and column 2 hold `deg` entries: `deg` = FLAT_MAX_DEGREE takes the thread-per-output
/// kernel in both directions, one more the workgroup-per-row kernel. Values are integers in
/// [-3, 3] and X in [0, 4], so every sum is exact in f32 whatever the order.
#[test]
fn spmm_on_both_sides_of_the_flat_degree_limit() {
    let g = gpu();
    let (n, f) = (300, 3);
    for deg in [FLAT_MAX_DEGREE, FLAT_MAX_DEGREE + 1] {
        let edges: Vec<(u32, u32)> = (0..deg as u32)
            .map(|j| (1, j))
            .chain((0..deg as u32).map(|j| (j, 2)))
            .collect();
        let w: Vec<f32> = (0..edges.len()).map(|k| (k % 7) as f32 - 3.0).collect();
        let a = Csr::from_edges(&g, n, &edges, Some(&w), false, false).unwrap();
        assert_eq!((a.max_row_degree, a.max_col_degree), (deg, deg));
        let x: Vec<f32> = (0..n * f).map(|k| (k % 5) as f32).collect();
        let xt = Tensor::from_f32(&g, &[n, f], &x).unwrap();
        let d = a.host.to_dense(n);
        let y = spmm(&a, &xt).unwrap().to_f32().unwrap();
        let yt = spmm_transpose(&a, &xt).unwrap().to_f32().unwrap();
        for r in 0..n {
            for c in 0..f {
                let want: f32 = (0..n).map(|k| d[r * n + k] * x[k * f + c]).sum();
                let want_t: f32 = (0..n).map(|k| d[k * n + r] * x[k * f + c]).sum();
                assert_eq!(y[r * f + c], want, "A X, degree {deg}, ({r}, {c})");
                assert_eq!(yt[r * f + c], want_t, "A^T X, degree {deg}, ({r}, {c})");
            }
        }
    }
}

#[test]
fn the_transpose_reads_the_replaced_values() {
    let g = gpu();
    // Stored order: (0,1), (0,2), (1,1), (2,0).
    let a = Csr::from_edges(&g, 3, &[(2, 0), (0, 2), (1, 1), (0, 1)], None, false, false).unwrap();
    let b = a
        .with_values(Tensor::from_f32(&g, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap())
        .unwrap();
    let x = Tensor::from_f32(&g, &[3, 1], &[1.0, 10.0, 100.0]).unwrap();
    assert_eq!(spmm(&b, &x).unwrap().to_f32().unwrap(), [210.0, 30.0, 4.0]);
    assert_eq!(
        spmm_transpose(&b, &x).unwrap().to_f32().unwrap(),
        [400.0, 31.0, 2.0]
    );
    // The original keeps its own values (all 1).
    assert_eq!(spmm(&a, &x).unwrap().to_f32().unwrap(), [110.0, 10.0, 1.0]);
}
