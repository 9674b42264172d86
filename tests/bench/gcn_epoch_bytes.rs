//! The bytes a GCN training epoch counts: the backward's three SpMMs run through the transpose
//! structure (`spmm_transpose`), whose kernel reads each value through the permutation array, so
//! each of them reads 4 bytes per stored entry more than the forward product of the same matrix,
//! as the `spmm_backward_*` rows count.

use synchgraph::bench::cases_train::gcn_epoch_work;
use synchgraph::graph::spmm::spmm_bytes_rect;

#[test]
fn gcn_epoch_bytes_count_the_transpose_permutation_of_the_backward() {
    let (nnz_x, nnz_a, n, f, h, c) = (49_216usize, 13_264usize, 2708, 1433, 16, 7);
    // Forward: X W1, Â (X W1), Â (H W2); backward through the transposes: Âᵀ G2, Âᵀ G1, Xᵀ G1.
    let forward = spmm_bytes_rect(nnz_x, n, f, h)
        + spmm_bytes_rect(nnz_a, n, n, h)
        + spmm_bytes_rect(nnz_a, n, n, c);
    let backward = spmm_bytes_rect(nnz_a, n, n, c)
        + spmm_bytes_rect(nnz_a, n, n, h)
        + spmm_bytes_rect(nnz_x, f, n, h);
    let perm = 4.0 * (nnz_x + 2 * nnz_a) as f64;
    let (bytes, _) = gcn_epoch_work(nnz_x, nnz_a, (n, f), h, c);
    assert_eq!(
        bytes,
        (forward + backward + perm) as u64,
        "the permutation reads of the three transposed products ({perm} B) are counted"
    );
}
