//! `spmm` and `spmm_transpose` refuse an operand on another GPU device than the matrix, as
//! their docs state, also when the product has nothing to compute: a matrix without entries, an
//! operand without columns or an output without rows used to return zeros on the operand's
//! device without looking at the matrix's. Exact checks only.

use crate::common;

use common::gpu;
use synchgraph::graph::{spmm, spmm_transpose, Csr};
use synchgraph::{Error, Gpu, Tensor};

/// A second device, distinct from [`common::gpu`].
fn other_gpu() -> Gpu {
    Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

fn another_gpu_error(r: synchgraph::Result<Tensor>, what: &str) {
    match r {
        Err(e @ Error::InvalidInput(_)) => {
            assert!(e.to_string().contains("another GPU"), "{what}: {e}");
        }
        other => panic!("{what}: expected an InvalidInput naming another GPU, got {other:?}"),
    }
}

#[test]
fn empty_products_with_an_operand_on_another_gpu_are_errors() {
    let g = gpu();
    let other = other_gpu();
    // No entries: 3 x 3 without edges.
    let empty = Csr::from_edges(&g, 3, &[], None, false, false).unwrap();
    let x = Tensor::from_f32(&other, &[3, 2], &[1.0; 6]).unwrap();
    another_gpu_error(spmm(&empty, &x), "spmm, no entries");
    another_gpu_error(spmm_transpose(&empty, &x), "spmm_transpose, no entries");
    // An operand without feature columns.
    let a = Csr::from_edges(&g, 3, &[(0, 1), (2, 0)], None, false, false).unwrap();
    let x0 = Tensor::from_f32(&other, &[3, 0], &[]).unwrap();
    another_gpu_error(spmm(&a, &x0), "spmm, no columns");
    another_gpu_error(spmm_transpose(&a, &x0), "spmm_transpose, no columns");
    // A matrix without rows.
    let none = Csr::from_edges(&g, 0, &[], None, false, false).unwrap();
    let xn = Tensor::from_f32(&other, &[0, 2], &[]).unwrap();
    another_gpu_error(spmm(&none, &xn), "spmm, no rows");
    another_gpu_error(spmm_transpose(&none, &xn), "spmm_transpose, no rows");
    // On the matrix's own device the same products are zeros of the right shape.
    let x = Tensor::from_f32(&g, &[3, 2], &[1.0; 6]).unwrap();
    assert_eq!(spmm(&empty, &x).unwrap().to_f32().unwrap(), vec![0.0; 6]);
    let x0 = Tensor::from_f32(&g, &[3, 0], &[]).unwrap();
    assert_eq!(spmm_transpose(&a, &x0).unwrap().shape(), &[3, 0]);
}
