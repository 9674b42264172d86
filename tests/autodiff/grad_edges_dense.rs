//! Finite-difference checks of broadcasts, aliasing, pooling, losses, K-split matmuls and the
//! L-GrIN ops that tests/autodiff/grad.rs and lgrin_ops.rs do not make (tests/autodiff/coverage.rs
//! names them in `GRAD_COVERAGE`). Each uses `common::grad` (the tape's forward against a plain
//! Rust f64 reference, its GPU gradient of loss = Σ w ⊙ op(inputs) against central finite
//! differences of that reference, tolerances in that module's docs):
//! - add / sub / mul with a rank-3 left operand and a `[1, c]` row vector, and with one Var as
//!   both operands;
//! - segment pooling with rows before the first segment (gradient 0) and two feature blocks;
//! - softmax cross-entropy on the workgroup-per-row path (c > 32) with fractional row weights
//!   and an out-of-range label (weight 0);
//! - the L2 and Frobenius penalties with negative coefficients;
//! - the three matmuls where the forward or the backward splits K (k >= 512);
//! - Ψ pooling with p `[m, 1]`, the structure loss without p, batch norm on a rank-3 input.

use crate::common;

use common::grad::{check, check_mode, input};
use common::{gpu, Rng};
use synchgraph::autodiff::BatchNormStats;
use synchgraph::kernels::matmul::{auto_k_slices, SPLIT_MIN_K};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

fn bcast(a: &[f64], b: &[f64], f: fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter()
        .enumerate()
        .map(|(i, &av)| f(av, b[i % b.len()]))
        .collect()
}

#[test]
fn binary_ops_with_a_rank_three_operand_and_a_1_by_c_row() {
    let mut r = Rng(35);
    let ins = [input(&mut r, &[2, 3, 4]), input(&mut r, &[1, 4])];
    check(
        "add 3-D + [1, c]",
        &ins,
        &|t, v| t.add(&v[0], &v[1]),
        &|x| bcast(&x[0], &x[1], |a, b| a + b),
    );
    check(
        "sub 3-D - [1, c]",
        &ins,
        &|t, v| t.sub(&v[0], &v[1]),
        &|x| bcast(&x[0], &x[1], |a, b| a - b),
    );
    check(
        "mul 3-D * [1, c]",
        &ins,
        &|t, v| t.mul(&v[0], &v[1]),
        &|x| bcast(&x[0], &x[1], |a, b| a * b),
    );
}

#[test]
fn one_var_as_both_operands() {
    let mut r = Rng(36);
    let ins = [input(&mut r, &[4, 3])];
    check("x * x", &ins, &|t, v| t.mul(&v[0], &v[0]), &|x| {
        x[0].iter().map(|a| a * a).collect()
    });
    check("x + x", &ins, &|t, v| t.add(&v[0], &v[0]), &|x| {
        x[0].iter().map(|a| 2.0 * a).collect()
    });
    // x xᵀ: the same Var as both matmul operands.
    check("x · xᵀ", &ins, &|t, v| t.matmul_nt(&v[0], &v[0]), &|x| {
        let mut out = vec![0.0; 16];
        for i in 0..4 {
            for j in 0..4 {
                out[i * 4 + j] = (0..3).map(|k| x[0][i * 3 + k] * x[0][j * 3 + k]).sum();
            }
        }
        out
    });
}

#[test]
fn segment_pool_with_rows_outside_the_segments_and_two_feature_blocks() {
    // Rows 0 and 1 come before the first segment: their gradient is 0 for every op. 70
    // features are two blocks of 64 in the forward kernel.
    let g = gpu();
    let mut r = Rng(37);
    let (n, f) = (8usize, 70usize);
    let offs = [2usize, 4, 4, 8];
    let ot = Tensor::from_u32(&g, &[4], &offs.map(|o| o as u32)).unwrap();
    // Distinct values 3e-3 apart (a shuffled ramp with random signs): no two within the
    // finite-difference step, so no max switches rows inside it.
    let mut vals: Vec<f32> = (0..n * f)
        .map(|k| (0.1 + 3e-3 * k as f32) * if r.below(2) == 0 { 1.0 } else { -1.0 })
        .collect();
    for k in (1..vals.len()).rev() {
        vals.swap(k, r.below(k + 1));
    }
    let ins = [(vec![n, f], vals)];
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
        check(
            &format!("segment_pool {op:?} offsets {offs:?}"),
            &ins,
            &|t, v| t.segment_pool(&v[0], &ot, op),
            &|x| {
                let mut out = Vec::new();
                for s in 0..offs.len() - 1 {
                    for j in 0..f {
                        let vals: Vec<f64> =
                            (offs[s]..offs[s + 1]).map(|r| x[0][r * f + j]).collect();
                        out.push(match (op, vals.is_empty()) {
                            (_, true) => 0.0,
                            (ReduceOp::Sum, _) => vals.iter().sum(),
                            (ReduceOp::Mean, _) => vals.iter().sum::<f64>() / vals.len() as f64,
                            (ReduceOp::Max, _) => vals.iter().copied().fold(f64::MIN, f64::max),
                        });
                    }
                }
                out
            },
        );
    }
}

#[test]
fn softmax_cross_entropy_per_row_workgroups_fractional_weights_and_a_bad_label() {
    // 40 classes (> 32: one workgroup per row); row 2's label is out of range (weight 0); the
    // other rows weigh 0.25 .. 1.5.
    let g = gpu();
    let mut r = Rng(38);
    let (rows, c) = (5usize, 40usize);
    let labels = [3u32, 39, 45, 0, 17];
    let weights = [0.25f32, 1.5, 1.0, 0.5, 1.0];
    let lt = Tensor::from_u32(&g, &[rows], &labels).unwrap();
    let wt = Tensor::from_f32(&g, &[rows], &weights).unwrap();
    // Logits in ±[0.3, 3] so the probabilities (and the gradients) are not all about 1 / 40.
    let mut ins = [input(&mut r, &[rows, c])];
    for v in &mut ins[0].1 {
        *v *= 3.0;
    }
    // The loss is one scalar, so every logit's gradient carries the single output weight.
    check(
        "softmax_cross_entropy 5x40 weighted",
        &ins,
        &|t, v| t.softmax_cross_entropy(&v[0], &lt, Some(&wt)),
        &|x| {
            let (mut total, mut count) = (0.0, 0.0);
            for i in 0..rows {
                if labels[i] as usize >= c {
                    continue;
                }
                let row = &x[0][i * c..(i + 1) * c];
                let m = row.iter().copied().fold(f64::MIN, f64::max);
                let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                let w = f64::from(weights[i]);
                total += w * (lse - row[labels[i] as usize]);
                count += w;
            }
            vec![total / count]
        },
    );
}

#[test]
fn penalties_with_negative_coefficients() {
    let mut r = Rng(39);
    let ins = [input(&mut r, &[4, 5])];
    check(
        "l2_penalty -0.4",
        &ins,
        &|t, v| t.l2_penalty(&v[0], -0.4),
        &|x| vec![-0.4 * x[0].iter().map(|v| v * v).sum::<f64>()],
    );
    check(
        "frobenius_penalty -0.9",
        &ins,
        &|t, v| t.frobenius_penalty(&v[0], -0.9),
        &|x| vec![-0.9 * x[0].iter().map(|v| v * v).sum::<f64>().sqrt()],
    );
}

fn mm(a: &[f64], b: &[f64], m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Vec<f64> {
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
fn matmuls_whose_forward_or_backward_splits_k() {
    // K = 520 >= 2 SPLIT_MIN_K: a product with a one-tile output and this inner dimension is
    // cut into K slices summed by reduce_cols. First the forward splits (m = 3, n = 2), then,
    // with the long side as m, the weight gradient Aᵀ G does.
    let k = 520usize;
    assert!(auto_k_slices(1, 3, 2, k) > 1 && k >= 2 * SPLIT_MIN_K);
    let mut r = Rng(40);
    let ins = [input(&mut r, &[3, k]), input(&mut r, &[k, 2])];
    check(
        "matmul 3x520 · 520x2",
        &ins,
        &|t, v| t.matmul(&v[0], &v[1]),
        &|x| mm(&x[0], &x[1], 3, k, 2, false, false),
    );
    let ins = [input(&mut r, &[k, 3]), input(&mut r, &[k, 2])];
    check(
        "matmul_tn (520x3)ᵀ · 520x2",
        &ins,
        &|t, v| t.matmul_tn(&v[0], &v[1]),
        &|x| mm(&x[0], &x[1], 3, k, 2, true, false),
    );
    let ins = [input(&mut r, &[3, k]), input(&mut r, &[2, k])];
    check(
        "matmul_nt 3x520 · (2x520)ᵀ",
        &ins,
        &|t, v| t.matmul_nt(&v[0], &v[1]),
        &|x| mm(&x[0], &x[1], 3, k, 2, false, true),
    );
    // Backward split: grad B = Aᵀ G runs K = 520 (the rows of A).
    let ins = [input(&mut r, &[k, 3]), input(&mut r, &[3, 2])];
    check(
        "matmul 520x3 · 3x2",
        &ins,
        &|t, v| t.matmul(&v[0], &v[1]),
        &|x| mm(&x[0], &x[1], k, 3, 2, false, false),
    );
}

#[test]
fn psi_pool_with_a_column_p_and_structure_loss_without_p() {
    let g = gpu();
    let mut r = Rng(41);
    let ins = [input(&mut r, &[6, 4]), input(&mut r, &[6, 1])];
    check(
        "psi_pool p [m, 1]",
        &ins,
        &|t, v| t.psi_pool(&v[0], &v[1]),
        &|x| {
            (0..4)
                .map(|c| (0..6).map(|m| x[0][m * 4 + c] * x[1][m]).sum())
                .collect()
        },
    );
    let m = 5usize;
    let ad: Vec<f32> = (0..m * m)
        .map(|k| ((k / m) as f32 - (k % m) as f32).abs())
        .collect();
    let adt = Tensor::from_f32(&g, &[m, m], &ad).unwrap();
    let ins = [input(&mut r, &[m, m])];
    for means in [true, false] {
        check(
            &format!("structure_loss without p, means {means}"),
            &ins,
            &|t, v| {
                let ra = t.relu(&v[0])?;
                t.structure_loss(&ra, &adt, None, 1.0, 0.5, means)
            },
            &|x| {
                let k = if means { (m * m) as f64 } else { 1.0 };
                let s: f64 = x[0]
                    .iter()
                    .zip(&ad)
                    .map(|(&a, &d)| a.max(0.0) * f64::from(d) + a.max(0.0).powi(2))
                    .sum();
                vec![s / k]
            },
        );
    }
}

#[test]
fn batch_norm_of_a_rank_three_input_in_both_modes() {
    // x [2, 4, 3] is normalised as 8 rows of 3 columns.
    let g = gpu();
    let mut r = Rng(42);
    let ins = [input(&mut r, &[2, 4, 3])];
    let rm = [0.1f32, -0.2, 0.3];
    let rv = [0.7f32, 1.2, 0.4];
    let bn = |x: &[f64], stats: Option<(&[f32], &[f32])>| -> Vec<f64> {
        let (rows, cols) = (x.len() / 3, 3);
        let mut out = vec![0.0; x.len()];
        for c in 0..cols {
            let (mean, var) = match stats {
                Some((m, v)) => (f64::from(m[c]), f64::from(v[c])),
                None => {
                    let mean = (0..rows).map(|r| x[r * cols + c]).sum::<f64>() / rows as f64;
                    let var = (0..rows)
                        .map(|r| (x[r * cols + c] - mean).powi(2))
                        .sum::<f64>()
                        / rows as f64;
                    (mean, var)
                }
            };
            for r in 0..rows {
                out[r * cols + c] = (x[r * cols + c] - mean) / (var + 1e-5).sqrt();
            }
        }
        out
    };
    check_mode(
        "batch_norm [2, 4, 3] (train)",
        &ins,
        true,
        &|t, v| {
            let mut st = BatchNormStats::new(&gpu(), 3)?;
            t.batch_norm(&v[0], &mut st)
        },
        &|x| bn(&x[0], None),
    );
    check_mode(
        "batch_norm [2, 4, 3] (eval)",
        &ins,
        false,
        &|t, v| {
            let mut st = BatchNormStats::new(&g, 3)?;
            st.running_mean = Tensor::from_f32(&g, &[3], &rm)?;
            st.running_var = Tensor::from_f32(&g, &[3], &rv)?;
            t.batch_norm(&v[0], &mut st)
        },
        &|x| bn(&x[0], Some((&rm, &rv))),
    );
}
