//! Softmax and softmax cross-entropy against plain Rust f64 references on random logits.
//! Tolerance: probabilities and gradients |gpu - ref| <= 1e-6 + 1e-4 |ref|; the loss
//! 1e-5 + 1e-4 |ref|. Each value goes through one exp (a few ulp in WGSL), an fp32 sum of c
//! terms in [0, 1] after max subtraction (relative error <= c * 2^-24 ~ 2e-5 for c = 300) and
//! one division or log; the loss adds an fp32 mean over the rows.

use crate::common;
use common::*;
use synchgraph::kernels::softmax::{softmax_cross_entropy, softmax_rows};
use synchgraph::{DType, Error, Tensor};

fn softmax_ref(x: &[f32], cols: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols.max(1)) {
        let m = row
            .iter()
            .fold(f64::NEG_INFINITY, |a, &v| a.max(f64::from(v)));
        let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
        out.extend(row.iter().map(|&v| ((f64::from(v) - m).exp() / s) as f32));
    }
    out
}

/// (loss, grad) with the documented weighting.
fn ce_ref(x: &[f32], labels: &[u32], mask: Option<&[f32]>, c: usize) -> (f32, Vec<f32>) {
    let sm = softmax_ref(x, c);
    let w: Vec<f64> = (0..labels.len())
        .map(|i| {
            let m = mask.map_or(1.0, |m| f64::from(m[i]));
            if (labels[i] as usize) < c {
                m
            } else {
                0.0
            }
        })
        .collect();
    let count: f64 = w.iter().sum();
    let mut loss = 0.0;
    let mut grad = vec![0.0f32; x.len()];
    if count != 0.0 {
        for (i, &l) in labels.iter().enumerate() {
            if w[i] == 0.0 {
                continue;
            }
            let l = l as usize;
            loss -= w[i] * f64::from(sm[i * c + l]).ln();
            for j in 0..c {
                let onehot = if j == l { 1.0 } else { 0.0 };
                grad[i * c + j] = ((f64::from(sm[i * c + j]) - onehot) * w[i] / count) as f32;
            }
        }
        loss /= count;
    }
    (loss as f32, grad)
}

#[test]
fn softmax_rows_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(21);
    for (rows, cols) in [
        (0, 5),
        (3, 0),
        (1, 1),
        (1, 7),
        (5, 255),
        (4, 256),
        (3, 257),
        (2, 1000),
    ] {
        let x = rng.vec(rows * cols, -20.0, 20.0);
        let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
        let got = softmax_rows(&t).unwrap().to_f32().unwrap();
        assert_close(
            &format!("softmax {rows}x{cols}"),
            &got,
            &softmax_ref(&x, cols),
            1e-6,
            1e-4,
        );
    }
    // Large offsets must not overflow (max subtraction).
    let x = [1000.0, 1001.0, 999.0];
    let t = Tensor::from_f32(&gpu, &[1, 3], &x).unwrap();
    let got = softmax_rows(&t).unwrap().to_f32().unwrap();
    assert_close("stable", &got, &softmax_ref(&x, 3), 1e-6, 1e-4);
}

#[test]
fn softmax_rows_over_65535_rows() {
    // One workgroup per row (cols > SMALL_COLS): 70,000 rows need a 2-D grid of workgroups
    // (35,000 x 2). Random logits, so that no row repeats another: a kernel that took row
    // r + 35,000 for row r (the wrong half of the grid) must fail.
    let gpu = gpu();
    let mut rng = Rng(24);
    let (rows, cols) = (70_000, 33);
    let x = rng.vec(rows * cols, -5.0, 5.0);
    let t = Tensor::from_f32(&gpu, &[rows, cols], &x).unwrap();
    let got = softmax_rows(&t).unwrap().to_f32().unwrap();
    assert_close("softmax 70000x33", &got, &softmax_ref(&x, cols), 1e-6, 1e-4);
}

#[test]
fn cross_entropy_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(22);
    for (r, c) in [
        (0, 4),
        (1, 1),
        (1, 5),
        (7, 3),
        (300, 10),
        (40, 32),
        (40, 33),
        (33, 300),
    ] {
        let x = rng.vec(r * c, -5.0, 5.0);
        // Some labels out of range (they must contribute nothing).
        let labels: Vec<u32> = (0..r)
            .map(|i| {
                if i % 11 == 5 {
                    c as u32 + 3
                } else {
                    rng.below(c) as u32
                }
            })
            .collect();
        let mask: Vec<f32> = (0..r).map(|i| f32::from(u8::from(i % 4 != 1))).collect();
        let tx = Tensor::from_f32(&gpu, &[r, c], &x).unwrap();
        let tl = Tensor::from_u32(&gpu, &[r], &labels).unwrap();
        let tm = Tensor::from_f32(&gpu, &[r], &mask).unwrap();
        for m in [None, Some(&tm)] {
            let (loss, grad) = softmax_cross_entropy(&tx, &tl, m).unwrap();
            assert_eq!(loss.shape(), &[1]);
            assert_eq!(grad.shape(), &[r, c]);
            let (wl, wg) = ce_ref(&x, &labels, m.map(|_| &mask[..]), c);
            let what = format!("ce {r}x{c} mask={}", m.is_some());
            assert_close(&what, &[loss.item().unwrap()], &[wl], 1e-5, 1e-4);
            assert_close(&what, &grad.to_f32().unwrap(), &wg, 1e-6, 1e-4);
        }
    }
}

#[test]
fn cross_entropy_is_deterministic_and_fully_masked_is_zero() {
    let gpu = gpu();
    let mut rng = Rng(23);
    let (r, c) = (1000, 7);
    let x = rng.vec(r * c, -3.0, 3.0);
    let labels: Vec<u32> = (0..r).map(|_| rng.below(c) as u32).collect();
    let tx = Tensor::from_f32(&gpu, &[r, c], &x).unwrap();
    let tl = Tensor::from_u32(&gpu, &[r], &labels).unwrap();
    let a = softmax_cross_entropy(&tx, &tl, None)
        .unwrap()
        .0
        .item()
        .unwrap();
    let b = softmax_cross_entropy(&tx, &tl, None)
        .unwrap()
        .0
        .item()
        .unwrap();
    assert_eq!(a.to_bits(), b.to_bits());
    assert!(a > 0.5, "loss {a}");
    let zeros = Tensor::from_f32(&gpu, &[r], &vec![0.0; r]).unwrap();
    let (loss, grad) = softmax_cross_entropy(&tx, &tl, Some(&zeros)).unwrap();
    assert_eq!(loss.item().unwrap(), 0.0);
    assert!(grad.to_f32().unwrap().iter().all(|&g| g == 0.0));
}

#[test]
fn errors_name_the_op() {
    let gpu = gpu();
    let x = Tensor::from_f32(&gpu, &[2, 3], &[0.0; 6]).unwrap();
    let l = Tensor::from_u32(&gpu, &[2], &[0, 1]).unwrap();
    let bad_l = Tensor::from_u32(&gpu, &[3], &[0, 1, 2]).unwrap();
    let e = softmax_cross_entropy(&x, &bad_l, None).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "softmax_cross_entropy"),
        "{e}"
    );
    let e = softmax_cross_entropy(&x, &x, None).unwrap_err();
    assert!(
        matches!(&e, Error::DType { op, .. } if op == "softmax_cross_entropy"),
        "{e}"
    );
    let e = softmax_cross_entropy(&x, &l, Some(&l)).unwrap_err();
    assert!(matches!(&e, Error::DType { .. }), "{e}");
    let u = Tensor::zeros(&gpu, &[2, 3], DType::U32).unwrap();
    let e = softmax_rows(&u).unwrap_err();
    assert!(
        matches!(&e, Error::DType { op, .. } if op == "softmax_rows"),
        "{e}"
    );
}
