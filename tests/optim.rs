//! Optimizers against plain Rust references over several steps, learning-rate schedules and
//! Xavier initialisation. Tolerance: |gpu - reference| <= 1e-5 + 1e-4 |reference|.

mod common;

use common::{assert_close, gpu, Rng};
use synchgraph::autodiff::init::{xavier_normal, xavier_uniform};
use synchgraph::autodiff::optim::{Adam, LrSchedule, Sgd};
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::Tensor;

/// Gradient of Σ w ⊙ c with respect to w is c: a fixed, known gradient per step.
fn set_grad(store: &mut ParamStore, id: synchgraph::autodiff::ParamId, c: &[f32]) {
    let g = gpu();
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(store, id);
    let ct = tape.constant(&Tensor::from_f32(&g, w.shape(), c).unwrap());
    let y = tape.mul(&w, &ct).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, store).unwrap();
}

#[test]
fn adam_matches_reference_with_per_parameter_weight_decay() {
    let g = gpu();
    let mut rng = Rng(1);
    let inits = [rng.vec(37, -1.0, 1.0), rng.vec(300, -1.0, 1.0)];
    let decays = [5e-4f32, 0.0];
    let mut store = ParamStore::new();
    let ids: Vec<_> = inits
        .iter()
        .zip(decays)
        .map(|(w, d)| store.add("w", Tensor::from_f32(&g, &[w.len()], w).unwrap(), d))
        .collect();
    let mut adam = Adam::new(0.01);
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-8f64, 0.01f64);
    let mut refs: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = inits
        .iter()
        .map(|w| {
            (
                w.iter().map(|&v| f64::from(v)).collect(),
                vec![0.0; w.len()],
                vec![0.0; w.len()],
            )
        })
        .collect();
    for t in 1..=6 {
        store.zero_grad();
        for (k, &id) in ids.iter().enumerate() {
            let grad = rng.vec(inits[k].len(), -2.0, 2.0);
            set_grad(&mut store, id, &grad);
            let (w, m, v) = &mut refs[k];
            for i in 0..w.len() {
                let gi = f64::from(grad[i]) + f64::from(decays[k]) * w[i];
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                let mh = m[i] / (1.0 - b1.powi(t));
                let vh = v[i] / (1.0 - b2.powi(t));
                w[i] -= lr * mh / (vh.sqrt() + eps);
            }
        }
        adam.step(&mut store).unwrap();
    }
    assert_eq!(adam.steps(), 6);
    for (k, &id) in ids.iter().enumerate() {
        let want: Vec<f32> = refs[k].0.iter().map(|&v| v as f32).collect();
        assert_close(
            "adam",
            &store.value(id).to_f32().unwrap(),
            &want,
            1e-5,
            1e-4,
        );
    }
}

#[test]
fn sgd_with_momentum_matches_reference() {
    let g = gpu();
    let mut rng = Rng(2);
    let init = rng.vec(50, -1.0, 1.0);
    let mut store = ParamStore::new();
    let id = store.add("w", Tensor::from_f32(&g, &[50], &init).unwrap(), 1e-2);
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut w: Vec<f64> = init.iter().map(|&v| f64::from(v)).collect();
    let mut buf = vec![0.0f64; 50];
    for _ in 0..4 {
        store.zero_grad();
        let grad = rng.vec(50, -1.0, 1.0);
        set_grad(&mut store, id, &grad);
        for i in 0..50 {
            let gi = f64::from(grad[i]) + 1e-2 * w[i];
            buf[i] = 0.9 * buf[i] + gi;
            w[i] -= 0.1 * buf[i];
        }
        sgd.step(&mut store).unwrap();
    }
    let want: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    assert_close("sgd", &store.value(id).to_f32().unwrap(), &want, 1e-5, 1e-4);
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
