//! Node and column counts past what the device can hold are refused with a typed error before
//! the host builds any offset array: `Csr::from_host`, `Csr::from_edges` and `batch_graphs`
//! used to overflow `n + 1` (a panic) or allocate `n + 1` offsets on the host first (an abort
//! or an out-of-memory kill for counts in the billions), although the upload refuses them.

use crate::common;

use common::gpu;
use synchgraph::graph::{batch_graphs, Csr, HostCsr};
use synchgraph::Error;

fn empty_rows(n: usize) -> HostCsr {
    HostCsr {
        row_ptr: vec![0; n + 1],
        col_idx: vec![],
        values: vec![],
    }
}

#[test]
fn from_host_with_usize_max_rows_or_columns_is_an_error() {
    let g = gpu();
    let e = Csr::from_host(&g, usize::MAX, 1, HostCsr::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let e = Csr::from_host(&g, 1, usize::MAX, empty_rows(1)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
}

/// Four billion columns fit the u32 range but not a binding: the transpose's offsets (16 GB)
/// must not be built on the host.
#[test]
fn from_host_with_more_columns_than_a_binding_holds_is_too_large() {
    let g = gpu();
    let n_cols = u32::MAX as usize - 1;
    let e = Csr::from_host(&g, 1, n_cols, empty_rows(1)).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("transpose"), "{e}");
}

#[test]
fn from_edges_with_a_huge_node_count_is_an_error() {
    let g = gpu();
    let e = Csr::from_edges(&g, usize::MAX, &[], None, false, false).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let e = Csr::from_edges(&g, 1 << 40, &[(0, 1)], None, true, true).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let n = u32::MAX as usize - 1;
    let e = Csr::from_edges(&g, n, &[(0, 1)], None, true, false).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    // Counts that fit still work.
    let a = Csr::from_edges(&g, 3, &[(0, 1)], None, true, false).unwrap();
    assert_eq!(a.nnz(), 4);
}

#[test]
fn batch_of_billions_of_nodes_is_too_large() {
    let g = gpu();
    let none: Vec<(u32, u32)> = vec![];
    let e = batch_graphs(&g, &[(3_000_000_000, &none), (5, &none)], true, true).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}
