//! The Frobenius penalty coeff ‖x‖ and its gradient coeff x / ‖x‖ over the whole f32 range:
//! Σ x² overflows f32 from ‖x‖ ≈ 1.8e19 and underflows below ‖x‖ ≈ 1e-19, while the norm
//! and the unit vector are representable far beyond both. Tolerance: 1e-5 relative (a few f32
//! roundings of a sum of squares, a square root and a division).

use crate::common;

use common::gpu;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::Tensor;

/// (forward value, gradient) of `weight` · coeff ‖x‖.
fn frobenius(x: &[f32], coeff: f32, weight: f32) -> (f32, Vec<f32>) {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add("x", Tensor::from_f32(&g, &[x.len()], x).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let v = tape.param(&store, id);
    let y = tape.frobenius_penalty(&v, coeff).unwrap();
    let value = y.value().item().unwrap();
    let loss = tape.scale(&y, weight).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    (value, store.grad(id).unwrap().to_f32().unwrap())
}

fn close(what: &str, got: f32, want: f64) {
    let err = (f64::from(got) - want).abs();
    assert!(
        err <= 1e-5 * want.abs() + 1e-30,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// Reference coeff ‖x‖ and weight · coeff x / ‖x‖ in f64.
fn reference(x: &[f32], coeff: f32, weight: f32) -> (f64, Vec<f64>) {
    let norm = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
    let c = f64::from(coeff);
    let grad = x
        .iter()
        .map(|&v| f64::from(weight) * c * f64::from(v) / norm)
        .collect();
    (c * norm, grad)
}

#[test]
fn large_and_tiny_norms_give_the_norm_and_the_unit_vector() {
    for (x, coeff, weight) in [
        // Σ x² = 2.5e39 overflows f32; ‖x‖ = 5e19 does not.
        (vec![3e19f32, -4e19, 0.0, 0.0], 0.5f32, 1.0f32),
        (vec![3e19f32, -4e19, 1e18, 0.0], -0.25, 3.0),
        // Σ x² underflows to 0 in f32; the direction of x must survive.
        (vec![3e-25f32, -4e-25, 0.0, 0.0], 0.5, 1.0),
        (vec![1e-25f32, 1e-26, 0.0, -2e-26], 0.5, 2.0),
    ] {
        let (value, grad) = frobenius(&x, coeff, weight);
        let (want_value, want_grad) = reference(&x, coeff, weight);
        close(&format!("forward of {x:?}"), value, want_value);
        for (j, (&a, &b)) in grad.iter().zip(&want_grad).enumerate() {
            let err = (f64::from(a) - b).abs();
            assert!(
                err <= 1e-5 * (weight * coeff).abs() as f64,
                "gradient of {x:?} [{j}]: got {grad:?}, want {want_grad:?}"
            );
        }
    }
}

/// An infinite entry keeps the infinite norm (not a NaN) in the forward value.
#[test]
fn an_infinite_entry_gives_an_infinite_norm() {
    let (value, _) = frobenius(&[1.0, f32::INFINITY, -2.0], 0.5, 1.0);
    assert_eq!(value, f32::INFINITY);
}
