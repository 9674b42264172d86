//! The structure terms of `Lgrin::loss` against the two specifications:
//!
//! * reference code: CE + λ (mean(ReLU(A) ⊙ A_d) + mean(ReLU(A)²)) + λ_p mean(p²);
//! * paper: CE + λ eᵀ(A_d ⊙ ReLU(A))e + λ ‖A‖²_F + λ_p ‖p‖², where the squared magnitude is
//!   of A itself, so negative entries of A are penalised (and pulled towards 0) too;
//!
//! with (A_d)_ij = (i - j)², λ = 0.1 and λ_p = 1e-4. A and p are set to known values (A with
//! negative entries) and the cross-entropy is taken from the same logits, so the difference is
//! the structure terms alone. A enters the forward pass only as ReLU(A) (the max-pool mask is a
//! constant), so the gradient at a negative entry of A comes from the squared-magnitude term
//! alone: 2 λ A_ij for the paper, 0 for the reference code.

use crate::common;

use std::collections::HashMap;

use common::{fixtures::tiny_lgrin, gpu, Rng};
use synchgraph::autodiff::Tape;
use synchgraph::models::lgrin::{Lgrin, LgrinConfig};
use synchgraph::Tensor;

/// A 4 x 4 adjacency with positive, zero and negative entries.
const A: [f32; 16] = [
    0.5, -0.7, 0.2, -1.3, //
    0.9, 0.0, -0.4, 0.6, //
    -0.2, 1.1, 0.3, -0.8, //
    0.4, -0.5, 0.7, 1.5,
];
const P: [f32; 4] = [1.5, -0.5, 0.8, 2.0];

/// (structure terms of the model's loss, gradient of the loss at A) for `config`.
fn structure_terms(config: LgrinConfig) -> (f64, Vec<f32>) {
    let g = gpu();
    let mut model = Lgrin::new(&g, config).unwrap();
    let mut state: HashMap<String, (Vec<usize>, Vec<f32>)> = model
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, s, v)| (n, (s, v)))
        .collect();
    state.insert("adjacency".into(), (vec![4, 4], A.to_vec()));
    state.insert("psi_p".into(), (vec![4], P.to_vec()));
    model.load_state(&state).unwrap();
    let (m, f, b) = (4, 3, 2);
    let x = Tensor::from_f32(&g, &[m * b, f], &Rng(3).vec(m * b * f, -1.0, 1.0)).unwrap();
    let labels = Tensor::from_u32(&g, &[b], &[0, 1]).unwrap();
    let mut tape = Tape::new(&g, true, 1);
    let fwd = model.forward(&mut tape, &x, b).unwrap();
    let loss = model.loss(&mut tape, &fwd, &labels).unwrap();
    let ce = tape
        .softmax_cross_entropy(&fwd.logits, &labels, None)
        .unwrap();
    let total = f64::from(loss.value().to_f32().unwrap()[0]);
    let ce = f64::from(ce.value().to_f32().unwrap()[0]);
    model.store.zero_grad();
    tape.backward(&loss, &mut model.store).unwrap();
    let id = model
        .store
        .ids()
        .find(|&id| model.store.name(id) == "adjacency")
        .unwrap();
    let grad = model.store.grad(id).unwrap().to_f32().unwrap();
    (total - ce, grad)
}

/// (Σ ReLU(A) ⊙ A_d, Σ ReLU(A)², Σ A², Σ p²) in f64.
fn sums() -> (f64, f64, f64, f64) {
    let mut dist = 0.0;
    let mut relu_sq = 0.0;
    let mut sq = 0.0;
    for (k, &a) in A.iter().enumerate() {
        let a = f64::from(a);
        let d = ((k / 4) as f64 - (k % 4) as f64).powi(2);
        dist += a.max(0.0) * d;
        relu_sq += a.max(0.0).powi(2);
        sq += a * a;
    }
    let p_sq = P.iter().map(|&p| f64::from(p).powi(2)).sum();
    (dist, relu_sq, sq, p_sq)
}

fn config(paper: bool) -> LgrinConfig {
    let base = tiny_lgrin();
    let variant = if paper {
        LgrinConfig::paper(3, 2)
    } else {
        LgrinConfig::reference(3, 2)
    };
    LgrinConfig {
        dropout: 0.0,
        ..LgrinConfig {
            nodes: base.nodes,
            g1: base.g1,
            g2: base.g2,
            hidden: base.hidden,
            ..variant
        }
    }
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-4 * (1.0 + want.abs()),
        "{what}: structure terms {got}, the specification gives {want}"
    );
}

#[test]
fn the_paper_variant_penalises_the_squared_frobenius_norm_of_a_itself() {
    let (dist, relu_sq, sq, p_sq) = sums();
    assert!(sq > relu_sq + 1.0, "A must have negative entries");
    let (got, grad) = structure_terms(config(true));
    close("paper variant", got, 0.1 * dist + 0.1 * sq + 1e-4 * p_sq);
    for (k, &a) in A.iter().enumerate() {
        if a < 0.0 {
            let want = 2.0 * 0.1 * a;
            assert!(
                (grad[k] - want).abs() <= 1e-5,
                "paper variant: gradient at A[{k}] = {a} is {}, ‖A‖²_F gives {want}",
                grad[k]
            );
        }
    }
}

#[test]
fn the_reference_variant_penalises_the_means_of_relu_a() {
    let (dist, relu_sq, _, p_sq) = sums();
    let (got, grad) = structure_terms(config(false));
    close(
        "reference variant",
        got,
        0.1 * (dist / 16.0 + relu_sq / 16.0) + 1e-4 * p_sq / 4.0,
    );
    for (k, &a) in A.iter().enumerate() {
        if a < 0.0 {
            assert_eq!(grad[k], 0.0, "reference variant: gradient at A[{k}] = {a}");
        }
    }
}
