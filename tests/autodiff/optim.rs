//! Optimizers against plain Rust references over several steps (also on the folded 2-D grid of
//! `common::folded_gpu()`, at sizes that are not multiples of the 256-thread workgroup),
//! learning-rate schedules and Xavier initialisation. Tolerance: |gpu - reference| <= 1e-5 +
//! 1e-4 |reference| (a few f32 roundings per step, a square root and a division, against f64).

use crate::common;

use common::{assert_close, assert_folded, folded_gpu, gpu, Rng};
use synchgraph::autodiff::init::{xavier_normal, xavier_uniform};
use synchgraph::autodiff::optim::{Adam, LrSchedule, Sgd};
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::{Gpu, Tensor};

/// Gradient of Σ w ⊙ c with respect to w is c: a fixed, known gradient per step.
fn set_grad(store: &mut ParamStore, id: ParamId, c: &[f32]) {
    let g = store.value(id).gpu().clone();
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(store, id);
    let ct = tape.constant(&Tensor::from_f32(&g, w.shape(), c).unwrap());
    let y = tape.mul(&w, &ct).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, store).unwrap();
}

/// One Adam step of the f64 reference (PyTorch's formula, lr 0.01, the betas as the f32
/// constants the kernel uses, L2 decay `wd` added to the gradient) at step `t` (from 1).
fn reference_adam_step(w: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f32], wd: f64, t: i32) {
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

/// `steps` Adam steps (lr 0.01) on one parameter per entry of `sizes` with its weight decay,
/// random gradients, against an f64 reference.
fn check_adam(g: &Gpu, seed: u64, sizes: &[usize], decays: &[f32], steps: u32) {
    let mut rng = Rng(seed);
    let mut store = ParamStore::new();
    let mut refs = Vec::new();
    let mut ids = Vec::new();
    for (&n, &wd) in sizes.iter().zip(decays) {
        let w = rng.vec(n, -1.0, 1.0);
        ids.push(store.add("w", Tensor::from_f32(g, &[n], &w).unwrap(), wd));
        let w64: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
        refs.push((w64, vec![0.0f64; n], vec![0.0f64; n]));
    }
    let mut adam = Adam::new(0.01);
    for t in 1..=steps {
        store.zero_grad();
        for (k, &id) in ids.iter().enumerate() {
            let grad = rng.vec(sizes[k], -2.0, 2.0);
            set_grad(&mut store, id, &grad);
            let (w, m, v) = &mut refs[k];
            reference_adam_step(w, m, v, &grad, f64::from(decays[k]), t as i32);
        }
        adam.step(&mut store).unwrap();
    }
    assert_eq!(adam.steps(), steps);
    for (k, &id) in ids.iter().enumerate() {
        let want: Vec<f32> = refs[k].0.iter().map(|&v| v as f32).collect();
        let got = store.value(id).to_f32().unwrap();
        assert_close(&format!("adam n={}", sizes[k]), &got, &want, 1e-5, 1e-4);
    }
}

/// `steps` SGD steps (lr 0.1) on `n` parameters, random gradients, against an f64 reference.
fn check_sgd(g: &Gpu, seed: u64, n: usize, momentum: f32, wd: f32, steps: usize) {
    let mut rng = Rng(seed);
    let init = rng.vec(n, -1.0, 1.0);
    let mut store = ParamStore::new();
    let id = store.add("w", Tensor::from_f32(g, &[n], &init).unwrap(), wd);
    let mut sgd = Sgd::new(0.1, momentum);
    let mut w: Vec<f64> = init.iter().map(|&v| f64::from(v)).collect();
    let mut buf = vec![0.0f64; n];
    for _ in 0..steps {
        store.zero_grad();
        let grad = rng.vec(n, -1.0, 1.0);
        set_grad(&mut store, id, &grad);
        for i in 0..n {
            let gi = f64::from(grad[i]) + f64::from(wd) * w[i];
            buf[i] = f64::from(momentum) * buf[i] + gi;
            w[i] -= 0.1 * buf[i];
        }
        sgd.step(&mut store).unwrap();
    }
    let want: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let got = store.value(id).to_f32().unwrap();
    assert_close(&format!("sgd momentum={momentum}"), &got, &want, 1e-5, 1e-4);
}

#[test]
fn adam_matches_reference_with_per_parameter_weight_decay() {
    check_adam(&gpu(), 1, &[37, 300], &[5e-4, 0.0], 6);
}

/// A parameter that first receives a gradient in the optimizer's second step is bias-corrected
/// as in its first update (as PyTorch counts steps per parameter): that update moves each weight
/// by lr (|m̂ / sqrt(v̂)| = 1), where a shared step count would give 0.744 lr.
#[test]
fn adam_bias_correction_counts_each_parameters_own_updates() {
    let g = gpu();
    let mut store = ParamStore::new();
    let late = store.add(
        "late",
        Tensor::from_f32(&g, &[3], &[0.5, -0.5, 0.0]).unwrap(),
        0.0,
    );
    let early = store.add(
        "early",
        Tensor::from_f32(&g, &[2], &[0.0, 0.0]).unwrap(),
        0.0,
    );
    let mut adam = Adam::new(0.01);
    store.zero_grad();
    set_grad(&mut store, early, &[1.0, -1.0]);
    adam.step(&mut store).unwrap();
    assert_eq!((adam.updates_of(late), adam.updates_of(early)), (0, 1));
    assert_eq!(store.value(late).to_f32().unwrap(), vec![0.5, -0.5, 0.0]);
    store.zero_grad();
    set_grad(&mut store, early, &[1.0, -1.0]);
    set_grad(&mut store, late, &[2.0, -3.0, 0.5]);
    adam.step(&mut store).unwrap();
    assert_eq!(
        (adam.updates_of(late), adam.updates_of(early), adam.steps()),
        (1, 2, 2)
    );
    let got = store.value(late).to_f32().unwrap();
    assert_close(
        "late parameter's first update",
        &got,
        &[0.49, -0.49, -0.01],
        1e-6,
        1e-5,
    );
    // The early parameter's second update with a constant gradient also moves it by lr.
    let early_w = store.value(early).to_f32().unwrap();
    assert_close("early parameter", &early_w, &[-0.02, 0.02], 1e-6, 1e-5);
}

#[test]
fn sgd_with_momentum_matches_reference() {
    check_sgd(&gpu(), 2, 50, 0.9, 1e-2, 4);
}

#[test]
fn adam_on_a_folded_grid() {
    // 2,600 and 3,841 parameters: 11 workgroups on a 6 x 2 grid (one spare) and 16 on a 6 x 3
    // grid (two spare) at the 7 workgroups per dimension of `folded_gpu()`.
    let g = folded_gpu();
    for n in [2600, 3841] {
        assert_folded(&g, n, 256, 1);
    }
    check_adam(&g, 201, &[2600, 3841], &[5e-4, 0.0], 3);
}

#[test]
fn sgd_on_a_folded_grid() {
    // 2,650 parameters: 11 workgroups on a 6 x 2 grid (one spare); with and without momentum.
    let g = folded_gpu();
    assert_folded(&g, 2650, 256, 1);
    check_sgd(&g, 202, 2650, 0.9, 1e-2, 3);
    check_sgd(&g, 203, 2650, 0.0, 0.0, 3);
}

#[test]
fn step_lr_schedule() {
    let s = LrSchedule::Step {
        step: 10,
        gamma: 0.5,
    };
    assert_eq!(s.lr(0.1, 0), 0.1);
    assert_eq!(s.lr(0.1, 9), 0.1);
    assert_eq!(s.lr(0.1, 10), 0.05);
    assert_eq!(s.lr(0.1, 25), 0.025);
    assert_eq!(LrSchedule::Constant.lr(0.1, 1000), 0.1);
    // Past i32::MAX decays the power saturates: the rate is 0, not a wrapped negative power's
    // huge value.
    let every = LrSchedule::Step {
        step: 1,
        gamma: 0.5,
    };
    assert_eq!(every.lr(0.1, 1 << 32), 0.0);
    // A step of 0 decays every epoch, like 1.
    let zero = LrSchedule::Step {
        step: 0,
        gamma: 0.5,
    };
    assert_eq!(zero.lr(0.1, 2), every.lr(0.1, 2));
}

#[test]
fn xavier_init_ranges_and_seeds() {
    let g = gpu();
    let a = (6.0f32 / (100.0 + 16.0)).sqrt();
    let u = xavier_uniform(&g, &[100, 16], 3).unwrap().to_f32().unwrap();
    assert!(u.iter().all(|v| v.abs() <= a));
    assert_eq!(
        u,
        xavier_uniform(&g, &[100, 16], 3).unwrap().to_f32().unwrap()
    );
    assert_ne!(
        u,
        xavier_uniform(&g, &[100, 16], 4).unwrap().to_f32().unwrap()
    );
    let n = xavier_normal(&g, &[200, 50], 5).unwrap().to_f32().unwrap();
    let var = n.iter().map(|v| v * v).sum::<f32>() / n.len() as f32;
    let want = 2.0 / 250.0;
    assert!(
        (var - want).abs() < 0.1 * want,
        "variance {var}, want {want}"
    );
    assert!(xavier_uniform(&g, &[3], 0).is_err());
}

// Adam at value edges: zero gradients, gradients whose bias-corrected second moment
// `v / (1 - beta2^t)` is past `f32::MAX` while `v` itself is not (|g| around 1e20: PyTorch's
// `sqrt(v) / sqrt(1 - beta2^t)` keeps the step at about `lr`; the kernel once made a zero
// step), L2 weight decay, and the bias correction of the first steps. Tolerance
// |gpu - reference| <= 1e-6 + 1e-5 |reference| on weights of order 1.
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
            reference_adam_step(&mut w, &mut m, &mut v, grad, f64::from(wd), t as i32 + 1);
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
