//! Gradient checks of the sparse tape op: the tape's GPU gradient of loss = Σ w ⊙ op(inputs)
//! (w fixed random weights) is compared with central finite differences (step 1e-3) of a plain
//! Rust f64 reference of the forward. Tolerance: |analytic - numeric| <= 2e-3 + 2e-2 |numeric|
//! per element (f32 GPU arithmetic against an f64 reference).

mod common;

use common::{gpu, Rng};
use synchgraph::autodiff::{ParamStore, Tape, Var};
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::{Result, Tensor};

const ATOL: f64 = 2e-3;
const RTOL: f64 = 2e-2;
const EPS: f64 = 1e-3;

type Fwd<'a> = &'a dyn Fn(&mut Tape, &[Var]) -> Result<Var>;
type Reference<'a> = &'a dyn Fn(&[Vec<f64>]) -> Vec<f64>;

/// Analytic (GPU tape) and numeric (f64 finite differences) gradients of every input.
fn gradients(
    inputs: &[(Vec<usize>, Vec<f32>)],
    fwd: Fwd,
    reference: Reference,
    seed: u64,
) -> (Vec<Vec<f32>>, Vec<Vec<f64>>) {
    let g = gpu();
    let mut store = ParamStore::new();
    let ids: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, (s, d))| store.add(&format!("x{i}"), Tensor::from_f32(&g, s, d).unwrap(), 0.0))
        .collect();
    let mut tape = Tape::new(&g, true, 7);
    let vars: Vec<Var> = ids.iter().map(|&id| tape.param(&store, id)).collect();
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
fn compare(analytic: &[Vec<f32>], numeric: &[Vec<f64>]) -> std::result::Result<(), String> {
    for (k, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        for (j, (&ga, &gn)) in a.iter().zip(n).enumerate() {
            if (f64::from(ga) - gn).abs() > ATOL + RTOL * gn.abs() || ga.is_nan() {
                return Err(format!("input {k}[{j}]: analytic {ga}, numeric {gn}"));
            }
        }
    }
    Ok(())
}

fn check(name: &str, inputs: &[(Vec<usize>, Vec<f32>)], fwd: Fwd, reference: Reference) {
    let (a, n) = gradients(inputs, fwd, reference, 99);
    if let Err(e) = compare(&a, &n) {
        panic!("{name}: {e}");
    }
}

/// Random values in ±[0.1, 1] (away from 0, so relu has no kink nearby).
fn input(rng: &mut Rng, shape: &[usize]) -> (Vec<usize>, Vec<f32>) {
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

/// f64 reference of A · X for a host CSR A with `rows` rows and X [m, f].
fn sp_ref(a: &HostCsr, rows: usize, x: &[f64], f: usize) -> Vec<f64> {
    let mut y = vec![0.0; rows * f];
    for r in 0..rows {
        for k in a.row_ptr[r] as usize..a.row_ptr[r + 1] as usize {
            let c = a.col_idx[k] as usize;
            for j in 0..f {
                y[r * f + j] += f64::from(a.values[k]) * x[c * f + j];
            }
        }
    }
    y
}

/// A rectangular [rows, cols] CSR with random weights, empty rows and a denser row.
fn random_csr(rng: &mut Rng, rows: usize, cols: usize, nnz: usize) -> Csr {
    let mut triples: Vec<(u32, u32, f32)> = (0..nnz)
        .map(|_| {
            // Rows 1 and 3 stay empty.
            let mut r = rng.below(rows);
            if r == 1 || r == 3 {
                r = 0;
            }
            (r as u32, rng.below(cols) as u32, rng.uniform(-1.0, 1.0))
        })
        .collect();
    for c in 0..cols {
        triples.push((2, c as u32, rng.uniform(-1.0, 1.0)));
    }
    let host = HostCsr::from_triples(rows, triples);
    Csr::from_host(&gpu(), rows, cols, host).unwrap()
}

#[test]
fn spmm_gradient_through_the_prebuilt_transpose() {
    let mut r = Rng(11);
    for (rows, cols, nnz, f) in [(7, 5, 12, 3), (9, 13, 40, 17), (4, 4, 0, 2)] {
        let a = random_csr(&mut r, rows, cols, nnz);
        let ins = [input(&mut r, &[cols, f])];
        let host = a.host.clone();
        let a2 = a.clone();
        check(
            &format!("spmm {rows}x{cols} f={f}"),
            &ins,
            &move |t, v| t.spmm(&a2, &v[0]),
            &move |x| sp_ref(&host, rows, &x[0], f),
        );
    }
}

#[test]
fn gcn_layer_composite() {
    // tanh(Â (X W) + b) on a symmetric normalised graph: gradients of X, W and b.
    let mut r = Rng(12);
    let n = 8;
    let edges = [(0, 1), (1, 2), (2, 3), (4, 5), (0, 7), (7, 1)];
    let adj = Csr::from_edges(&gpu(), n, &edges, None, false, true).unwrap();
    let norm = adj.gcn_normalized().unwrap();
    let host = norm.host.clone();
    let (fi, fo) = (5, 3);
    let ins = [
        input(&mut r, &[n, fi]),
        input(&mut r, &[fi, fo]),
        input(&mut r, &[fo]),
    ];
    check(
        "gcn layer",
        &ins,
        &move |t, v| {
            let xw = t.matmul(&v[0], &v[1])?;
            let ax = t.spmm(&norm, &xw)?;
            let z = t.add(&ax, &v[2])?;
            t.tanh(&z)
        },
        &move |x| {
            let mut xw = vec![0.0; n * fo];
            for i in 0..n {
                for j in 0..fo {
                    for k in 0..fi {
                        xw[i * fo + j] += x[0][i * fi + k] * x[1][k * fo + j];
                    }
                }
            }
            let ax = sp_ref(&host, n, &xw, fo);
            ax.iter()
                .enumerate()
                .map(|(k, v)| (v + x[2][k % fo]).tanh())
                .collect()
        },
    );
}

#[test]
fn spmm_shape_mismatch_is_an_error() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1)], None, false, false).unwrap();
    let mut tape = Tape::new(&g, false, 0);
    let x = tape.constant(&Tensor::from_f32(&g, &[4, 2], &[0.0; 8]).unwrap());
    assert!(tape.spmm(&a, &x).is_err());
}
