//! NaN propagation of the dense kernels, as documented: `Unary::Tanh` is `f32::tanh` (its
//! `reference`), so a NaN input gives NaN (the shader's overflow clamp used to turn it into
//! -1), and a max reduction over a NaN is NaN wherever the NaN sits, like every max kernel of
//! the crate (`max_takes` in `shaders/common.wgsl`) and like sum and mean (the builtin `max`
//! dropped it). Values are compared exactly: NaN must be NaN, other outputs bit for bit.

use crate::common;
use common::*;
use synchgraph::kernels::elementwise::{unary, Unary};
use synchgraph::kernels::reduce::{reduce_cols, reduce_rows, ReduceOp};
use synchgraph::Tensor;

#[test]
fn tanh_of_nan_is_nan() {
    let gpu = gpu();
    let x = [
        f32::NAN,
        -f32::NAN,
        20.0,
        -20.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
    ];
    let t = Tensor::from_f32(&gpu, &[x.len()], &x).unwrap();
    let got = unary(&t, Unary::Tanh).unwrap().to_f32().unwrap();
    assert!(got[0].is_nan() && got[1].is_nan(), "tanh(NaN) gave {got:?}");
    assert_eq!(&got[2..], &[1.0, -1.0, 1.0, -1.0, 0.0], "{got:?}");
}

/// Row r of an [r, cols] matrix of finite values, with NaN at column `at[r]` (None: no NaN).
fn rows_with_nan(rng: &mut Rng, cols: usize, at: &[Option<usize>]) -> Vec<f32> {
    let mut x = rng.vec(at.len() * cols, -5.0, 5.0);
    for (r, a) in at.iter().enumerate() {
        if let Some(c) = a {
            x[r * cols + c] = f32::NAN;
        }
    }
    x
}

/// Exact max of each row: NaN if the row holds one.
fn row_max(x: &[f32], cols: usize) -> Vec<f32> {
    x.chunks(cols)
        .map(|row| match row.iter().any(|v| v.is_nan()) {
            true => f32::NAN,
            false => row.iter().copied().fold(f32::NEG_INFINITY, f32::max),
        })
        .collect()
}

fn assert_same(what: &str, got: &[f32], want: &[f32]) {
    let bits = |v: &[f32]| -> Vec<u32> {
        v.iter()
            .map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() })
            .collect()
    };
    assert_eq!(bits(got), bits(want), "{what}: got {got:?}");
}

#[test]
fn max_reductions_propagate_nan_wherever_it_sits() {
    let gpu = gpu();
    let mut rng = Rng(2026);
    // Row lengths for the thread-per-row kernel (5), the workgroup kernel (40, 300) and the
    // multi-pass one (9000 > ROW_CHUNK). Rows: NaN first, last, in the middle, none, and two
    // thirds along (in another workgroup than the middle one of the 9000-column row).
    for cols in [5usize, 40, 300, 9000] {
        let at = [
            Some(0),
            Some(cols - 1),
            Some(cols / 2),
            None,
            Some(cols * 2 / 3),
        ];
        let x = rows_with_nan(&mut rng, cols, &at);
        let want = row_max(&x, cols);
        let t = Tensor::from_f32(&gpu, &[at.len(), cols], &x).unwrap();
        let got = reduce_rows(&t, ReduceOp::Max).unwrap().to_f32().unwrap();
        assert_same(&format!("reduce_rows max, {cols} columns"), &got, &want);

        // The same data transposed: column c of [cols, rows] is row c above. Tall columns
        // (9000 rows) take two passes of reduce_cols.
        let rows = at.len();
        let xt: Vec<f32> = (0..cols * rows)
            .map(|i| x[(i % rows) * cols + i / rows])
            .collect();
        let t = Tensor::from_f32(&gpu, &[cols, rows], &xt).unwrap();
        let got = reduce_cols(&t, ReduceOp::Max).unwrap().to_f32().unwrap();
        assert_same(&format!("reduce_cols max, {cols} rows"), &got, &want);
    }
    // A row of NaNs only, and one NaN among -inf.
    let x = [f32::NAN, f32::NAN, f32::NEG_INFINITY, f32::NAN];
    let t = Tensor::from_f32(&gpu, &[2, 2], &x).unwrap();
    let got = reduce_rows(&t, ReduceOp::Max).unwrap().to_f32().unwrap();
    assert!(got.iter().all(|v| v.is_nan()), "{got:?}");
}

/// `select(cond, a, b)` is `cond != 0 ? a : b` as documented, so a NaN condition (NaN != 0)
/// picks `a`, like the plain Rust reference; only the two zeros pick `b`. The shader's `!=` is
/// an ordered comparison, false for a NaN, and picked `b`. Exact comparison (a copy).
#[test]
fn select_with_a_nan_condition_picks_a() {
    let gpu = gpu();
    let cond = [
        f32::NAN,
        -f32::NAN,
        0.0,
        -0.0,
        1.0,
        -1.0,
        f32::INFINITY,
        1e-40,
    ];
    let n = cond.len();
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| -(i as f32) - 1.0).collect();
    let t = |v: &[f32]| Tensor::from_f32(&gpu, &[n], v).unwrap();
    let got = synchgraph::kernels::elementwise::select(&t(&cond), &t(&a), &t(&b))
        .unwrap()
        .to_f32()
        .unwrap();
    let want: Vec<f32> = (0..n)
        .map(|i| if cond[i] != 0.0 { a[i] } else { b[i] })
        .collect();
    assert_eq!(got, want, "select by {cond:?}");
}
