//! Adam's update against a plain Rust f64 reference at value edges: zero gradients, gradients
//! whose bias-corrected second moment `v / (1 - beta2^t)` is past `f32::MAX` while `v` itself
//! is not (|g| around 1e20: PyTorch's `sqrt(v) / sqrt(1 - beta2^t)` keeps the step at about
//! `lr`), L2 weight decay, and the bias correction of the first steps. Tolerance
//! |gpu - reference| <= 1e-6 + 1e-5 |reference| on the weights (a few f32 roundings, a square
//! root and a division per step, on weights of order 1).

use crate::common;

use common::{assert_close, gpu};
use synchgraph::autodiff::optim::Adam;
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::Tensor;

/// Gradient of Σ w ⊙ c with respect to w is c: a fixed, known gradient.
fn set_grad(store: &mut ParamStore, id: ParamId, c: &[f32]) {
    let g = store.value(id).gpu().clone();
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(store, id);
    let ct = tape.constant(&Tensor::from_f32(&g, w.shape(), c).unwrap());
    let y = tape.mul(&w, &ct).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, store).unwrap();
}

/// One Adam step of the f64 reference (PyTorch's formula, L2 decay added to the gradient).
fn reference_step(w: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f32], wd: f64, t: i32) {
    let (lr, b1, b2, eps) = (0.01f64, f64::from(0.9f32), f64::from(0.999f32), 1e-8f64);
    for i in 0..w.len() {
        let gi = f64::from(g[i]) + wd * w[i];
        m[i] = b1 * m[i] + (1.0 - b1) * gi;
        v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
        let mhat = m[i] / (1.0 - b1.powi(t));
        let vhat = v[i] / (1.0 - b2.powi(t));
        w[i] -= lr * mhat / (vhat.sqrt() + eps);
    }
}

#[test]
fn adam_steps_match_reference_for_zero_and_huge_gradients() {
    let g = gpu();
    // Per step: zero, huge (1e20 and up to 5e20, where (1 - beta2) g² still fits f32 but
    // v / (1 - beta2^t) does not), ordinary and small gradients.
    let steps: [[f32; 8]; 3] = [
        [0.0, 1e20, -1e20, 5e20, 1e19, 0.5, -2.0, 1e-3],
        [0.0, 0.0, 1e20, -3e20, 1e19, -0.5, 1.0, 0.0],
        [0.0, -2e20, 0.0, 1.0, -1e18, 0.25, 0.0, 1e-3],
    ];
    for wd in [0.0f32, 0.01] {
        let w0 = [1.0f32, -0.5, 0.25, 2.0, -1.0, 0.75, 0.1, -0.3];
        let mut store = ParamStore::new();
        let id = store.add("w", Tensor::from_f32(&g, &[8], &w0).unwrap(), wd);
        let mut adam = Adam::new(0.01);
        let mut w: Vec<f64> = w0.iter().map(|&x| f64::from(x)).collect();
        let (mut m, mut v) = (vec![0.0; 8], vec![0.0; 8]);
        for (t, grad) in steps.iter().enumerate() {
            store.zero_grad();
            set_grad(&mut store, id, grad);
            adam.step(&mut store).unwrap();
            reference_step(&mut w, &mut m, &mut v, grad, f64::from(wd), t as i32 + 1);
            let got = store.value(id).to_f32().unwrap();
            let want: Vec<f32> = w.iter().map(|&x| x as f32).collect();
            assert_close(
                &format!("adam weights after step {} (wd {wd})", t + 1),
                &got,
                &want,
                1e-6,
                1e-5,
            );
        }
    }
}
