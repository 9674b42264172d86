//! Gradient checks of the sparse tape op: the tape's forward value is compared with a plain Rust
//! f64 reference of the forward, and its GPU gradient of loss = Σ w ⊙ op(inputs) (w fixed random
//! weights) with central finite differences (step 1e-3) of that reference. Tolerances (f32 GPU
//! arithmetic against an f64 reference, `common::grad`): forward |got - want| <= 1e-3 +
//! 1e-3 |want|; gradient of input k |analytic - numeric| <= max(1e-5, 1e-3 max|numeric_k|) +
//! 2e-2 |numeric| per element, and each input's max |numeric| must be at least 1e-2 for its check
//! to count.

use crate::common;

use common::grad::{check, input};
use common::{gpu, Rng};
use synchgraph::autodiff::Tape;
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::Tensor;

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

#[test]
fn sparse_dropout_zeroes_or_rescales_each_stored_value() {
    // 20,000 stored values (not a multiple of the 256-thread workgroup), all in [0.5, 1.5).
    // Training mode: each value is 0 or exactly v / (1 - p) up to f32 rounding (relative 1e-6),
    // about p of them are 0 (within 5 standard deviations), the pattern is kept, and the
    // same seed gives the same mask while a second call on the tape draws another.
    // Evaluation mode and p = 0 return the values unchanged.
    let g = gpu();
    let mut r = Rng(23);
    let (rows, cols, nnz, p) = (97, 301, 20_000, 0.3f32);
    let triples: Vec<(u32, u32, f32)> = (0..nnz)
        .map(|k| ((k % rows) as u32, (k / rows) as u32, r.uniform(0.5, 1.5)))
        .collect();
    let a = Csr::from_host(&g, rows, cols, HostCsr::from_triples(rows, triples)).unwrap();
    let values = a.values.to_f32().unwrap();
    let draw = |seed: u64, training: bool, p: f32, calls: usize| {
        let mut tape = Tape::new(&g, training, seed);
        let mut out = None;
        for _ in 0..calls {
            out = Some(tape.sparse_dropout(&a, p).unwrap());
        }
        out.unwrap()
    };
    let d = draw(5, true, p, 1);
    assert_eq!(d.row_ptr.to_u32().unwrap(), a.row_ptr.to_u32().unwrap());
    assert_eq!(d.col_idx.to_u32().unwrap(), a.col_idx.to_u32().unwrap());
    let got = d.values.to_f32().unwrap();
    let mut zeros = 0usize;
    for (k, (&y, &v)) in got.iter().zip(&values).enumerate() {
        let kept = v / (1.0 - p);
        if y == 0.0 {
            zeros += 1;
        } else {
            assert!(
                (y - kept).abs() <= 1e-6 * kept,
                "value {k}: {y}, want 0 or {kept}"
            );
        }
    }
    let n = values.len() as f64;
    let sd = (n * f64::from(p) * f64::from(1.0 - p)).sqrt();
    assert!(
        (zeros as f64 - n * f64::from(p)).abs() < 5.0 * sd,
        "{zeros} of {n} dropped, expected about {}",
        n * f64::from(p)
    );
    assert_eq!(
        draw(5, true, p, 1).values.to_f32().unwrap(),
        got,
        "same seed"
    );
    assert_ne!(
        draw(5, true, p, 2).values.to_f32().unwrap(),
        got,
        "second call"
    );
    assert_eq!(
        draw(5, false, p, 1).values.to_f32().unwrap(),
        values,
        "evaluation"
    );
    assert_eq!(
        draw(5, true, 0.0, 1).values.to_f32().unwrap(),
        values,
        "p = 0"
    );
}
