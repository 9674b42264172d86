//! `reduce_cols` folds the same row chunks on every device and grid: its result for tall
//! inputs, past the point where a grid of `common::FOLD_DIM` workgroups per dimension must fold,
//! is bit for bit the result on the ordinary device (the chunk used to grow with the rows over
//! the grid limit, so the sum order, and the fp32 result, depended on the device's limit).
//! Also checked against an f64 reference: |gpu - ref| <= 1e-6 n + 1e-5 |ref| for sum and mean
//! of n terms in [-1, 1) (as tests/kernels/reduce.rs), max exact.

use crate::common;
use common::*;
use synchgraph::kernels::reduce::{reduce_cols, ReduceOp};
use synchgraph::Tensor;

fn col_reference(x: &[f32], rows: usize, cols: usize, op: ReduceOp) -> Vec<f32> {
    (0..cols)
        .map(|c| {
            let vals = (0..rows).map(|r| x[r * cols + c]);
            match op {
                ReduceOp::Max => vals.fold(f32::NEG_INFINITY, f32::max),
                ReduceOp::Sum => vals.map(f64::from).sum::<f64>() as f32,
                ReduceOp::Mean => (vals.map(f64::from).sum::<f64>() / rows as f64) as f32,
            }
        })
        .collect()
}

#[test]
fn tall_reduce_cols_is_the_same_on_a_folded_grid() {
    let plain = gpu();
    let folded = folded_gpu();
    let mut rng = Rng(77);
    // 3,000 rows need 12 chunks of 256 (more than FOLD_DIM z layers); 2,500 x 70 has 2 column
    // blocks of 64 and 10 chunks; 12,000 x 1 has 47 chunks (within the 7 x 7 = 49 workgroups
    // of the folded device). All take two passes.
    for (rows, cols) in [(3000usize, 3usize), (2500, 70), (12_000, 1), (1800, 16)] {
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let a = Tensor::from_f32(&plain, &[rows, cols], &x).unwrap();
        let b = Tensor::from_f32(&folded, &[rows, cols], &x).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let want = col_reference(&x, rows, cols, op);
            let got_plain = reduce_cols(&a, op).unwrap().to_f32().unwrap();
            let got_folded = reduce_cols(&b, op).unwrap().to_f32().unwrap();
            let what = format!("reduce_cols {op:?} {rows}x{cols}");
            assert_close(&what, &got_plain, &want, 1e-6 * rows as f32, 1e-5);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&got_folded),
                bits(&got_plain),
                "{what}: folded {got_folded:?}, plain {got_plain:?}"
            );
        }
    }
}
