//! Edge weights that are each finite but whose sums leave the f32 range: merging duplicate edges
//! in `Csr::from_edges`, and the row sums of A + I in `Csr::gcn_normalized`. Both are refused
//! with `Error::InvalidInput` instead of storing an infinite entry or silently zeroing a row.

use crate::common;

use common::gpu;
use synchgraph::graph::Csr;
use synchgraph::Error;

#[test]
fn duplicate_edges_whose_weights_sum_past_f32_are_refused() {
    let g = gpu();
    // Each weight is finite; merged, (0, 1) would hold 3e38 + 3e38 = inf.
    let r = Csr::from_edges(&g, 2, &[(0, 1), (0, 1)], Some(&[3e38, 3e38]), false, false);
    match r {
        Err(Error::InvalidInput(m)) => assert!(m.contains("0 -> 1"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(a) => panic!("accepted, stored values {:?}", a.host.values),
    }
    // The same weights on distinct edges are a valid matrix.
    Csr::from_edges(&g, 3, &[(0, 1), (0, 2)], Some(&[3e38, 3e38]), false, false).unwrap();
}

#[test]
fn gcn_normalized_refuses_a_degree_past_f32_instead_of_zeroing_the_row() {
    let g = gpu();
    // Row 0 of A + I is [1, 3e38, 3e38]: its sum 6e38 is past f32::MAX, although the normalised
    // entries (3e38 / sqrt(6e38) ~ 1.2e19) are not. A zero scale would erase node 0's row.
    let a = Csr::from_edges(&g, 3, &[(0, 1), (0, 2)], Some(&[3e38, 3e38]), false, false).unwrap();
    match a.gcn_normalized() {
        Err(Error::InvalidInput(m)) => assert!(m.contains("row 0"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(n) => panic!("accepted, dense {:?}", n.host.to_dense(3)),
    }
}
