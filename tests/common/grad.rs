//! The finite-difference checker shared by the autodiff tests: the tape's forward value of
//! op(inputs) and its GPU gradient of loss = Σ w ⊙ op(inputs) (w fixed random weights in
//! [-1, 1)) against a plain Rust f64 reference of the forward and central finite differences
//! (step EPS) of that reference.
//!
//! Tolerances (f32 GPU arithmetic against an f64 reference):
//! - forward, per element: |got - want| <= 1e-3 + 1e-3 |want| ([`FWD_ATOL`], [`FWD_RTOL`]);
//! - gradient of input k, per element: |analytic - numeric| <= atol_k + 2e-2 |numeric|, where
//!   atol_k = max(1e-5, 1e-3 max_j |numeric_kj|) ([`ATOL_FLOOR`], [`ATOL_SCALE`], [`RTOL`]): the
//!   absolute term scales with that input's largest gradient, so a missing, zeroed or
//!   mis-scaled gradient fails however small the input's gradients are;
//! - sensitivity precondition: every input needs max_j |numeric_kj| >= 1e-2 ([`MIN_GRAD`],
//!   1,000 times the floor), else the check fails naming the input: a gradient that small says
//!   more about f32 rounding than about the rule, so the test must enlarge its inputs, output
//!   weights or coefficients instead.

use synchgraph::autodiff::{ParamId, ParamStore, Tape, Var};
use synchgraph::{Gpu, Result, Tensor};

use super::{gpu, Rng};

/// Floor of the per-input absolute gradient tolerance.
pub const ATOL_FLOOR: f64 = 1e-5;
/// The per-input absolute gradient tolerance as a fraction of the input's largest |numeric|.
pub const ATOL_SCALE: f64 = 1e-3;
/// Relative gradient tolerance per element.
pub const RTOL: f64 = 2e-2;
/// Smallest max |numeric gradient| an input may have for its check to count.
pub const MIN_GRAD: f64 = 1e-2;
/// Absolute and relative forward tolerances per element.
pub const FWD_ATOL: f64 = 1e-3;
pub const FWD_RTOL: f64 = 1e-3;
/// Finite-difference step.
pub const EPS: f64 = 1e-3;

pub type Fwd<'a> = &'a dyn Fn(&mut Tape, &[Var]) -> Result<Var>;
pub type Reference<'a> = &'a dyn Fn(&[Vec<f64>]) -> Vec<f64>;

/// The inputs as parameters of a fresh store (with their ids), recorded as leaves of a new tape.
fn leaves(
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
) -> (Gpu, ParamStore, Vec<ParamId>, Tape, Vec<Var>) {
    let g = gpu();
    let mut store = ParamStore::new();
    let ids: Vec<ParamId> = inputs
        .iter()
        .enumerate()
        .map(|(i, (s, d))| store.add(&format!("x{i}"), Tensor::from_f32(&g, s, d).unwrap(), 0.0))
        .collect();
    let mut tape = Tape::new(&g, training, 7);
    let vars: Vec<Var> = ids.iter().map(|&id| tape.param(&store, id)).collect();
    (g, store, ids, tape, vars)
}

/// The inputs in f64, where the reference is evaluated.
fn base(inputs: &[(Vec<usize>, Vec<f32>)]) -> Vec<Vec<f64>> {
    inputs
        .iter()
        .map(|(_, d)| d.iter().map(|&v| f64::from(v)).collect())
        .collect()
}

/// The tape's forward value (GPU, training or evaluation mode), its analytic gradients of every
/// input and the numeric (f64 finite-difference) gradients of the reference.
pub fn evaluate(
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
    fwd: Fwd,
    reference: Reference,
    seed: u64,
) -> (Vec<f32>, Vec<Vec<f32>>, Vec<Vec<f64>>) {
    let (g, mut store, ids, mut tape, vars) = leaves(inputs, training);
    let out = fwd(&mut tape, &vars).unwrap();
    let forward = out.value().to_f32().unwrap();
    let mut rng = Rng(seed);
    let w = rng.vec(out.value().numel(), -1.0, 1.0);
    let wt = tape.constant(&Tensor::from_f32(&g, out.shape(), &w).unwrap());
    let weighted = tape.mul(&out, &wt).unwrap();
    let loss = tape.sum_all(&weighted).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    let analytic = ids
        .iter()
        .map(|&id| match store.grad(id) {
            Some(t) => t.to_f32().unwrap(),
            None => vec![0.0; store.value(id).numel()],
        })
        .collect();
    let w64: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
    let base = base(inputs);
    let loss_at = |xs: &[Vec<f64>]| -> f64 {
        let y = reference(xs);
        assert_eq!(y.len(), w64.len(), "reference output length");
        y.iter().zip(&w64).map(|(a, b)| a * b).sum()
    };
    let mut numeric = Vec::new();
    for k in 0..base.len() {
        let mut gk = Vec::new();
        for j in 0..base[k].len() {
            let mut xs = base.clone();
            xs[k][j] += EPS;
            let up = loss_at(&xs);
            xs[k][j] -= 2.0 * EPS;
            let down = loss_at(&xs);
            gk.push((up - down) / (2.0 * EPS));
        }
        numeric.push(gk);
    }
    (forward, analytic, numeric)
}

/// Analytic (GPU tape, training or evaluation mode) and numeric (f64 finite differences)
/// gradients of every input.
pub fn gradients(
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
    fwd: Fwd,
    reference: Reference,
    seed: u64,
) -> (Vec<Vec<f32>>, Vec<Vec<f64>>) {
    let (_, a, n) = evaluate(inputs, training, fwd, reference, seed);
    (a, n)
}

/// The gradient checker: Ok when every input passes the sensitivity precondition and every
/// element is within its input's tolerance (module docs), else the first failure.
pub fn compare(analytic: &[Vec<f32>], numeric: &[Vec<f64>]) -> std::result::Result<(), String> {
    if analytic.len() != numeric.len() {
        return Err(format!(
            "{} analytic gradients, {} numeric",
            analytic.len(),
            numeric.len()
        ));
    }
    for (k, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        if a.len() != n.len() {
            return Err(format!(
                "input {k}: {} analytic, {} numeric",
                a.len(),
                n.len()
            ));
        }
        if let Some(j) = n.iter().position(|v| !v.is_finite()) {
            return Err(format!("input {k}[{j}]: numeric gradient {}", n[j]));
        }
        let scale = n.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if scale < MIN_GRAD {
            return Err(format!(
                "input {k}: largest |numeric gradient| {scale:.3e} is below {MIN_GRAD:e}, too \
                 small for the check to mean anything; enlarge the test's inputs, output weights \
                 or coefficients"
            ));
        }
        let atol = (ATOL_SCALE * scale).max(ATOL_FLOOR);
        for (j, (&ga, &gn)) in a.iter().zip(n).enumerate() {
            let err = (f64::from(ga) - gn).abs();
            if err > atol + RTOL * gn.abs() || err.is_nan() {
                return Err(format!(
                    "input {k}[{j}]: analytic {ga}, numeric {gn} (tolerance {atol:.2e} + \
                     {RTOL} |numeric|)"
                ));
            }
        }
    }
    Ok(())
}

/// The forward checker: Ok when every element of the tape's value is within
/// 1e-3 + 1e-3 |want| of the reference, else the first failure.
pub fn compare_forward(got: &[f32], want: &[f64]) -> std::result::Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} values, reference {}", got.len(), want.len()));
    }
    for (j, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (f64::from(g) - w).abs();
        if err > FWD_ATOL + FWD_RTOL * w.abs() || err.is_nan() {
            return Err(format!(
                "[{j}]: got {g}, reference {w} (tolerance {FWD_ATOL} + {FWD_RTOL} |reference|)"
            ));
        }
    }
    Ok(())
}

/// [`check_mode`] in training mode.
pub fn check(name: &str, inputs: &[(Vec<usize>, Vec<f32>)], fwd: Fwd, reference: Reference) {
    check_mode(name, inputs, true, fwd, reference);
}

/// Random values in ±[0.1, 1] (away from 0, so relu has no kink nearby).
pub fn input(rng: &mut Rng, shape: &[usize]) -> (Vec<usize>, Vec<f32>) {
    let n = shape.iter().product();
    let v = (0..n)
        .map(|_| {
            let m = rng.uniform(0.1, 1.0);
            if rng.below(2) == 0 {
                m
            } else {
                -m
            }
        })
        .collect();
    (shape.to_vec(), v)
}

/// The full check in training or evaluation mode: the forward value against the reference
/// ([`compare_forward`]), then every input's gradient ([`compare`]); panics naming the check.
pub fn check_mode(
    name: &str,
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
    fwd: Fwd,
    reference: Reference,
) {
    let (got, a, n) = evaluate(inputs, training, fwd, reference, 99);
    if let Err(e) = compare_forward(&got, &reference(&base(inputs))) {
        panic!("{name} forward{e}");
    }
    if let Err(e) = compare(&a, &n) {
        panic!("{name}: {e}");
    }
}
