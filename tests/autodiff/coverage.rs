//! Every backward op is checked against finite differences in f64: `GRAD_COVERAGE` maps each
//! public `Tape` op to the tests that check it, and a guard reads every `impl Tape` block under
//! `src/` so an op without an entry fails. Below, the checks that tests/autodiff/grad.rs,
//! autodiff_lgrin.rs and autodiff_sparse.rs do not make.
//! Each check uses `common::grad` (the tape's forward against a plain Rust f64 reference, its
//! GPU gradient of loss = Σ w ⊙ op(inputs) against central finite differences of that
//! reference, tolerances in that module's docs):
//! - `Tape::dropout` itself (the seeded mask path, not only `dropout_with_mask`), and the x
//!   gradient of an SpMM through `Tape::sparse_dropout` (the sparse values are constants);
//! - SpMM with a hub row and column, so forward and backward take the workgroup-per-row kernel;
//! - `gather_rows` on rank-1 and rank-3 inputs (the backward folds trailing dimensions) with an
//!   out-of-range index (a zero row, no gradient), `scatter_add_rows` with one (dropped);
//! - add / sub / mul with a rank-3 left operand and a `[1, c]` row vector, and with one Var as
//!   both operands;
//! - segment pooling with rows before the first segment (gradient 0) and two feature blocks;
//! - softmax cross-entropy on the workgroup-per-row path (c > 32) with fractional row weights
//!   and an out-of-range label (weight 0);
//! - the L2 and Frobenius penalties with negative coefficients;
//! - the three matmuls where the forward or the backward splits K (k >= 512);
//! - Ψ pooling with p `[m, 1]`, the structure loss without p, batch norm on a rank-3 input.
//!
//! Kinks are handled deliberately in the last tests: relu's gradient at exactly 0 is 0 (a
//! subgradient), and a max over tied values (segment, row and neighbour max) routes the whole
//! gradient to the first tied row, exactly.

use crate::common;

use common::grad::{check, check_mode, input};
use common::{gpu, Rng};
use synchgraph::autodiff::{BatchNormStats, ParamStore, Tape};
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::kernels::matmul::{auto_k_slices, SPLIT_MIN_K};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

/// The seed `common::grad` gives the tape of a check.
const CHECK_SEED: u64 = 7;

#[test]
fn dropout_with_its_own_seeded_mask() {
    // The mask `check` will draw: the first dropout call on a training tape seeded like the
    // checker's, read back through a tensor of ones.
    let g = gpu();
    let (shape, p) = ([9usize, 7usize], 0.3f32);
    let n = shape[0] * shape[1];
    let mut probe = Tape::new(&g, true, CHECK_SEED);
    let ones = probe.constant(&Tensor::from_f32(&g, &shape, &vec![1.0; n]).unwrap());
    let mask: Vec<f64> = probe
        .dropout(&ones, p)
        .unwrap()
        .value()
        .to_f32()
        .unwrap()
        .iter()
        .map(|&m| f64::from(m))
        .collect();
    let kept = 1.0 / (1.0 - f64::from(p));
    assert!(
        mask.iter()
            .all(|&m| m == 0.0 || (m - kept).abs() < 1e-6 * kept),
        "mask {mask:?}"
    );
    assert!(mask.contains(&0.0) && mask.iter().any(|&m| m > 0.0));
    let mut r = Rng(31);
    let ins = [input(&mut r, &shape)];
    check(
        "dropout (seeded mask)",
        &ins,
        &|t, v| t.dropout(&v[0], p),
        &|x| x[0].iter().zip(&mask).map(|(a, m)| a * m).collect(),
    );
    // Evaluation mode: the identity, gradient w.
    check_mode(
        "dropout (eval)",
        &ins,
        false,
        &|t, v| t.dropout(&v[0], p),
        &|x| x[0].clone(),
    );
}

fn sp_ref(row_ptr: &[u32], col_idx: &[u32], vals: &[f32], x: &[f64], f: usize) -> Vec<f64> {
    let rows = row_ptr.len() - 1;
    let mut y = vec![0.0; rows * f];
    for r in 0..rows {
        for k in row_ptr[r] as usize..row_ptr[r + 1] as usize {
            for j in 0..f {
                y[r * f + j] += f64::from(vals[k]) * x[col_idx[k] as usize * f + j];
            }
        }
    }
    y
}

#[test]
fn spmm_through_sparse_dropout() {
    // tkipf/gcn's first layer: spmm(sparse_dropout(X), W). The dropped values are those of the
    // first sparse_dropout on a training tape seeded like the checker's.
    let g = gpu();
    let mut r = Rng(32);
    let (rows, cols, f, p) = (8usize, 6usize, 5usize, 0.4f32);
    let triples: Vec<(u32, u32, f32)> = (0..30)
        .map(|_| {
            (
                r.below(rows) as u32,
                r.below(cols) as u32,
                r.uniform(0.2, 1.0),
            )
        })
        .collect();
    let a = Csr::from_host(&g, rows, cols, HostCsr::from_triples(rows, triples)).unwrap();
    let mut probe = Tape::new(&g, true, CHECK_SEED);
    let dropped = probe.sparse_dropout(&a, p).unwrap();
    let vals = dropped.values.to_f32().unwrap();
    assert!(vals.contains(&0.0) && vals.iter().any(|&v| v != 0.0));
    let (rp, ci) = (a.host.row_ptr.clone(), a.host.col_idx.clone());
    let ins = [input(&mut r, &[cols, f])];
    check(
        "spmm(sparse_dropout(A), X)",
        &ins,
        &|t, v| {
            let d = t.sparse_dropout(&a, p)?;
            t.spmm(&d, &v[0])
        },
        &|x| sp_ref(&rp, &ci, &vals, &x[0], f),
    );
}

#[test]
fn spmm_with_a_hub_row_and_column_takes_the_tiled_kernel_both_ways() {
    // Row 0 and column 0 of A [300, 300] hold 300 entries each (> FLAT_MAX_DEGREE): the forward
    // and the backward (through the transpose, values read through its permutation) both run
    // the workgroup-per-row kernel.
    use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
    let g = gpu();
    let mut r = Rng(43);
    let (n, f) = (300usize, 3usize);
    let mut triples: Vec<(u32, u32, f32)> = Vec::new();
    for j in 0..n as u32 {
        triples.push((0, j, r.uniform(-1.0, 1.0)));
        if j > 0 {
            triples.push((j, 0, r.uniform(-1.0, 1.0)));
        }
    }
    for _ in 0..200 {
        triples.push((r.below(n) as u32, r.below(n) as u32, r.uniform(-1.0, 1.0)));
    }
    let a = Csr::from_host(&g, n, n, HostCsr::from_triples(n, triples)).unwrap();
    assert!(a.max_row_degree > FLAT_MAX_DEGREE && a.max_col_degree > FLAT_MAX_DEGREE);
    let host = a.host.clone();
    let ins = [input(&mut r, &[n, f])];
    check("spmm hub 300x300", &ins, &|t, v| t.spmm(&a, &v[0]), &|x| {
        sp_ref(&host.row_ptr, &host.col_idx, &host.values, &x[0], f)
    });
}

#[test]
fn gather_rows_of_rank_one_and_three_with_an_out_of_range_index() {
    let g = gpu();
    let mut r = Rng(33);
    // Index 9 is past the 5 rows: a zero row forward, nothing backward.
    let idx = [4u32, 0, 9, 2, 4, 1, 0];
    let it = Tensor::from_u32(&g, &[idx.len()], &idx).unwrap();
    let gather = |x: &[f64], f: usize| -> Vec<f64> {
        idx.iter()
            .flat_map(|&i| {
                let i = i as usize;
                if i < 5 {
                    x[i * f..(i + 1) * f].to_vec()
                } else {
                    vec![0.0; f]
                }
            })
            .collect()
    };
    let ins = [input(&mut r, &[5])];
    check(
        "gather_rows [5]",
        &ins,
        &|t, v| t.gather_rows(&v[0], &it),
        &|x| gather(&x[0], 1),
    );
    let ins = [input(&mut r, &[5, 2, 3])];
    check(
        "gather_rows [5, 2, 3]",
        &ins,
        &|t, v| t.gather_rows(&v[0], &it),
        &|x| gather(&x[0], 6),
    );
}

#[test]
fn scatter_add_rows_drops_an_out_of_range_index() {
    let g = gpu();
    let mut r = Rng(34);
    let idx = [3u32, 0, 7, 3, 1, 3];
    let it = Tensor::from_u32(&g, &[idx.len()], &idx).unwrap();
    let ins = [input(&mut r, &[6, 4])];
    check(
        "scatter_add_rows (index 7 of 5 rows)",
        &ins,
        &|t, v| t.scatter_add_rows(&v[0], &it, 5),
        &|x| {
            let mut out = vec![0.0; 20];
            for (i, &d) in idx.iter().enumerate() {
                if d < 5 {
                    for j in 0..4 {
                        out[d as usize * 4 + j] += x[0][i * 4 + j];
                    }
                }
            }
            out
        },
    );
}

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

/// The gradient of Σ w ⊙ f(x) for one parameter x, through the tape.
fn grad_of(
    shape: &[usize],
    x: &[f32],
    w: &[f32],
    f: &dyn Fn(
        &mut Tape,
        &synchgraph::autodiff::Var,
    ) -> synchgraph::Result<synchgraph::autodiff::Var>,
) -> Vec<f32> {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add("x", Tensor::from_f32(&g, shape, x).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let xv = tape.param(&store, id);
    let y = f(&mut tape, &xv).unwrap();
    let wt = tape.constant(&Tensor::from_f32(&g, y.shape(), w).unwrap());
    let yw = tape.mul(&y, &wt).unwrap();
    let loss = tape.sum_all(&yw).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    store.grad(id).unwrap().to_f32().unwrap()
}

#[test]
fn relu_at_exactly_zero_has_the_zero_subgradient() {
    // The finite difference at 0 is 1/2 (the average of the two sides); the rule gives 0, the
    // subgradient that the kernel documents (f'(x) = 1 where y > 0).
    let x = [0.0f32, 0.5, -0.5, 0.0];
    let w = [1.0f32, 2.0, 3.0, -4.0];
    let got = grad_of(&[4], &x, &w, &|t, v| t.relu(v));
    assert_eq!(got, vec![0.0, 2.0, 0.0, 0.0]);
}

#[test]
fn max_ties_route_the_whole_gradient_to_the_first_tied_row() {
    // Exact ties (as a max over ReLU outputs meets at 0): the first row attaining the max gets
    // the segment's gradient, the others 0.
    let g = gpu();
    // Column 0: rows 1 and 3 tie at 0.5; column 1: rows 0, 2 and 3 tie at 0.
    let x = [0.2f32, 0.0, 0.5, -1.0, 0.1, 0.0, 0.5, 0.0];
    let w = [3.0f32, -2.0];
    let pooled = grad_of(&[4, 2], &x, &w, &|t, v| t.pool_rows(v, ReduceOp::Max));
    assert_eq!(pooled, vec![0.0, -2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let offsets = Tensor::from_u32(&g, &[3], &[0, 4, 4]).unwrap();
    let w2 = [3.0f32, -2.0, 5.0, 7.0];
    let seg = grad_of(&[4, 2], &x, &w2, &|t, v| {
        t.segment_pool(v, &offsets, ReduceOp::Max)
    });
    assert_eq!(seg, pooled, "segment max (the empty segment adds nothing)");
    // Neighbour max: node 0's neighbours are 1, 2, 3 (rows 1 and 3 tie in column 0, 2 and 3
    // in column 1 at 0); node 1's are 0 and 3.
    let mut mask = vec![0.0f32; 16];
    for (i, j) in [(0, 1), (0, 2), (0, 3), (1, 0), (1, 3)] {
        mask[i * 4 + j] = 1.0;
    }
    let mt = Tensor::from_f32(&g, &[4, 4], &mask).unwrap();
    let w3 = [1.0f32, 2.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0];
    let nm = grad_of(&[4, 2], &x, &w3, &|t, v| t.neighbor_max(&mt, v));
    // Node 0: column 0 max 0.5 at rows 1 and 3 -> row 1; column 1 max 0 at rows 2, 3 -> row 2
    // (row 1's -1 is below). Node 1: column 0 max 0.5 at row 3 (row 0 has 0.2); column 1 max
    // 0.0 at rows 0 and 3 -> row 0. Nodes 2 and 3 have no neighbours (weight 0 anyway).
    let want = vec![0.0, 20.0, 1.0, 0.0, 0.0, 2.0, 10.0, 0.0];
    assert_eq!(nm, want, "neighbour max");
}

/// Every public method of `Tape` (every `impl Tape` block under src/) that records an op, with
/// the tests that check its gradient against f64 finite differences ("area/file::name" for
/// `#[test] fn name` in tests/area/file.rs; each calls the method and `check` / `check_mode` of
/// `common::grad`). `sparse_dropout` has no gradient of its own (the sparse values are
/// constants): its test checks the dense operand's gradient through the SpMM it feeds.
/// Completeness is checked by `every_tape_op_has_a_finite_difference_test`.
const GRAD_COVERAGE: &[(&str, &[&str])] = &[
    (
        "matmul",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/coverage::matmuls_whose_forward_or_backward_splits_k",
        ],
    ),
    (
        "matmul_tn",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/coverage::matmuls_whose_forward_or_backward_splits_k",
        ],
    ),
    (
        "matmul_nt",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/coverage::matmuls_whose_forward_or_backward_splits_k",
            "autodiff/coverage::one_var_as_both_operands",
        ],
    ),
    (
        "add",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/coverage::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
            "autodiff/coverage::one_var_as_both_operands",
        ],
    ),
    (
        "sub",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/coverage::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
        ],
    ),
    (
        "mul",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/coverage::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
            "autodiff/coverage::one_var_as_both_operands",
        ],
    ),
    ("scale", &["autodiff/grad::unary_ops"]),
    ("relu", &["autodiff/grad::unary_ops"]),
    ("sigmoid", &["autodiff/grad::unary_ops"]),
    ("tanh", &["autodiff/grad::unary_ops"]),
    ("exp", &["autodiff/grad::unary_ops"]),
    (
        "dropout",
        &["autodiff/coverage::dropout_with_its_own_seeded_mask"],
    ),
    (
        "dropout_with_mask",
        &["autodiff/grad::dropout_uses_its_mask_and_is_identity_in_eval"],
    ),
    ("concat_cols", &["autodiff/grad::layout_ops"]),
    (
        "gather_rows",
        &[
            "autodiff/grad::layout_ops",
            "autodiff/coverage::gather_rows_of_rank_one_and_three_with_an_out_of_range_index",
        ],
    ),
    (
        "scatter_add_rows",
        &[
            "autodiff/grad::layout_ops",
            "autodiff/coverage::scatter_add_rows_drops_an_out_of_range_index",
        ],
    ),
    (
        "segment_pool",
        &[
            "autodiff/grad::segment_and_row_pooling",
            "autodiff/coverage::segment_pool_with_rows_outside_the_segments_and_two_feature_blocks",
        ],
    ),
    ("pool_rows", &["autodiff/grad::segment_and_row_pooling"]),
    ("sum_all", &["autodiff/grad::losses_and_penalties"]),
    (
        "softmax_cross_entropy",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/coverage::softmax_cross_entropy_per_row_workgroups_fractional_weights_and_a_bad_label",
        ],
    ),
    (
        "l2_penalty",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/coverage::penalties_with_negative_coefficients",
        ],
    ),
    (
        "frobenius_penalty",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/coverage::penalties_with_negative_coefficients",
        ],
    ),
    (
        "spmm",
        &[
            "autodiff/sparse_op::spmm_gradient_through_the_prebuilt_transpose",
            "autodiff/sparse_op::gcn_layer_composite",
            "autodiff/coverage::spmm_with_a_hub_row_and_column_takes_the_tiled_kernel_both_ways",
        ],
    ),
    (
        "sparse_dropout",
        &["autodiff/coverage::spmm_through_sparse_dropout"],
    ),
    ("reshape", &["autodiff/lgrin_ops::reshape_passes_gradients_through"]),
    (
        "batch_norm",
        &[
            "autodiff/lgrin_ops::batch_norm_training_mode_gradient_and_running_stats",
            "autodiff/lgrin_ops::batch_norm_training_mode_gradient_over_several_reduction_passes",
            "autodiff/lgrin_ops::batch_norm_eval_mode_uses_running_stats",
            "autodiff/coverage::batch_norm_of_a_rank_three_input_in_both_modes",
        ],
    ),
    (
        "batch_norm_affine",
        &["autodiff/lgrin_ops::batch_norm_affine_gradient"],
    ),
    ("prelu", &["autodiff/lgrin_ops::prelu_learns_its_slope"]),
    (
        "neighbor_max",
        &["autodiff/lgrin_ops::neighbor_max_routes_through_argmax"],
    ),
    (
        "psi_pool",
        &[
            "autodiff/lgrin_ops::psi_pooling_gradient",
            "autodiff/coverage::psi_pool_with_a_column_p_and_structure_loss_without_p",
        ],
    ),
    (
        "structure_loss",
        &[
            "autodiff/lgrin_ops::structure_loss_through_relu_of_a",
            "autodiff/coverage::psi_pool_with_a_column_p_and_structure_loss_without_p",
        ],
    ),
];

/// Public methods of `Tape` that record no differentiable op: construction, queries, leaves
/// (`constant`, `param`, `try_param`), ops without a rule (`no_rule`) and the reverse pass.
const NOT_OPS: &[&str] = &[
    "new",
    "training",
    "len",
    "is_empty",
    "constant",
    "try_param",
    "param",
    "no_rule",
    "backward",
];

/// The names of the `pub fn`s of every `impl Tape {` block in the .rs files under `dir`.
fn tape_methods(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tape_methods(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let mut inside = false;
        for line in source.lines() {
            if line.starts_with("impl Tape {") {
                inside = true;
            } else if line == "}" {
                inside = false;
            } else if let (true, Some(rest)) = (inside, line.trim().strip_prefix("pub fn ")) {
                let name = rest.split(['(', '<']).next().unwrap();
                out.insert(name.to_string());
            }
        }
    }
}

/// The body of `#[test] fn name` in `source` (from its `fn` line to the next line that is a
/// lone `}`), or why there is none.
fn test_body<'a>(source: &'a str, name: &str) -> Result<&'a str, String> {
    let head = format!("\nfn {name}(");
    let at = source
        .find(&head)
        .ok_or_else(|| format!("no `fn {name}`"))?;
    let attrs: Vec<&str> = source[..at]
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .collect();
    if !attrs.contains(&"#[test]") || attrs.iter().any(|a| a.starts_with("#[ignore")) {
        return Err(format!("`fn {name}` is not a running #[test]"));
    }
    let body = &source[at + 1..];
    Ok(&body[..body.find("\n}").map_or(body.len(), |e| e + 2)])
}

#[test]
fn every_tape_op_has_a_finite_difference_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = std::collections::BTreeSet::new();
    tape_methods(&root.join("src"), &mut found);
    assert!(
        found.contains("matmul") && found.contains("backward"),
        "{found:?}"
    );
    let listed: std::collections::BTreeSet<String> =
        GRAD_COVERAGE.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(
        listed.len(),
        GRAD_COVERAGE.len(),
        "a method is listed twice"
    );
    let missing: Vec<&String> = found
        .iter()
        .filter(|m| !listed.contains(*m) && !NOT_OPS.contains(&m.as_str()))
        .collect();
    let stale: Vec<&String> = listed.iter().filter(|m| !found.contains(*m)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "GRAD_COVERAGE must list every op-recording public method of Tape: add {missing:?} \
         (with a finite-difference test), remove {stale:?}"
    );
    let mut sources = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    for (method, tests) in GRAD_COVERAGE {
        assert!(!tests.is_empty(), "{method}: no test");
        for test in *tests {
            let (file, name) = test.split_once("::").expect("area/file::name");
            let source: &String = sources.entry(file).or_insert_with(|| {
                std::fs::read_to_string(root.join("tests").join(format!("{file}.rs")))
                    .unwrap_or_default()
            });
            match test_body(source, name) {
                Err(why) => errors.push(format!("{method}: tests/{file}.rs: {why}")),
                Ok(body) => {
                    if !body.contains(&format!(".{method}(")) {
                        errors.push(format!("{method}: {test} does not call it"));
                    }
                    if !body.contains("check(") && !body.contains("check_mode(") {
                        errors.push(format!("{method}: {test} runs no finite-difference check"));
                    }
                }
            }
        }
    }
    assert!(errors.is_empty(), "GRAD_COVERAGE:\n{}", errors.join("\n"));
}

/// The tape methods that record each `Op` variant. The match has no wildcard arm, so a new
/// variant does not compile until it is mapped here (and its methods listed, with their
/// finite-difference tests, in `GRAD_COVERAGE`).
fn recorded_by(op: &synchgraph::autodiff::Op) -> &'static [&'static str] {
    use synchgraph::autodiff::Op;
    match op {
        Op::Leaf => &["constant"],
        Op::Param(_) => &["param", "try_param"],
        Op::MatMul(..) => &["matmul"],
        Op::MatMulTn(..) => &["matmul_tn", "psi_pool"],
        Op::MatMulNt(..) => &["matmul_nt"],
        Op::Add(..) => &["add", "prelu", "batch_norm_affine", "structure_loss"],
        Op::Sub(..) => &["sub", "prelu"],
        Op::Mul(..) => &["mul", "prelu", "batch_norm_affine", "structure_loss"],
        Op::Scale(..) => &["scale", "structure_loss"],
        Op::Act(..) => &["relu", "sigmoid", "tanh", "exp", "prelu"],
        Op::Dropout(..) => &["dropout", "dropout_with_mask"],
        Op::ConcatCols(_) => &["concat_cols"],
        Op::GatherRows(..) => &["gather_rows"],
        Op::ScatterAddRows(..) => &["scatter_add_rows"],
        Op::SegmentReduce { .. } => &["segment_pool", "pool_rows"],
        Op::SumAll(_) => &["sum_all", "structure_loss"],
        Op::SoftmaxCrossEntropy(..) => &["softmax_cross_entropy"],
        Op::L2(..) => &["l2_penalty", "structure_loss"],
        Op::Frobenius(..) => &["frobenius_penalty"],
        Op::NoRule(..) => &["no_rule"],
        Op::Reshape(_) => &["reshape", "psi_pool"],
        Op::BatchNorm { .. } => &["batch_norm", "batch_norm_affine"],
        Op::NeighborMax(..) => &["neighbor_max"],
        Op::Spmm(..) => &["spmm"],
    }
}

#[test]
fn every_op_variant_is_recorded_by_a_covered_method() {
    use synchgraph::autodiff::Op;
    let g = gpu();
    let t = Tensor::from_f32(&g, &[1], &[1.0]).unwrap();
    let csr = Csr::from_edges(&g, 2, &[(0, 1)], None, false, false).unwrap();
    let mut store = ParamStore::new();
    let pid = store.add("p", t.clone(), 0.0);
    let ops = [
        Op::Leaf,
        Op::Param(pid),
        Op::MatMul(0, 1),
        Op::MatMulTn(0, 1),
        Op::MatMulNt(0, 1),
        Op::Add(0, 1),
        Op::Sub(0, 1),
        Op::Mul(0, 1),
        Op::Scale(0, 1.0),
        Op::Act(0, synchgraph::kernels::backward::Activation::Relu),
        Op::Dropout(0, t.clone()),
        Op::ConcatCols(vec![0]),
        Op::GatherRows(0, t.clone()),
        Op::ScatterAddRows(0, t.clone(), 1),
        Op::SegmentReduce {
            x: 0,
            offsets: t.clone(),
            op: ReduceOp::Sum,
            argmax: None,
        },
        Op::SumAll(0),
        Op::SoftmaxCrossEntropy(0, t.clone()),
        Op::L2(0, 1.0),
        Op::Frobenius(0, 1.0),
        Op::NoRule("x", vec![]),
        Op::Reshape(0),
        Op::BatchNorm {
            x: 0,
            invstd: t.clone(),
            batch_stats: true,
        },
        Op::NeighborMax(0, t.clone(), t.clone()),
        Op::Spmm(0, Box::new(csr)),
    ];
    let covered: Vec<&str> = GRAD_COVERAGE
        .iter()
        .map(|(m, _)| *m)
        .chain(NOT_OPS.iter().copied())
        .collect();
    for op in &ops {
        for m in recorded_by(op) {
            assert!(
                covered.contains(m),
                "{}: recorded by {m}, which neither GRAD_COVERAGE nor NOT_OPS lists",
                op.name()
            );
        }
    }
    // Every variant except the leaves and NoRule has a backward rule with a covered method.
    for op in ops
        .iter()
        .filter(|o| !matches!(o, Op::Leaf | Op::Param(_) | Op::NoRule(..)))
    {
        assert!(
            recorded_by(op)
                .iter()
                .any(|m| GRAD_COVERAGE.iter().any(|(c, _)| c == m)),
            "{}: no finite-difference-checked method records it",
            op.name()
        );
    }
}
