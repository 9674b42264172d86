//! `Csr::from_host` refuses row offsets that do not start at 0, and (as `HostCsr` documents)
//! accepts columns in any order within a row, repeated ones summed.

use crate::common;

use common::gpu;
use synchgraph::graph::{spmm, spmm_transpose, Csr, HostCsr};
use synchgraph::Tensor;

#[test]
fn row_offsets_not_starting_at_zero_are_inconsistent() {
    let g = gpu();
    // Offsets [1, 1] end at nnz = 1 and never decrease, but entry 0 belongs to no row.
    let host = HostCsr {
        row_ptr: vec![1, 1],
        col_idx: vec![0],
        values: vec![1.0],
    };
    let err = Csr::from_host(&g, 1, 1, host).unwrap_err().to_string();
    assert!(err.contains("inconsistent CSR"), "{err}");
    assert!(err.contains("row_ptr[0] = 1"), "{err}");
    // Two rows whose offsets start at 1: the first entry again belongs to no row.
    let host = HostCsr {
        row_ptr: vec![1, 1, 2],
        col_idx: vec![0, 1],
        values: vec![1.0, 2.0],
    };
    let err = Csr::from_host(&g, 2, 2, host).unwrap_err().to_string();
    assert!(err.contains("row_ptr[0] = 1"), "{err}");
}

#[test]
fn unsorted_and_repeated_columns_within_a_row_are_summed() {
    let g = gpu();
    // Row 0: columns 2, 0, 2 (unsorted, 2 repeated); row 1: column 1.
    let host = HostCsr {
        row_ptr: vec![0, 3, 4],
        col_idx: vec![2, 0, 2, 1],
        values: vec![1.0, 2.0, 4.0, 8.0],
    };
    let a = Csr::from_host(&g, 2, 3, host.clone()).unwrap();
    assert_eq!(host.to_dense(3), [2.0, 0.0, 5.0, 0.0, 8.0, 0.0]);
    // A · X with X = [3, 1] columns (1, 10), (2, 20), (3, 30), ... row-major.
    let x = Tensor::from_f32(&g, &[3, 2], &[1.0, 10.0, 2.0, 20.0, 3.0, 30.0]).unwrap();
    let y = spmm(&a, &x).unwrap().to_f32().unwrap();
    assert_eq!(y, [17.0, 170.0, 16.0, 160.0]);
    // Aᵀ · G.
    let gy = Tensor::from_f32(&g, &[2, 1], &[1.0, 10.0]).unwrap();
    let gx = spmm_transpose(&a, &gy).unwrap().to_f32().unwrap();
    assert_eq!(gx, [2.0, 80.0, 5.0]);
}
