//! Gradient checks of every autodiff op: the tape's forward value is compared with a plain Rust
//! f64 reference of the forward, and its GPU gradient of loss = Σ w ⊙ op(inputs) (w fixed random
//! weights) with central finite differences (step 1e-3) of that reference. Tolerances (f32 GPU
//! arithmetic against an f64 reference, `common::grad`): forward |got - want| <= 1e-3 +
//! 1e-3 |want|; gradient of input k |analytic - numeric| <= max(1e-5, 1e-3 max|numeric_k|) +
//! 2e-2 |numeric| per element, and each input's max |numeric| must be at least 1e-2 for its check
//! to count. Inputs avoid the kinks of relu and ties of max by construction.

use crate::common;

use common::grad::{
    check, compare, compare_forward, evaluate, gradients, input, Fwd, Reference, MIN_GRAD,
};
use common::{gpu, Rng};
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

/// f64 product of a [m, k] (or its transpose, `ta`) and b [k, n] (or its transpose, `tb`).
pub(crate) fn mm(
    a: &[f64],
    b: &[f64],
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let av = if ta { a[p * m + i] } else { a[i * k + p] };
                let bv = if tb { b[j * k + p] } else { b[p * n + j] };
                c[i * n + j] += av * bv;
            }
        }
    }
    c
}

#[test]
fn matmul_variants() {
    let mut r = Rng(1);
    let ins = [input(&mut r, &[3, 4]), input(&mut r, &[4, 5])];
    check("matmul", &ins, &|t, v| t.matmul(&v[0], &v[1]), &|x| {
        mm(&x[0], &x[1], 3, 4, 5, false, false)
    });
    let ins = [input(&mut r, &[4, 3]), input(&mut r, &[4, 5])];
    check("matmul_tn", &ins, &|t, v| t.matmul_tn(&v[0], &v[1]), &|x| {
        mm(&x[0], &x[1], 3, 4, 5, true, false)
    });
    let ins = [input(&mut r, &[3, 4]), input(&mut r, &[5, 4])];
    check("matmul_nt", &ins, &|t, v| t.matmul_nt(&v[0], &v[1]), &|x| {
        mm(&x[0], &x[1], 3, 4, 5, false, true)
    });
}

/// f64 `f(a, b)` with b repeated along a (a row vector or a scalar broadcast over rows).
pub(crate) fn zip_bcast(a: &[f64], b: &[f64], f: fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter()
        .enumerate()
        .map(|(i, &av)| f(av, b[i % b.len()]))
        .collect()
}

#[test]
fn binary_ops_with_row_broadcast() {
    let mut r = Rng(2);
    for bshape in [vec![4, 3], vec![3]] {
        let ins = [input(&mut r, &[4, 3]), input(&mut r, &bshape)];
        check("add", &ins, &|t, v| t.add(&v[0], &v[1]), &|x| {
            zip_bcast(&x[0], &x[1], |a, b| a + b)
        });
        check("sub", &ins, &|t, v| t.sub(&v[0], &v[1]), &|x| {
            zip_bcast(&x[0], &x[1], |a, b| a - b)
        });
        check("mul", &ins, &|t, v| t.mul(&v[0], &v[1]), &|x| {
            zip_bcast(&x[0], &x[1], |a, b| a * b)
        });
    }
}

#[test]
fn unary_ops() {
    let mut r = Rng(3);
    let ins = [input(&mut r, &[5, 3])];
    let map = |f: fn(f64) -> f64| move |x: &[Vec<f64>]| x[0].iter().map(|&v| f(v)).collect();
    check(
        "scale",
        &ins,
        &|t, v| t.scale(&v[0], -1.5),
        &map(|v| -1.5 * v),
    );
    check("relu", &ins, &|t, v| t.relu(&v[0]), &map(|v| v.max(0.0)));
    check(
        "sigmoid",
        &ins,
        &|t, v| t.sigmoid(&v[0]),
        &map(|v| 1.0 / (1.0 + (-v).exp())),
    );
    check("tanh", &ins, &|t, v| t.tanh(&v[0]), &map(f64::tanh));
    check("exp", &ins, &|t, v| t.exp(&v[0]), &map(f64::exp));
}

#[test]
fn dropout_uses_its_mask_and_is_identity_in_eval() {
    let g = gpu();
    let mut r = Rng(4);
    let (shape, data) = input(&mut r, &[6, 5]);
    let mut tape = Tape::new(&g, true, 11);
    let x = tape.constant(&Tensor::from_f32(&g, &shape, &data).unwrap());
    let y = tape.dropout(&x, 0.5).unwrap().value().to_f32().unwrap();
    let mask: Vec<f64> = y
        .iter()
        .zip(&data)
        .map(|(a, b)| f64::from(a / b).round())
        .collect();
    assert!(mask.iter().all(|&m| m == 0.0 || m == 2.0), "mask {mask:?}");
    assert!(mask.contains(&0.0) && mask.contains(&2.0));
    let mt = Tensor::from_f32(
        &g,
        &shape,
        &mask.iter().map(|&m| m as f32).collect::<Vec<_>>(),
    )
    .unwrap();
    check(
        "dropout",
        &[(shape.clone(), data.clone())],
        &|t, v| t.dropout_with_mask(&v[0], mt.clone()),
        &|x| x[0].iter().zip(&mask).map(|(a, m)| a * m).collect(),
    );
    let mut eval = Tape::new(&g, false, 11);
    let x = eval.constant(&Tensor::from_f32(&g, &shape, &data).unwrap());
    assert_eq!(
        eval.dropout(&x, 0.5).unwrap().value().to_f32().unwrap(),
        data
    );
    // Same seed, same mask.
    let mut again = Tape::new(&g, true, 11);
    let x = again.constant(&Tensor::from_f32(&g, &shape, &data).unwrap());
    assert_eq!(again.dropout(&x, 0.5).unwrap().value().to_f32().unwrap(), y);
}

#[test]
fn layout_ops() {
    let g = gpu();
    let mut r = Rng(5);
    let ins = [input(&mut r, &[3, 2]), input(&mut r, &[3, 4])];
    check(
        "concat_cols",
        &ins,
        &|t, v| t.concat_cols(&[&v[0], &v[1]]),
        &|x| {
            (0..3)
                .flat_map(|i| {
                    x[0][i * 2..i * 2 + 2]
                        .iter()
                        .chain(&x[1][i * 4..i * 4 + 4])
                        .copied()
                        .collect::<Vec<_>>()
                })
                .collect()
        },
    );
    // The same input twice (and a third part): both copies' gradients are added.
    check(
        "concat_cols (an input twice)",
        &ins,
        &|t, v| t.concat_cols(&[&v[1], &v[0], &v[1]]),
        &|x| {
            (0..3)
                .flat_map(|i| {
                    x[1][i * 4..i * 4 + 4]
                        .iter()
                        .chain(&x[0][i * 2..i * 2 + 2])
                        .chain(&x[1][i * 4..i * 4 + 4])
                        .copied()
                        .collect::<Vec<_>>()
                })
                .collect()
        },
    );
    let idx = [0u32, 2, 2, 4, 1, 0];
    let it = Tensor::from_u32(&g, &[6], &idx).unwrap();
    let ins = [input(&mut r, &[5, 3])];
    check(
        "gather_rows",
        &ins,
        &|t, v| t.gather_rows(&v[0], &it),
        &|x| {
            idx.iter()
                .flat_map(|&i| x[0][i as usize * 3..i as usize * 3 + 3].to_vec())
                .collect()
        },
    );
    let ins = [input(&mut r, &[6, 3])];
    check(
        "scatter_add_rows",
        &ins,
        &|t, v| t.scatter_add_rows(&v[0], &it, 5),
        &|x| {
            let mut out = vec![0.0; 15];
            for (i, &d) in idx.iter().enumerate() {
                for j in 0..3 {
                    out[d as usize * 3 + j] += x[0][i * 3 + j];
                }
            }
            out
        },
    );
}

/// f64 segment pooling of x [n, f] over CSR offsets (0 for an empty segment).
pub(crate) fn seg_ref(x: &[f64], offs: &[usize], f: usize, op: ReduceOp) -> Vec<f64> {
    let mut out = Vec::new();
    for s in 0..offs.len() - 1 {
        for j in 0..f {
            let vals: Vec<f64> = (offs[s]..offs[s + 1]).map(|r| x[r * f + j]).collect();
            out.push(match (op, vals.is_empty()) {
                (_, true) => 0.0,
                (ReduceOp::Sum, _) => vals.iter().sum(),
                (ReduceOp::Mean, _) => vals.iter().sum::<f64>() / vals.len() as f64,
                (ReduceOp::Max, _) => vals.iter().copied().fold(f64::MIN, f64::max),
            });
        }
    }
    out
}

#[test]
fn segment_and_row_pooling() {
    let g = gpu();
    let mut r = Rng(6);
    let offs = [0usize, 2, 2, 5, 7];
    let ot = Tensor::from_u32(&g, &[5], &offs.map(|o| o as u32)).unwrap();
    let ins = [input(&mut r, &[7, 3])];
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
        check(
            "segment_pool",
            &ins,
            &|t, v| t.segment_pool(&v[0], &ot, op),
            &|x| seg_ref(&x[0], &offs, 3, op),
        );
        check("pool_rows", &ins, &|t, v| t.pool_rows(&v[0], op), &|x| {
            seg_ref(&x[0], &[0, 7], 3, op)
        });
    }
}

#[test]
fn losses_and_penalties() {
    let g = gpu();
    let mut r = Rng(7);
    let labels = [1u32, 3, 0, 2, 2];
    let mask = [1.0f32, 0.0, 1.0, 1.0, 0.0];
    let lt = Tensor::from_u32(&g, &[5], &labels).unwrap();
    let mt = Tensor::from_f32(&g, &[5], &mask).unwrap();
    let ins = [input(&mut r, &[5, 4])];
    check(
        "softmax_cross_entropy",
        &ins,
        &|t, v| t.softmax_cross_entropy(&v[0], &lt, Some(&mt)),
        &|x| {
            let mut total = 0.0;
            for i in 0..5 {
                let row = &x[0][i * 4..i * 4 + 4];
                let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
                total += f64::from(mask[i]) * (lse - row[labels[i] as usize]);
            }
            vec![total / 3.0]
        },
    );
    // Without a mask (how L-GrIN and the graph GCN train): the mean over every row.
    check(
        "softmax_cross_entropy (no mask)",
        &ins,
        &|t, v| t.softmax_cross_entropy(&v[0], &lt, None),
        &|x| {
            let mut total = 0.0;
            for i in 0..5 {
                let row = &x[0][i * 4..i * 4 + 4];
                let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
                total += lse - row[labels[i] as usize];
            }
            vec![total / 5.0]
        },
    );
    check("sum_all", &ins, &|t, v| t.sum_all(&v[0]), &|x| {
        vec![x[0].iter().sum()]
    });
    check("l2_penalty", &ins, &|t, v| t.l2_penalty(&v[0], 0.3), &|x| {
        vec![0.3 * x[0].iter().map(|v| v * v).sum::<f64>()]
    });
    check(
        "frobenius_penalty",
        &ins,
        &|t, v| t.frobenius_penalty(&v[0], 0.7),
        &|x| vec![0.7 * x[0].iter().map(|v| v * v).sum::<f64>().sqrt()],
    );
}

/// At x = 0 (and with coeff 0) the Frobenius penalty's gradient is 0, a subgradient, not the
/// NaN of 0 / 0; away from 0 it is coeff x / ‖x‖ even where ‖x‖ is far below 1.
#[test]
fn frobenius_penalty_gradient_is_finite_at_zero() {
    let g = gpu();
    for (x, coeff, want) in [
        (vec![0.0f32; 5], 0.7f32, vec![0.0f32; 5]),
        (vec![3.0, -4.0, 0.0, 0.0, 0.0], 0.0, vec![0.0; 5]),
        (
            vec![3e-10, -4e-10, 0.0, 0.0, 0.0],
            0.5,
            vec![0.3, -0.4, 0.0, 0.0, 0.0],
        ),
        // A subnormal coefficient: 0 (to within the tolerance), not NaN.
        (vec![3.0, -4.0, 0.0, 0.0, 0.0], 1e-40, vec![0.0; 5]),
        // Σ x² underflows to 0 in f32 while x does not: still coeff x / ‖x‖.
        (
            vec![1e-25, -1e-25, 0.0, 0.0, 0.0],
            0.5,
            vec![
                0.5 * std::f32::consts::FRAC_1_SQRT_2,
                -0.5 * std::f32::consts::FRAC_1_SQRT_2,
                0.0,
                0.0,
                0.0,
            ],
        ),
    ] {
        let mut store = ParamStore::new();
        let id = store.add("x", Tensor::from_f32(&g, &[5], &x).unwrap(), 0.0);
        let mut tape = Tape::new(&g, true, 0);
        let v = tape.param(&store, id);
        let y = tape.frobenius_penalty(&v, coeff).unwrap();
        store.zero_grad();
        tape.backward(&y, &mut store).unwrap();
        let got = store.grad(id).unwrap().to_f32().unwrap();
        for (a, b) in got.iter().zip(&want) {
            assert!(
                (a - b).abs() <= 1e-6,
                "x {x:?} coeff {coeff}: {got:?}, want {want:?}"
            );
        }
    }
}

#[test]
fn composite_graph_accumulates_shared_inputs() {
    let mut r = Rng(8);
    let ins = [
        input(&mut r, &[4, 3]),
        input(&mut r, &[3, 3]),
        input(&mut r, &[3]),
    ];
    // y = tanh(relu(x W + b) W) + x : x and W are each used twice.
    check(
        "composite",
        &ins,
        &|t, v| {
            let h = t.matmul(&v[0], &v[1])?;
            let h = t.add(&h, &v[2])?;
            let h = t.relu(&h)?;
            let h = t.matmul(&h, &v[1])?;
            let h = t.tanh(&h)?;
            t.add(&h, &v[0])
        },
        &|x| {
            let h = mm(&x[0], &x[1], 4, 3, 3, false, false);
            let h: Vec<f64> = zip_bcast(&h, &x[2], |a, b| (a + b).max(0.0));
            let h = mm(&h, &x[1], 4, 3, 3, false, false);
            h.iter().zip(&x[0]).map(|(a, b)| a.tanh() + b).collect()
        },
    );
}

#[test]
fn checker_catches_a_wrong_gradient() {
    let mut r = Rng(9);
    let ins = [input(&mut r, &[3, 4]), input(&mut r, &[4, 2])];
    let fwd: Fwd = &|t, v| t.matmul(&v[0], &v[1]);
    let reference: Reference = &|x| mm(&x[0], &x[1], 3, 4, 2, false, false);
    let (mut a, n) = gradients(&ins, true, fwd, reference, 99);
    assert!(compare(&a, &n).is_ok());
    a[1][5] += 0.05;
    let err = compare(&a, &n).expect_err("a perturbed gradient must fail the check");
    assert!(err.contains("input 1[5]"), "{err}");
}

/// The absolute tolerance scales with each input's largest gradient: an input whose gradients
/// are all small (here at most 0.02) still fails when one of them is zeroed (1e-3 here, which a
/// fixed 2e-3 tolerance let through), and an input whose gradients are all too small for any
/// check to mean anything fails the precondition, named.
#[test]
fn checker_scales_with_small_gradients_and_rejects_insensitive_inputs() {
    let big: Vec<f64> = vec![0.8, -0.3, 0.5];
    let small: Vec<f64> = vec![0.02, -1e-3, 0.015, 0.0];
    let as_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let numeric = vec![big.clone(), small.clone()];
    let mut analytic = vec![as_f32(&big), as_f32(&small)];
    assert!(compare(&analytic, &numeric).is_ok());
    analytic[1][1] = 0.0;
    let err = compare(&analytic, &numeric).expect_err("a zeroed small gradient must fail");
    assert!(err.contains("input 1[1]"), "{err}");
    // Every gradient of input 1 below MIN_GRAD: refused even when the analytic one is 0.
    let tiny: Vec<f64> = small.iter().map(|v| v * 0.4 * MIN_GRAD / 0.02).collect();
    let numeric = vec![big.clone(), tiny.clone()];
    for second in [as_f32(&tiny), vec![0.0; tiny.len()]] {
        let err = compare(&[as_f32(&big), second], &numeric).expect_err("too small to check");
        assert!(err.contains("input 1:") && err.contains("below"), "{err}");
    }
}

/// A forward that is off while its gradient is right (the Frobenius penalty against a reference
/// shifted by 0.01, which has the same gradient) passes the gradient check and fails the forward
/// one.
#[test]
fn checker_catches_a_wrong_forward_with_a_right_gradient() {
    let mut r = Rng(10);
    let ins = [input(&mut r, &[5, 4])];
    let fwd: Fwd = &|t, v| t.frobenius_penalty(&v[0], 0.7);
    let norm = |x: &[Vec<f64>]| 0.7 * x[0].iter().map(|v| v * v).sum::<f64>().sqrt();
    let shifted: Reference = &|x| vec![norm(x) + 0.01];
    let (got, a, n) = evaluate(&ins, true, fwd, shifted, 99);
    assert!(compare(&a, &n).is_ok());
    let base: Vec<Vec<f64>> = vec![ins[0].1.iter().map(|&v| f64::from(v)).collect()];
    assert!(compare_forward(&got, &[norm(&base)]).is_ok());
    let err = compare_forward(&got, &shifted(&base)).expect_err("a shifted forward must fail");
    assert!(err.starts_with("[0]:"), "{err}");
}

#[test]
fn missing_rule_is_named_and_unreached_ops_are_skipped() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", Tensor::from_f32(&g, &[2], &[1.0, 2.0]).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let c = tape.constant(&Tensor::from_f32(&g, &[2], &[3.0, 4.0]).unwrap());
    // An op without a rule on constants only: backward never needs it.
    let opaque = tape.no_rule("mystery", c.value().clone(), &[&c]);
    assert!(!opaque.requires_grad());
    let wv = tape.param(&store, w);
    let y = tape.mul(&wv, &opaque).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(store.grad(w).unwrap().to_f32().unwrap(), vec![3.0, 4.0]);
    // Gradients accumulate across backward passes until zero_grad.
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let loss = tape.sum_all(&wv).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(store.grad(w).unwrap().to_f32().unwrap(), vec![4.0, 5.0]);
    store.zero_grad();
    assert!(store.grad(w).is_none());
    // A gradient reaching a rule-less op is an error naming it.
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let bad = tape.no_rule("mystery", wv.value().clone(), &[&wv]);
    let loss = tape.sum_all(&bad).unwrap();
    let err = tape.backward(&loss, &mut store).unwrap_err().to_string();
    assert!(err.contains("mystery"), "{err}");
}
