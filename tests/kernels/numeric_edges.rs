//! Softmax, softmax cross-entropy, segment reductions, neighbour max and the exclusive scan at
//! numeric edges: logits of ±80 and ±1e30, -inf entries and rows of nothing but -inf, one
//! column, rows wider than a workgroup, ties, NaN, and u32 sums past 2^32. References are plain
//! Rust in f64 (u64 for the scan); tolerances as in `softmax.rs` (one exp, an fp32 sum of at
//! most 300 terms in [0, 1] and a log or division: 1e-6 + 1e-4 |ref|), infinities and NaN
//! compared exactly.

use crate::common;
use common::*;
use synchgraph::kernels::neighbor_max::{masked_max, masked_max_backward, NO_NEIGHBOUR};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::kernels::scan::exclusive_scan;
use synchgraph::kernels::segment::{segment_expand, segment_max_backward, segment_reduce};
use synchgraph::kernels::softmax::{softmax_cross_entropy, softmax_rows};
use synchgraph::Tensor;

/// `assert_close` that also accepts equal infinities.
fn close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan())
            || (w.is_infinite() && g == w)
            || (w.is_finite() && (g - w).abs() <= 1e-6 + 1e-4 * w.abs());
        assert!(ok, "{what}[{i}]: got {g}, want {w}");
    }
}

fn softmax_ref(x: &[f32], cols: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols) {
        let m = row
            .iter()
            .fold(f64::NEG_INFINITY, |a, &v| a.max(f64::from(v)));
        let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
        out.extend(row.iter().map(|&v| (f64::from(v) - m).exp() / s));
    }
    out
}

/// Rows of the given width with extreme logits: ±80, ±1e30, -inf in some entries.
fn extreme_rows(cols: usize) -> Vec<f32> {
    let ninf = f32::NEG_INFINITY;
    let patterns: [&[f32]; 6] = [
        &[80.0, -80.0, 0.0],
        &[1e30, -1e30, 1e30],
        &[-1e30, -1e30, -1e30],
        &[2.0, ninf, -1.0, ninf],
        &[3e38, -3e38],
        &[5.0, ninf, ninf],
    ];
    let mut x = Vec::new();
    for p in patterns {
        x.extend((0..cols).map(|j| p[j % p.len()]));
    }
    x
}

#[test]
fn softmax_of_extreme_logits_matches_reference() {
    let gpu = gpu();
    for cols in [1, 2, 7, 32, 33, 300] {
        let x = extreme_rows(cols);
        let rows = x.len() / cols;
        let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
        let got = softmax_rows(&t).unwrap().to_f32().unwrap();
        let want: Vec<f32> = softmax_ref(&x, cols).iter().map(|&v| v as f32).collect();
        close(&format!("softmax {rows}x{cols}"), &got, &want);
        // Every row has a finite maximum, so it is a distribution.
        for (r, row) in got.chunks(cols).enumerate() {
            let s: f32 = row.iter().sum();
            assert!(
                (s - 1.0).abs() < 1e-4,
                "row {r} of width {cols} sums to {s}"
            );
        }
    }
}

#[test]
fn softmax_of_a_row_of_only_minus_infinity_is_nan_and_leaves_other_rows_alone() {
    let gpu = gpu();
    for cols in [1, 3, 33, 257] {
        let mut x = vec![f32::NEG_INFINITY; cols];
        x.extend((0..cols).map(|j| j as f32 * 0.1));
        let t = Tensor::from_f32(&gpu, &[2, cols], &x).unwrap();
        let got = softmax_rows(&t).unwrap().to_f32().unwrap();
        let want: Vec<f32> = softmax_ref(&x, cols).iter().map(|&v| v as f32).collect();
        assert!(want[..cols].iter().all(|v| v.is_nan()));
        close(&format!("softmax -inf row, width {cols}"), &got, &want);
    }
}

#[test]
fn cross_entropy_of_extreme_logits_matches_reference() {
    let gpu = gpu();
    for cols in [1, 3, 32, 33, 300] {
        let x = extreme_rows(cols);
        let rows = x.len() / cols;
        // Labels on the largest entry, on -80 and on -1, and one out of range; the mask weights
        // rows unevenly. Row 1 (1e30 twice) must lose ln 2 and row 2 (-1e30 everywhere) ln c,
        // however large the logits.
        let labels: Vec<u32> = (0..rows)
            .map(|r| match r {
                0 => (1 % cols) as u32,
                3 => (2 % cols) as u32,
                4 => cols as u32 + 7,
                _ => 0,
            })
            .collect();
        let mask: Vec<f32> = (0..rows).map(|r| [1.0, 0.5, 2.0][r % 3]).collect();
        let sm = softmax_ref(&x, cols);
        let w: Vec<f64> = (0..rows)
            .map(|r| {
                if (labels[r] as usize) < cols {
                    f64::from(mask[r])
                } else {
                    0.0
                }
            })
            .collect();
        let count: f64 = w.iter().sum();
        let mut loss = 0.0;
        let mut grad = vec![0.0f32; x.len()];
        for r in 0..rows {
            if w[r] == 0.0 {
                continue;
            }
            let l = labels[r] as usize;
            let row = &x[r * cols..(r + 1) * cols];
            let m = row
                .iter()
                .fold(f64::NEG_INFINITY, |a, &v| a.max(f64::from(v)));
            let log_s = row
                .iter()
                .map(|&v| (f64::from(v) - m).exp())
                .sum::<f64>()
                .ln();
            // log s - (x_l - m): exact where m + log s would round log s away.
            loss += w[r] * (log_s - (f64::from(row[l]) - m));
            for j in 0..cols {
                let onehot = if j == l { 1.0 } else { 0.0 };
                grad[r * cols + j] = ((sm[r * cols + j] - onehot) * w[r] / count) as f32;
            }
        }
        let loss = (loss / count) as f32;
        let (gl, gg) = softmax_cross_entropy(
            &Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap(),
            &Tensor::from_u32(&gpu, &[rows], &labels).unwrap(),
            Some(&Tensor::from_f32(&gpu, &[rows], &mask).unwrap()),
        )
        .unwrap();
        let what = format!("ce {rows}x{cols}");
        close(&what, &[gl.item().unwrap()], &[loss]);
        close(&what, &gg.to_f32().unwrap(), &grad);
    }
}

#[test]
fn cross_entropy_of_equal_large_logits_is_log_of_the_class_count() {
    // Two equal logits of 1e8 (one workgroup thread per row) or 40 (one workgroup per row):
    // the loss is ln c and the gradient 1/c - onehot, whatever the logits' magnitude; an f32
    // log-sum-exp of 1e8 + ln c rounds ln c away.
    let gpu = gpu();
    for (cols, v) in [(2usize, 1e8f32), (40, -1e8), (3, 1e30)] {
        let x = vec![v; cols];
        let (loss, grad) = softmax_cross_entropy(
            &Tensor::from_f32(&gpu, &[1, cols], &x).unwrap(),
            &Tensor::from_u32(&gpu, &[1], &[0]).unwrap(),
            None,
        )
        .unwrap();
        let what = format!("ce of {cols} x {v}");
        close(&what, &[loss.item().unwrap()], &[(cols as f32).ln()]);
        let mut want = vec![1.0 / cols as f32; cols];
        want[0] -= 1.0;
        close(&what, &grad.to_f32().unwrap(), &want);
    }
}

#[test]
fn cross_entropy_ignores_masked_rows_of_only_minus_infinity() {
    // A row of nothing but -inf has no softmax (NaN); with weight 0 it must not reach the
    // loss or any gradient.
    let gpu = gpu();
    for cols in [2, 40] {
        let mut x = vec![f32::NEG_INFINITY; cols];
        x.extend((0..cols).map(|j| j as f32));
        let labels = [0u32, 1];
        let (loss, grad) = softmax_cross_entropy(
            &Tensor::from_f32(&gpu, &[2, cols], &x).unwrap(),
            &Tensor::from_u32(&gpu, &[2], &labels).unwrap(),
            Some(&Tensor::from_f32(&gpu, &[2], &[0.0, 1.0]).unwrap()),
        )
        .unwrap();
        let sm = softmax_ref(&x[cols..], cols);
        let want_loss = -sm[1].ln() as f32;
        close("ce loss", &[loss.item().unwrap()], &[want_loss]);
        let mut want = vec![0.0f32; cols];
        want.extend(
            sm.iter()
                .enumerate()
                .map(|(j, &p)| (p - f64::from(u8::from(j == 1))) as f32),
        );
        close("ce grad", &grad.to_f32().unwrap(), &want);
    }
}

#[test]
fn cross_entropy_with_a_nan_weight_is_nan() {
    // Row weights are the mask: loss = Σ w_i nll_i / Σ w_i and grad_i = (p_i - onehot_i) w_i /
    // Σ w_i. A NaN weight is not 0, so the loss and every gradient are NaN (the shader's
    // ordered `!=` took the NaN weight, and the NaN total, for 0: loss and gradients 0).
    // Rows of 3 (one thread per row) and 40 (a workgroup per row) columns.
    let gpu = gpu();
    for cols in [3, 40] {
        let x: Vec<f32> = (0..3 * cols).map(|i| (i % 7) as f32 * 0.5).collect();
        let (loss, grad) = softmax_cross_entropy(
            &Tensor::from_f32(&gpu, &[3, cols], &x).unwrap(),
            &Tensor::from_u32(&gpu, &[3], &[0, 1, 2]).unwrap(),
            Some(&Tensor::from_f32(&gpu, &[3], &[1.0, f32::NAN, 1.0]).unwrap()),
        )
        .unwrap();
        let loss = loss.item().unwrap();
        assert!(loss.is_nan(), "{cols} columns: loss {loss}");
        let grad = grad.to_f32().unwrap();
        assert!(grad.iter().all(|g| g.is_nan()), "{cols} columns: {grad:?}");
    }
}

#[test]
fn segment_reduce_of_single_rows_and_infinities() {
    let gpu = gpu();
    let inf = f32::INFINITY;
    // Segments: [0] one row, [1..1) empty, [1..4), [4..5) one row, [5..5) empty at the end.
    let x = [-inf, 2.0, 5.0, inf, -3.0];
    let off = [0u32, 1, 1, 4, 5, 5];
    let tx = Tensor::from_f32(&gpu, &[5, 1], &x).unwrap();
    let to = Tensor::from_u32(&gpu, &[6], &off).unwrap();
    let (sum, _) = segment_reduce(&tx, &to, ReduceOp::Sum).unwrap();
    let (mean, _) = segment_reduce(&tx, &to, ReduceOp::Mean).unwrap();
    let (max, arg) = segment_reduce(&tx, &to, ReduceOp::Max).unwrap();
    close("sum", &sum.to_f32().unwrap(), &[-inf, 0.0, inf, -3.0, 0.0]);
    close(
        "mean",
        &mean.to_f32().unwrap(),
        &[-inf, 0.0, inf, -3.0, 0.0],
    );
    close("max", &max.to_f32().unwrap(), &[-inf, 0.0, inf, -3.0, 0.0]);
    let arg = arg.unwrap();
    assert_eq!(arg.to_u32().unwrap(), [0, u32::MAX, 3, 4, u32::MAX]);
    // Gradients: empty segments send nothing; a one-row mean passes its gradient unchanged.
    let g = Tensor::from_f32(&gpu, &[5, 1], &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    let dm = segment_expand(&g, &to, 5, ReduceOp::Mean).unwrap();
    close(
        "mean grad",
        &dm.to_f32().unwrap(),
        &[1.0, 1.0, 1.0, 1.0, 4.0],
    );
    let dx = segment_max_backward(&g, &arg, 5).unwrap();
    assert_eq!(dx.to_f32().unwrap(), [1.0, 0.0, 0.0, 3.0, 4.0]);
}

#[test]
fn neighbour_max_ties_send_the_gradient_to_the_lowest_neighbour() {
    let gpu = gpu();
    // Node 0: neighbours 1, 2, 3 all equal; node 1: no neighbour; node 2: neighbours 0 and 3,
    // with -inf at both; node 3: neighbours 2 and 3 tied at -inf and 7 in the second column.
    let (m, c) = (4, 2);
    let mask = [
        0.0, 1.0, 1.0, 1.0, //
        0.0, 0.0, 0.0, -1.0, //
        1.0, 0.0, 0.0, 1.0, //
        0.0, 0.0, 1.0, 1.0,
    ];
    let ninf = f32::NEG_INFINITY;
    let h = [ninf, 1.0, 4.0, 4.0, 4.0, 7.0, ninf, 7.0];
    let tm = Tensor::from_f32(&gpu, &[m, m], &mask).unwrap();
    let th = Tensor::from_f32(&gpu, &[m, c], &h).unwrap();
    for _ in 0..3 {
        let (out, arg) = masked_max(&tm, &th).unwrap();
        close(
            "neighbour max",
            &out.to_f32().unwrap(),
            &[4.0, 7.0, 0.0, 0.0, ninf, 7.0, 4.0, 7.0],
        );
        assert_eq!(
            arg.to_u32().unwrap(),
            [1, 2, NO_NEIGHBOUR, NO_NEIGHBOUR, 0, 3, 2, 2]
        );
        let g = Tensor::from_f32(&gpu, &[m, c], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        let dh = masked_max_backward(&tm, &arg, &g).unwrap();
        assert_eq!(
            dh.to_f32().unwrap(),
            [5.0, 0.0, 1.0, 0.0, 7.0, 10.0, 0.0, 6.0]
        );
    }
}

#[test]
fn exclusive_scan_wraps_modulo_two_to_the_32() {
    // The documented behaviour: sums wrap, in every block and across blocks; sizes just over
    // a multiple of the 1,024-value block.
    let gpu = gpu();
    let mut rng = Rng(61);
    for n in [3usize, 1025, 2049] {
        let x: Vec<u32> = (0..n)
            .map(|_| (u32::MAX / 3).wrapping_add(rng.below(1000) as u32))
            .collect();
        let got = exclusive_scan(&Tensor::from_u32(&gpu, &[n], &x).unwrap())
            .unwrap()
            .to_u32()
            .unwrap();
        let mut want = vec![0u64];
        for &v in &x {
            want.push(want.last().unwrap() + u64::from(v));
        }
        assert!(*want.last().unwrap() > u64::from(u32::MAX));
        let want: Vec<u32> = want.iter().map(|&v| v as u32).collect();
        assert_eq!(got, want, "scan n={n}");
    }
}
