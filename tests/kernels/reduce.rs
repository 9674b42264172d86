//! Reductions against plain Rust f64 references on random inputs in [-1, 1).
//! Tolerance: sum and mean |gpu - ref| <= 1e-6 * n + 1e-5 |ref| for n reduced terms (an fp32
//! tree sum of n terms of magnitude <= 1 has error <= log2(n) * 2^-24 * n, well inside 1e-6 n);
//! max is exact (compared bit for bit).

use crate::common;
use common::*;
use synchgraph::kernels::reduce::{reduce_cols, reduce_rows, sum_all, ReduceOp};
use synchgraph::{DType, Error, Tensor};

fn reference(x: &[f32], rows: usize, cols: usize, op: ReduceOp, along_rows: bool) -> Vec<f32> {
    let (outer, inner) = if along_rows {
        (rows, cols)
    } else {
        (cols, rows)
    };
    (0..outer)
        .map(|o| {
            let vals = (0..inner).map(|i| {
                if along_rows {
                    x[o * cols + i]
                } else {
                    x[i * cols + o]
                }
            });
            match op {
                ReduceOp::Max => vals.fold(f32::NEG_INFINITY, f32::max),
                ReduceOp::Sum => vals.map(f64::from).sum::<f64>() as f32,
                ReduceOp::Mean if inner == 0 => 0.0,
                ReduceOp::Mean => (vals.map(f64::from).sum::<f64>() / inner as f64) as f32,
            }
        })
        .collect()
}

fn check(what: &str, got: &[f32], want: &[f32], op: ReduceOp, n: usize) {
    if op == ReduceOp::Max {
        assert_eq!(got, want, "{what}");
    } else {
        assert_close(what, got, want, 1e-6 * n.max(1) as f32, 1e-5);
    }
}

const SHAPES: &[(usize, usize)] = &[
    (0, 5),
    (5, 0),
    (0, 0),
    (1, 1),
    (3, 7),
    (9, 32),
    (9, 33),
    (2, 255),
    (4, 257),
    (1, 4096),
    (3, 9000),
    (300, 3),
    (1000, 1),
    (600, 70),
    (20_000, 2),
];

#[test]
fn reduce_rows_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(31);
    for &(rows, cols) in SHAPES {
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let got = reduce_rows(&t, op).unwrap();
            assert_eq!(got.shape(), &[rows]);
            let want = reference(&x, rows, cols, op, true);
            let what = format!("reduce_rows {op:?} {rows}x{cols}");
            check(&what, &got.to_f32().unwrap(), &want, op, cols);
        }
    }
}

#[test]
fn reduce_cols_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(32);
    for &(rows, cols) in SHAPES {
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let got = reduce_cols(&t, op).unwrap();
            assert_eq!(got.shape(), &[cols]);
            let want = reference(&x, rows, cols, op, false);
            let what = format!("reduce_cols {op:?} {rows}x{cols}");
            check(&what, &got.to_f32().unwrap(), &want, op, rows);
        }
    }
}

#[test]
fn empty_reductions_have_documented_values() {
    let gpu = gpu();
    let t = Tensor::from_f32(&gpu, &[2, 0], &[]).unwrap();
    assert_eq!(
        reduce_rows(&t, ReduceOp::Sum).unwrap().to_f32().unwrap(),
        [0.0; 2]
    );
    assert_eq!(
        reduce_rows(&t, ReduceOp::Mean).unwrap().to_f32().unwrap(),
        [0.0; 2]
    );
    let m = reduce_rows(&t, ReduceOp::Max).unwrap().to_f32().unwrap();
    assert_eq!(m, [f32::NEG_INFINITY; 2]);
    let t = Tensor::from_f32(&gpu, &[0, 3], &[]).unwrap();
    let m = reduce_cols(&t, ReduceOp::Max).unwrap().to_f32().unwrap();
    assert_eq!(m, [f32::NEG_INFINITY; 3]);
    assert_eq!(sum_all(&t).unwrap().to_f32().unwrap(), [0.0]);
}

#[test]
fn sum_all_over_many_workgroups_and_passes() {
    // 5,000,000 elements: 1,221 workgroups in the first pass, then a second pass; integer
    // values keep every partial sum exact, so the result must match exactly.
    let gpu = gpu();
    let n = 5_000_000;
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 17) as f32 - 8.0).collect();
    let want: f64 = x.iter().map(|&v| f64::from(v)).sum();
    let t = Tensor::from_f32(&gpu, &[1000, 5000], &x).unwrap();
    let got = sum_all(&t).unwrap();
    assert_eq!(got.shape(), &[1]);
    assert_eq!(got.item().unwrap(), want as f32);
    // A tall column (5,000,000 rows) goes through three passes of reduce_cols.
    let tall = t.reshape(&[n, 1]).unwrap();
    assert_eq!(
        reduce_cols(&tall, ReduceOp::Sum).unwrap().item().unwrap(),
        want as f32
    );
    let m = reduce_cols(&tall, ReduceOp::Max).unwrap().item().unwrap();
    assert_eq!(m, 8.0);
}

#[test]
fn reduce_rows_over_65535_workgroups() {
    // One workgroup per row (cols > SMALL_COLS): 70,000 rows need a 2-D grid of workgroups.
    let gpu = gpu();
    let (rows, cols) = (70_000, 40);
    let x: Vec<f32> = (0..rows * cols).map(|i| (i % 13) as f32).collect();
    let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
    let got = reduce_rows(&t, ReduceOp::Sum).unwrap().to_f32().unwrap();
    assert_eq!(got, reference(&x, rows, cols, ReduceOp::Sum, true));
}

#[test]
fn errors_name_the_op() {
    let gpu = gpu();
    let u = Tensor::zeros(&gpu, &[2, 3], DType::U32).unwrap();
    for (op, e) in [
        ("reduce_rows", reduce_rows(&u, ReduceOp::Sum).unwrap_err()),
        ("reduce_cols", reduce_cols(&u, ReduceOp::Max).unwrap_err()),
        ("sum_all", sum_all(&u).unwrap_err()),
    ] {
        assert!(matches!(&e, Error::DType { op: o, .. } if o == op), "{e}");
    }
}

#[test]
fn reductions_on_a_folded_grid() {
    // Tolerance as tests/kernels/reduce.rs: sum and mean 1e-6 n + 1e-5 |ref| for n terms in [-1, 1)
    // (fp32 tree sums, f64 reference); max is exact.
    let g = folded_gpu();
    let mut rng = Rng(106);
    // reduce_rows_small: one thread per row of <= 32 columns; 2,600 rows = 11 workgroups.
    let (rows, cols) = (2600, 5);
    assert_folded(&g, rows, 256, 1);
    let x = rng.vec(rows * cols, -1.0, 1.0);
    let t = Tensor::from_f32(&g, &[rows, cols], &x).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
        let got = reduce_rows(&t, op).unwrap().to_f32().unwrap();
        let want = reference(&x, rows, cols, op, true);
        check(&format!("reduce_rows {op:?}"), &got, &want, op, cols);
    }
    // reduce_cols, 64 columns per workgroup, 256-row chunks, one flat (folded) grid of
    // (column block, row chunk) workgroups: 700 columns x 600 rows = 11 blocks x 3 chunks = 33
    // workgroups (a 7 x 5 grid). Then 3 columns (4 per workgroup) of 3,000 rows: 12 chunks, a
    // 7 x 2 grid, and a second pass for the 12 partial rows.
    for (rows, cols) in [(600usize, 700usize), (3000, 3)] {
        assert_folded(&g, cols.div_ceil(64) * rows.div_ceil(256), 1, 0);
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let t = Tensor::from_f32(&g, &[rows, cols], &x).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let got = reduce_cols(&t, op).unwrap().to_f32().unwrap();
            let want = reference(&x, rows, cols, op, false);
            check(
                &format!("reduce_cols {op:?} {rows}x{cols}"),
                &got,
                &want,
                op,
                rows,
            );
        }
    }
}
