//! Size arithmetic of the kernel dispatchers on huge (but legal) dimensions: an empty tensor may
//! have any other dimension (`[0, 2^62]` holds nothing), and some kernels take a row count `n`
//! from the caller. Products and sums of such sizes must come back as an `Err` naming the op,
//! never panic with "attempt to multiply with overflow" (tests build with overflow checks) or
//! wrap. An empty product whose other sizes are huge is still an empty result.

use crate::common;
use common::*;
use synchgraph::kernels::layout::{concat_cols, gather_rows, scatter_add_rows, ScatterPlan};
use synchgraph::kernels::matmul::{matmul, matmul_nt, matmul_tn};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::kernels::segment::{segment_expand, segment_max_backward, segment_reduce};
use synchgraph::{DType, Error, Tensor};

const HUGE: usize = 1 << 62;

/// An `Err` that is not an internal failure: the op refused the sizes.
fn refused<T: std::fmt::Debug>(what: &str, r: synchgraph::Result<T>) {
    match r {
        Err(Error::Shape { .. } | Error::TooLarge { .. } | Error::InvalidInput(_)) => {}
        other => panic!("{what}: expected a size error, got {other:?}"),
    }
}

fn run<T>(what: &str, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked on huge sizes"))
}

#[test]
fn segment_backward_with_a_huge_row_count_is_an_error() {
    let gpu = gpu();
    let grad = Tensor::from_f32(&gpu, &[2, 3], &[1.0; 6]).unwrap();
    let offsets = Tensor::from_u32(&gpu, &[3], &[0, 1, 2]).unwrap();
    let arg = Tensor::from_u32(&gpu, &[2, 3], &[0; 6]).unwrap();
    for n in [HUGE, usize::MAX] {
        refused(
            "segment_expand",
            run("segment_expand", || {
                segment_expand(&grad, &offsets, n, ReduceOp::Sum)
            }),
        );
        refused(
            "segment_max_backward",
            run("segment_max_backward", || {
                segment_max_backward(&grad, &arg, n)
            }),
        );
    }
}

#[test]
fn segment_expand_of_huge_empty_grad_is_an_error() {
    let gpu = gpu();
    // [usize::MAX, 0] holds nothing; its offsets would need usize::MAX + 1 entries.
    let grad = Tensor::empty(&gpu, &[usize::MAX, 0], DType::F32).unwrap();
    let offsets = Tensor::from_u32(&gpu, &[1], &[0]).unwrap();
    refused(
        "segment_expand",
        run("segment_expand", || {
            segment_expand(&grad, &offsets, 4, ReduceOp::Mean)
        }),
    );
}

#[test]
fn segment_reduce_of_huge_empty_features_is_an_error() {
    let gpu = gpu();
    let x = Tensor::empty(&gpu, &[0, HUGE], DType::F32).unwrap();
    let offsets = Tensor::from_u32(&gpu, &[5], &[0; 5]).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Max] {
        refused(
            "segment_reduce",
            run("segment_reduce", || segment_reduce(&x, &offsets, op)),
        );
    }
}

#[test]
fn scatter_with_a_huge_destination_count_is_an_error() {
    let gpu = gpu();
    let idx = Tensor::from_u32(&gpu, &[3], &[0, 1, 0]).unwrap();
    let src = Tensor::from_f32(&gpu, &[3, 2], &[1.0; 6]).unwrap();
    for n in [HUGE, usize::MAX] {
        refused(
            "ScatterPlan::new",
            run("ScatterPlan::new", || ScatterPlan::new(&idx, n)),
        );
        refused(
            "scatter_add_rows",
            run("scatter_add_rows", || scatter_add_rows(&src, &idx, n)),
        );
    }
}

#[test]
fn gather_of_huge_empty_rows_is_an_error() {
    let gpu = gpu();
    let idx = Tensor::from_u32(&gpu, &[4], &[0; 4]).unwrap();
    // Four rows of 2^62 (or 2^80, whose product overflows) elements each.
    for shape in [vec![0, HUGE], vec![0, 1 << 40, 1 << 40]] {
        let x = Tensor::empty(&gpu, &shape, DType::F32).unwrap();
        refused("gather_rows", run("gather_rows", || gather_rows(&x, &idx)));
    }
}

#[test]
fn concat_of_huge_empty_parts_is_an_error() {
    let gpu = gpu();
    let a = Tensor::empty(&gpu, &[0, usize::MAX / 2 + 1], DType::F32).unwrap();
    refused("concat_cols", run("concat_cols", || concat_cols(&[&a, &a])));
}

#[test]
fn matmul_of_huge_empty_operands() {
    let gpu = gpu();
    let big = 1usize << 40;
    // [2^40, 0] · [0, 2^40] would be 2^80 elements: refused.
    let a = Tensor::empty(&gpu, &[big, 0], DType::F32).unwrap();
    let b = Tensor::empty(&gpu, &[0, big], DType::F32).unwrap();
    refused("matmul", run("matmul", || matmul(&a, &b)));
    // The transposed forms read the same operands with m and n exchanged.
    let at = Tensor::empty(&gpu, &[0, big], DType::F32).unwrap();
    refused("matmul_tn", run("matmul_tn", || matmul_tn(&at, &b)));
    let bt = Tensor::empty(&gpu, &[big, 0], DType::F32).unwrap();
    refused("matmul_nt", run("matmul_nt", || matmul_nt(&a, &bt)));
    // k = 0 gives zeros: [2^40, 0] · [0, 3] would be 3 * 2^40 of them, over any binding.
    let c = Tensor::empty(&gpu, &[0, 3], DType::F32).unwrap();
    refused("matmul", run("matmul", || matmul(&a, &c)));
    // [2^40, 0] · [0, 0] and [0, 0] · [0, 2^40] hold nothing: empty results of those shapes.
    let z = Tensor::empty(&gpu, &[0, 0], DType::F32).unwrap();
    let out = run("matmul", || matmul(&a, &z)).unwrap();
    assert_eq!(out.shape(), &[big, 0]);
    let out = run("matmul", || matmul(&z, &b)).unwrap();
    assert_eq!(out.shape(), &[0, big]);
}
