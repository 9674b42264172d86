//! `Csr::gcn_normalized` on a matrix whose diagonal entry is stored more than once. A column
//! repeated within a row counts as the sum of its values (src/graph/csr/host.rs), so A + I must
//! add one to that sum, not one per stored copy. Values are compared with an f64 reference of
//! D^-1/2 (A + I) D^-1/2 to |got - want| <= 1e-6 * |want| (a few f32 roundings of numbers
//! below 1).

use crate::common;
use common::{assert_close, gpu};
use synchgraph::graph::{Csr, HostCsr};

#[test]
fn a_repeated_diagonal_gets_one_self_loop() {
    let gpu = gpu();
    // Row 0 stores its diagonal as 0.5 + 0.5 = 1 (and an edge to 1); row 1 an edge to 0.
    let repeated = HostCsr {
        row_ptr: vec![0, 3, 4],
        col_idx: vec![0, 0, 1, 0],
        values: vec![0.5, 0.5, 1.0, 1.0],
    };
    let a = Csr::from_host(&gpu, 2, 2, repeated).unwrap();
    let norm = a.gcn_normalized().unwrap();
    // A + I = [[2, 1], [1, 1]], row sums d = [3, 2].
    let d = [3.0f64, 2.0];
    let want_dense = [
        2.0 / d[0],
        1.0 / (d[0] * d[1]).sqrt(),
        1.0 / (d[1] * d[0]).sqrt(),
        1.0 / d[1],
    ]
    .map(|v| v as f32);
    assert_close("host copy", &norm.host.to_dense(2), &want_dense, 0.0, 1e-6);
    // The GPU values are the host values, entry for entry.
    assert_close(
        "gpu values",
        &norm.values.to_f32().unwrap(),
        &norm.host.values,
        0.0,
        0.0,
    );
    // And the same as normalising the merged matrix.
    let merged = HostCsr {
        row_ptr: vec![0, 2, 3],
        col_idx: vec![0, 1, 0],
        values: vec![1.0, 1.0, 1.0],
    };
    let m = Csr::from_host(&gpu, 2, 2, merged).unwrap();
    assert_close(
        "merged",
        &norm.host.to_dense(2),
        &m.gcn_normalized().unwrap().host.to_dense(2),
        0.0,
        1e-6,
    );
}
