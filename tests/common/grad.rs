//! The finite-difference gradient checker shared by the autodiff tests: the tape's GPU gradient
//! of loss = Σ w ⊙ op(inputs) (w fixed random weights) against central finite differences
//! (step EPS) of a plain Rust f64 reference of the forward, within ATOL + RTOL |numeric|.

use synchgraph::autodiff::{ParamId, ParamStore, Tape, Var};
use synchgraph::{Gpu, Result, Tensor};

use super::{assert_close, gpu, Rng};

pub const ATOL: f64 = 2e-3;
pub const RTOL: f64 = 2e-2;
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

/// Analytic (GPU tape, training or evaluation mode) and numeric (f64 finite differences)
/// gradients of every input.
pub fn gradients(
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
    fwd: Fwd,
    reference: Reference,
    seed: u64,
) -> (Vec<Vec<f32>>, Vec<Vec<f64>>) {
    let (g, mut store, ids, mut tape, vars) = leaves(inputs, training);
    let out = fwd(&mut tape, &vars).unwrap();
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
    let base: Vec<Vec<f64>> = inputs
        .iter()
        .map(|(_, d)| d.iter().map(|&v| f64::from(v)).collect())
        .collect();
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
    (analytic, numeric)
}

/// The checker: Ok when every element is within tolerance, else the first failure.
pub fn compare(analytic: &[Vec<f32>], numeric: &[Vec<f64>]) -> std::result::Result<(), String> {
    for (k, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        for (j, (&ga, &gn)) in a.iter().zip(n).enumerate() {
            if (f64::from(ga) - gn).abs() > ATOL + RTOL * gn.abs() || ga.is_nan() {
                return Err(format!("input {k}[{j}]: analytic {ga}, numeric {gn}"));
            }
        }
    }
    Ok(())
}

pub fn check(name: &str, inputs: &[(Vec<usize>, Vec<f32>)], fwd: Fwd, reference: Reference) {
    let (a, n) = gradients(inputs, true, fwd, reference, 99);
    if let Err(e) = compare(&a, &n) {
        panic!("{name}: {e}");
    }
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

/// [`check`] in training or evaluation mode, after checking the forward value against the
/// reference (tolerance 1e-3 + 1e-3 |want|).
pub fn check_mode(
    name: &str,
    inputs: &[(Vec<usize>, Vec<f32>)],
    training: bool,
    fwd: Fwd,
    reference: Reference,
) {
    let (_, _store, _, mut tape, vars) = leaves(inputs, training);
    let got = fwd(&mut tape, &vars).unwrap().value().to_f32().unwrap();
    let base: Vec<Vec<f64>> = inputs
        .iter()
        .map(|(_, d)| d.iter().map(|&v| f64::from(v)).collect())
        .collect();
    let want: Vec<f32> = reference(&base).iter().map(|&v| v as f32).collect();
    assert_close(&format!("{name} forward"), &got, &want, 1e-3, 1e-3);
    let (a, n) = gradients(inputs, training, fwd, reference, 99);
    if let Err(e) = compare(&a, &n) {
        panic!("{name}: {e}");
    }
}
