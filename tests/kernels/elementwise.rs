//! Elementwise kernels against plain Rust references on random inputs.
//! Tolerance: |gpu - ref| <= 1e-5 + 1e-5 |ref| for exact ops (add, sub, mul, max, min, relu,
//! neg, abs, select), 1e-6 + 2e-5 |ref| for transcendental ones (exp, log, sqrt, sigmoid, tanh,
//! division), which WGSL allows a few ulp of error.

use crate::common;
use common::*;
use synchgraph::kernels::elementwise::{self as ew, Binary, Unary};
use synchgraph::{Gpu, Tensor};

#[test]
fn unary_ops_match_reference() {
    let gpu = gpu();
    let mut rng = Rng(1);
    let ops = [
        (Unary::Relu, -4.0, 4.0, 1e-5),
        (Unary::Sigmoid, -30.0, 30.0, 2e-5),
        (Unary::Tanh, -20.0, 20.0, 2e-5),
        (Unary::Exp, -10.0, 10.0, 2e-5),
        (Unary::Neg, -4.0, 4.0, 1e-5),
        (Unary::Abs, -4.0, 4.0, 1e-5),
        (Unary::Sqrt, 0.0, 100.0, 2e-5),
        (Unary::Log, 0.01, 100.0, 2e-5),
        (Unary::Square, -4.0, 4.0, 1e-5),
        (Unary::Step, -4.0, 4.0, 0.0),
        (Unary::Recip, 0.5, 4.0, 2e-5),
    ];
    for &n in AWKWARD_SIZES {
        for (op, lo, hi, rtol) in ops {
            let x = rng.vec(n, lo, hi);
            let t = Tensor::from_f32(&gpu, &[n], &x).unwrap();
            let got = ew::unary(&t, op).unwrap().to_f32().unwrap();
            let want: Vec<f32> = x.iter().map(|&v| op.reference(v)).collect();
            assert_close(&format!("{op:?} n={n}"), &got, &want, 1e-6, rtol);
        }
    }
}

/// Every binary op on random `rows x cols` inputs against a same-shape, a row and a scalar
/// right operand. Tolerance 1e-6 + 2e-5 |ref| (division may differ by a few ulp).
fn check_binary(gpu: &Gpu, rng: &mut Rng, rows: usize, cols: usize) {
    let a = rng.vec(rows * cols, -3.0, 3.0);
    let same = rng.vec(rows * cols, 0.5, 3.0);
    let row = rng.vec(cols, 0.5, 3.0);
    let scalar = rng.vec(1, 0.5, 3.0);
    let ta = Tensor::from_f32(gpu, &[rows, cols], &a).unwrap();
    for op in [
        Binary::Add,
        Binary::Sub,
        Binary::Mul,
        Binary::Div,
        Binary::Max,
        Binary::Min,
    ] {
        for (b, shape) in [
            (&same, vec![rows, cols]),
            (&row, vec![cols]),
            (&scalar, vec![1]),
        ] {
            let tb = Tensor::from_f32(gpu, &shape, b).unwrap();
            let got = ew::binary(&ta, &tb, op).unwrap().to_f32().unwrap();
            let want: Vec<f32> = (0..rows * cols)
                .map(|i| {
                    let bv = match b.len() {
                        1 => b[0],
                        l if l == cols && shape.len() == 1 => b[i % cols],
                        _ => b[i],
                    };
                    op.reference(a[i], bv)
                })
                .collect();
            assert_close(
                &format!("{op:?} {rows}x{cols} b{shape:?}"),
                &got,
                &want,
                1e-6,
                2e-5,
            );
        }
    }
}

#[test]
fn binary_ops_broadcast_rows_and_scalars() {
    let gpu = gpu();
    let mut rng = Rng(2);
    for (rows, cols) in [(0, 3), (1, 1), (3, 5), (17, 33), (5, 257)] {
        check_binary(&gpu, &mut rng, rows, cols);
    }
}

#[test]
fn binary_unary_and_select_on_a_folded_grid() {
    // 40 x 65 = 2,600 elements: 11 workgroups of 256 on a 6 x 2 grid (one spare) at the 7
    // workgroups per dimension of `folded_gpu()`. Tolerances as above; select is a copy and
    // must be exact.
    let g = folded_gpu();
    let (rows, cols) = (40, 65);
    let n = rows * cols;
    assert_folded(&g, n, 256, 1);
    let mut rng = Rng(101);
    check_binary(&g, &mut rng, rows, cols);
    let a = rng.vec(n, -3.0, 3.0);
    let ta = Tensor::from_f32(&g, &[n], &a).unwrap();
    let got = ew::unary(&ta, Unary::Sigmoid).unwrap().to_f32().unwrap();
    let want: Vec<f32> = a.iter().map(|&v| Unary::Sigmoid.reference(v)).collect();
    assert_close("sigmoid", &got, &want, 1e-6, 2e-5);
    let other = rng.vec(n, 0.5, 3.0);
    let c: Vec<f32> = (0..n).map(|_| rng.below(2) as f32).collect();
    let tc = Tensor::from_f32(&g, &[n], &c).unwrap();
    let ty = Tensor::from_f32(&g, &[n], &other).unwrap();
    let got = ew::select(&tc, &ta, &ty).unwrap().to_f32().unwrap();
    let want: Vec<f32> = (0..n)
        .map(|i| if c[i] != 0.0 { a[i] } else { other[i] })
        .collect();
    assert_eq!(got, want, "select");
}

#[test]
fn binary_rejects_shapes_that_do_not_broadcast() {
    let gpu = gpu();
    let a = Tensor::from_f32(&gpu, &[2, 3], &[0.0; 6]).unwrap();
    let b = Tensor::from_f32(&gpu, &[2], &[0.0; 2]).unwrap();
    let err = ew::add(&a, &b).unwrap_err().to_string();
    assert!(err.contains("cannot broadcast"), "{err}");
}

#[test]
fn binary_broadcasts_an_empty_row_over_rows_without_columns() {
    // [3, 0] + [0] is the row-vector case with zero columns: an empty [3, 0] result, as for
    // every other op on zero-size tensors, not a shape error.
    let gpu = gpu();
    let a = Tensor::from_f32(&gpu, &[3, 0], &[]).unwrap();
    let b = Tensor::from_f32(&gpu, &[0], &[]).unwrap();
    for op in [Binary::Add, Binary::Mul, Binary::Max] {
        let out = ew::binary(&a, &b, op).unwrap();
        assert_eq!(out.shape(), &[3, 0], "{op:?}");
        assert!(out.to_f32().unwrap().is_empty(), "{op:?}");
    }
}

#[test]
fn scale_affine_and_select() {
    let gpu = gpu();
    let mut rng = Rng(3);
    for &n in AWKWARD_SIZES {
        let x = rng.vec(n, -2.0, 2.0);
        let y = rng.vec(n, -2.0, 2.0);
        let c: Vec<f32> = (0..n).map(|i| (i % 3 == 0) as u8 as f32).collect();
        let tx = Tensor::from_f32(&gpu, &[n], &x).unwrap();
        let ty = Tensor::from_f32(&gpu, &[n], &y).unwrap();
        let tc = Tensor::from_f32(&gpu, &[n], &c).unwrap();
        let got = ew::affine(&tx, -1.5, 0.25).unwrap().to_f32().unwrap();
        let want: Vec<f32> = x.iter().map(|v| -1.5 * v + 0.25).collect();
        assert_close("affine", &got, &want, 1e-6, 1e-6);
        let got = ew::select(&tc, &tx, &ty).unwrap().to_f32().unwrap();
        let want: Vec<f32> = (0..n)
            .map(|i| if c[i] != 0.0 { x[i] } else { y[i] })
            .collect();
        assert_eq!(got, want, "select n={n}");
    }
}

#[test]
fn one_dimensional_size_over_65535_workgroups() {
    // 65,535 * 256 + 1000 elements needs a 2-D grid of workgroups.
    let gpu = gpu();
    let n = 65_535 * 256 + 1000;
    let x: Vec<f32> = (0..n).map(|i| (i % 1013) as f32 - 500.0).collect();
    let t = Tensor::from_f32(&gpu, &[n], &x).unwrap();
    let got = ew::unary(&t, Unary::Relu).unwrap().to_f32().unwrap();
    for (i, (g, v)) in got.iter().zip(&x).enumerate() {
        assert_eq!(*g, v.max(0.0), "relu at {i}");
    }
}
