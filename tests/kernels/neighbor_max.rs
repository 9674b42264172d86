//! 1-hop neighbour max pooling against a plain Rust reference (exact: max selects a value),
//! and its backward against central finite differences of an f64 reference.

use crate::common;
use common::*;
use synchgraph::kernels::neighbor_max::{masked_max, masked_max_backward, NO_NEIGHBOUR};
use synchgraph::Tensor;

/// The GPU's (out, argmax) and the reference's (out as f32, argmax) for an m x m mask and an
/// m x c input.
fn run_both(mask: &[f32], h: &[f32], m: usize, c: usize) -> [(Vec<f32>, Vec<u32>); 2] {
    let gpu = gpu();
    let (out, arg) = masked_max(
        &Tensor::from_f32(&gpu, &[m, m], mask).unwrap(),
        &Tensor::from_f32(&gpu, &[m, c], h).unwrap(),
    )
    .unwrap();
    let h64: Vec<f64> = h.iter().map(|&v| f64::from(v)).collect();
    let (want, want_arg) = reference(mask, &h64, m, c);
    let want: Vec<f32> = want.iter().map(|&v| v as f32).collect();
    [
        (out.to_f32().unwrap(), arg.to_u32().unwrap()),
        (want, want_arg),
    ]
}

fn reference(mask: &[f32], h: &[f64], m: usize, c: usize) -> (Vec<f64>, Vec<u32>) {
    let mut out = vec![0.0f64; m * c];
    let mut arg = vec![NO_NEIGHBOUR; m * c];
    for i in 0..m {
        for col in 0..c {
            for j in 0..m {
                if mask[i * m + j] > 0.0 {
                    let v = h[j * c + col];
                    let best = out[i * c + col];
                    let takes = (v.is_nan() && !best.is_nan()) || v > best;
                    if arg[i * c + col] == NO_NEIGHBOUR || takes {
                        out[i * c + col] = v;
                        arg[i * c + col] = j as u32;
                    }
                }
            }
        }
    }
    (out, arg)
}

#[test]
fn forward_matches_reference_including_isolated_nodes() {
    let mut rng = Rng(21);
    for (m, c) in [(1, 1), (5, 3), (17, 300), (120, 37)] {
        let mut mask = rng.vec(m * m, -1.0, 1.0);
        // Node 0 has no neighbours.
        mask[..m].iter_mut().for_each(|v| *v = -0.5);
        let h = rng.vec(m * c, -5.0, 5.0);
        let [(out, arg), (want, want_arg)] = run_both(&mask, &h, m, c);
        assert_eq!(out, want, "max {m}x{c}");
        assert_eq!(arg, want_arg, "argmax {m}x{c}");
    }
}

#[test]
fn nan_wins_wherever_it_sits() {
    // A NaN neighbour value propagates whether it comes first, last or between numbers, and
    // the argmax names the first NaN; columns without NaN are unaffected.
    let mut rng = Rng(23);
    let (m, c) = (9, 40);
    let mask: Vec<f32> = rng.vec(m * m, -0.3, 1.0);
    let mut h = rng.vec(m * c, -5.0, 5.0);
    for (k, j) in [0, 4, 8, 2].into_iter().enumerate() {
        h[j * c + 3 * k] = f32::NAN;
    }
    h[c + 9] = f32::NAN;
    h[7 * c + 9] = f32::NAN;
    let [(out, arg), (want, want_arg)] = run_both(&mask, &h, m, c);
    let bits = |v: &[f32]| {
        v.iter()
            .map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() })
            .collect::<Vec<_>>()
    };
    assert!(
        want.iter().filter(|v| v.is_nan()).count() >= 5,
        "the NaNs reach outputs"
    );
    assert_eq!(bits(&out), bits(&want));
    assert_eq!(arg, want_arg);
}

#[test]
fn backward_matches_finite_differences() {
    // Loss L = sum(w * masked_max(h)); dL/dh by central differences in f64 (step 1e-4) agrees
    // with the GPU gradient to 1e-4 absolute. Inputs are spaced so no tie flips within a step.
    let gpu = gpu();
    let mut rng = Rng(22);
    let (m, c) = (9, 4);
    let mask = rng.vec(m * m, -1.0, 1.0);
    let h: Vec<f64> = (0..m * c)
        .map(|i| ((i * 37) % (m * c)) as f64 * 0.1)
        .collect();
    let w: Vec<f64> = (0..m * c)
        .map(|_| f64::from(rng.uniform(-1.0, 1.0)))
        .collect();
    let loss = |h: &[f64]| -> f64 {
        let (out, _) = reference(&mask, h, m, c);
        out.iter().zip(&w).map(|(o, w)| o * w).sum()
    };
    let h32: Vec<f32> = h.iter().map(|&v| v as f32).collect();
    let mask_t = Tensor::from_f32(&gpu, &[m, m], &mask).unwrap();
    let (_, arg) = masked_max(&mask_t, &Tensor::from_f32(&gpu, &[m, c], &h32).unwrap()).unwrap();
    let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let w_t = Tensor::from_f32(&gpu, &[m, c], &w32).unwrap();
    let grad = masked_max_backward(&mask_t, &arg, &w_t)
        .unwrap()
        .to_f32()
        .unwrap();
    let eps = 1e-4;
    for k in 0..m * c {
        let mut hp = h.clone();
        hp[k] += eps;
        let mut hm = h.clone();
        hm[k] -= eps;
        let fd = (loss(&hp) - loss(&hm)) / (2.0 * eps);
        assert!(
            (f64::from(grad[k]) - fd).abs() < 1e-4,
            "dh[{k}]: gpu {} fd {fd}",
            grad[k]
        );
    }
}

#[test]
fn over_65535_workgroups_and_shape_errors() {
    let gpu = gpu();
    // 4 nodes x 4,200,000 columns = 16.8M outputs: more than 65,535 workgroups of 256.
    let (m, c) = (4, 4_200_000);
    let mask = [
        1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0,
    ];
    let h: Vec<f32> = (0..m * c).map(|i| ((i * 7919) % 1000) as f32).collect();
    let (out, arg) = masked_max(
        &Tensor::from_f32(&gpu, &[m, m], &mask).unwrap(),
        &Tensor::from_f32(&gpu, &[m, c], &h).unwrap(),
    )
    .unwrap();
    let (out, arg) = (out.to_f32().unwrap(), arg.to_u32().unwrap());
    for col in (0..c).step_by(9973).chain([c - 1]) {
        let v = |j: usize| h[j * c + col];
        assert_eq!(out[col], v(0).max(v(3)), "row 0 col {col}");
        assert_eq!(out[c + col], v(1));
        assert_eq!((out[2 * c + col], arg[2 * c + col]), (0.0, NO_NEIGHBOUR));
        assert_eq!(out[3 * c + col], v(0).max(v(1)).max(v(2)).max(v(3)));
    }
    let bad = Tensor::from_f32(&gpu, &[3, 3], &[0.0; 9]).unwrap();
    let err = masked_max(&bad, &Tensor::from_f32(&gpu, &[4, 2], &[0.0; 8]).unwrap()).unwrap_err();
    assert!(err.to_string().contains("must be [4, 4]"), "{err}");
}
