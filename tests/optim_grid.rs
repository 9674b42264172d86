//! The optimizer kernels (`adam_step`, `sgd_step` in `shaders/optim.wgsl`) on the folded 2-D
//! grid path, against plain Rust f64 references over several steps. The parameters are sized
//! so that their grids fold at the 7 workgroups per dimension of `common::folded_gpu()` and are
//! not multiples of the 256-thread workgroup.
//! Tolerance as tests/optim.rs: |gpu - reference| <= 1e-5 + 1e-4 |reference| (a few f32
//! roundings per step, including a square root and a division, against f64).

mod common;

use common::{assert_close, assert_folded, folded_gpu, Rng};
use synchgraph::autodiff::optim::{Adam, Sgd};
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::Tensor;

/// Gradient of Σ w ⊙ c with respect to w is c: a fixed, known gradient per step.
fn set_grad(store: &mut ParamStore, id: ParamId, c: &[f32]) {
    let g = folded_gpu();
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(store, id);
    let ct = tape.constant(&Tensor::from_f32(&g, w.shape(), c).unwrap());
    let y = tape.mul(&w, &ct).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, store).unwrap();
}

#[test]
fn adam_on_a_folded_grid() {
    // 2,600 and 3,841 parameters: 11 workgroups on a 6 x 2 grid (one spare) and 16 on a 6 x 3
    // grid (two spare).
    let g = folded_gpu();
    let mut rng = Rng(201);
    let sizes = [2600, 3841];
    let decays = [5e-4f32, 0.0];
    for n in sizes {
        assert_folded(&g, n, 256, 1);
    }
    let mut store = ParamStore::new();
    let mut refs = Vec::new();
    let mut ids = Vec::new();
    for (n, wd) in sizes.into_iter().zip(decays) {
        let w = rng.vec(n, -1.0, 1.0);
        ids.push(store.add("w", Tensor::from_f32(&g, &[n], &w).unwrap(), wd));
        let w64: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
        refs.push((w64, vec![0.0f64; n], vec![0.0f64; n]));
    }
    let mut adam = Adam::new(0.01);
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-8f64, 0.01f64);
    for t in 1..=3 {
        store.zero_grad();
        for (k, &id) in ids.iter().enumerate() {
            let grad = rng.vec(sizes[k], -2.0, 2.0);
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
    for (k, &id) in ids.iter().enumerate() {
        let want: Vec<f32> = refs[k].0.iter().map(|&v| v as f32).collect();
        let got = store.value(id).to_f32().unwrap();
        assert_close(&format!("adam n={}", sizes[k]), &got, &want, 1e-5, 1e-4);
    }
}

#[test]
fn sgd_on_a_folded_grid() {
    // 2,650 parameters: 11 workgroups on a 6 x 2 grid (one spare); with and without momentum.
    let g = folded_gpu();
    let n = 2650;
    assert_folded(&g, n, 256, 1);
    for (seed, momentum, wd) in [(202, 0.9f32, 1e-2f32), (203, 0.0, 0.0)] {
        let mut rng = Rng(seed);
        let init = rng.vec(n, -1.0, 1.0);
        let mut store = ParamStore::new();
        let id = store.add("w", Tensor::from_f32(&g, &[n], &init).unwrap(), wd);
        let mut sgd = Sgd::new(0.1, momentum);
        let mut w: Vec<f64> = init.iter().map(|&v| f64::from(v)).collect();
        let mut buf = vec![0.0f64; n];
        for _ in 0..3 {
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
}
