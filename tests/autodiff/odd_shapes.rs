//! Gradient checks on the shapes and graph patterns that grad.rs, lgrin_ops.rs and the grad_* files
//! do not use: one-row and one-column operands, sizes that are not multiples of the 64- and
//! 256-wide workgroups, row-vector broadcasts over such sizes, a Var feeding several ops of
//! different kinds (gradients accumulated across rules and broadcasts), one parameter recorded
//! twice, a chain matmul -> relu -> segment pooling -> weighted softmax cross-entropy, batch
//! norm of one column in both modes, PReLU at exactly 0, max ties across workgroup chunks,
//! seeded dropout, operands with a zero dimension on a buffer pool holding NaN, and a long
//! chain on a device whose grids fold.
//!
//! Unless a test says otherwise it uses `common::grad` (the tape's forward against a plain Rust
//! f64 reference, the GPU gradient of loss = Σ w ⊙ op(inputs) against central finite
//! differences, step 1e-3, of that reference). Tolerances: forward |got - want| <= 1e-3 +
//! 1e-3 |want|; gradient of input k |analytic - numeric| <= max(1e-5, 1e-3 max|numeric_k|) +
//! 2e-2 |numeric| per element; each input's max |numeric| at least 1e-2.

use crate::common;

use crate::grad::{mm, seg_ref, zip_bcast};
use common::grad::{check, check_mode, input};
use common::{gpu, Rng};
use synchgraph::autodiff::{BatchNormStats, ParamStore, Tape, Var};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

#[test]
fn matmuls_with_one_row_one_column_and_odd_sizes() {
    let mut r = Rng(101);
    // (m, k, n): a row times a column (one output), an outer product (k = 1), a single row
    // against 130 columns, 67 rows against a single column.
    for (m, k, n) in [(1, 67, 1), (67, 1, 3), (1, 5, 130), (67, 3, 1)] {
        let ins = [input(&mut r, &[m, k]), input(&mut r, &[k, n])];
        check("matmul", &ins, &|t, v| t.matmul(&v[0], &v[1]), &|x| {
            mm(&x[0], &x[1], m, k, n, false, false)
        });
        let ins = [input(&mut r, &[k, m]), input(&mut r, &[k, n])];
        check("matmul_tn", &ins, &|t, v| t.matmul_tn(&v[0], &v[1]), &|x| {
            mm(&x[0], &x[1], m, k, n, true, false)
        });
        let ins = [input(&mut r, &[m, k]), input(&mut r, &[n, k])];
        check("matmul_nt", &ins, &|t, v| t.matmul_nt(&v[0], &v[1]), &|x| {
            mm(&x[0], &x[1], m, k, n, false, true)
        });
    }
}

#[test]
fn row_broadcasts_over_odd_sizes() {
    let mut r = Rng(102);
    // 37 x 7 = 259 elements (two 256-wide workgroups, the second nearly empty), one column of
    // 300 rows against a length-1 row, one row of 259 against its own row vector.
    for (a, b) in [
        (vec![37, 7], vec![7]),
        (vec![37, 7], vec![1, 7]),
        (vec![300, 1], vec![1]),
        (vec![300, 1], vec![1, 1]),
        (vec![1, 259], vec![259]),
    ] {
        let ins = [input(&mut r, &a), input(&mut r, &b)];
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
fn unary_ops_on_one_row_and_one_column() {
    let mut r = Rng(103);
    let map = |f: fn(f64) -> f64| move |x: &[Vec<f64>]| x[0].iter().map(|&v| f(v)).collect();
    for shape in [[1usize, 259], [259, 1]] {
        let ins = [input(&mut r, &shape)];
        check(
            "scale",
            &ins,
            &|t, v| t.scale(&v[0], 0.75),
            &map(|v| 0.75 * v),
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
        check("sum_all", &ins, &|t, v| t.sum_all(&v[0]), &|x| {
            vec![x[0].iter().sum()]
        });
        check("l2_penalty", &ins, &|t, v| t.l2_penalty(&v[0], 0.2), &|x| {
            vec![0.2 * x[0].iter().map(|v| v * v).sum::<f64>()]
        });
        check(
            "frobenius_penalty",
            &ins,
            &|t, v| t.frobenius_penalty(&v[0], 1.5),
            &|x| vec![1.5 * x[0].iter().map(|v| v * v).sum::<f64>().sqrt()],
        );
    }
    // A single element.
    let ins = [input(&mut r, &[1])];
    check(
        "frobenius_penalty (one element)",
        &ins,
        &|t, v| t.frobenius_penalty(&v[0], 1.5),
        &|x| vec![1.5 * x[0][0].abs()],
    );
}

/// One row vector b feeds a broadcast add, a broadcast mul, a reshape into a matmul and an L2
/// penalty, and x feeds the add, a sigmoid and the matmul: each input's gradients from rules of
/// different kinds (row-summed, reshaped, transposed, scalar-broadcast) are added into one.
#[test]
fn one_var_through_rules_of_different_kinds() {
    let (n, c) = (5usize, 3usize);
    let g = gpu();
    let ones = Tensor::from_f32(&g, &[n, 1], &vec![1.0; n]).unwrap();
    let mut r = Rng(104);
    let ins = [input(&mut r, &[n, c]), input(&mut r, &[c])];
    check(
        "shared inputs",
        &ins,
        &|t, v| {
            let (x, b) = (&v[0], &v[1]);
            let s = t.add(x, b)?;
            let p = t.mul(&s, b)?;
            let sig = t.sigmoid(x)?;
            let a = t.mul(&sig, &p)?; // sigmoid(x) (x + b) b
            let bc = t.reshape(b, &[c, 1])?;
            let col = t.matmul(x, &bc)?; // x b, [n, 1]
            let pen = t.l2_penalty(b, 0.5)?;
            let pen = t.reshape(&pen, &[1, 1])?;
            let ones = t.constant(&ones);
            let pen = t.matmul(&ones, &pen)?; // the penalty on every row, [n, 1]
            t.concat_cols(&[&a, &col, &pen])
        },
        &|x| {
            let (xs, b) = (&x[0], &x[1]);
            let pen = 0.5 * b.iter().map(|v| v * v).sum::<f64>();
            let mut out = Vec::new();
            for i in 0..n {
                let row = &xs[i * c..(i + 1) * c];
                for j in 0..c {
                    let sig = 1.0 / (1.0 + (-row[j]).exp());
                    out.push(sig * (row[j] + b[j]) * b[j]);
                }
                out.push(row.iter().zip(b).map(|(a, b)| a * b).sum());
                out.push(pen);
            }
            out
        },
    );
}

/// A whole readout: h = relu(x W + b), max and mean pooling per graph (one graph empty),
/// concatenated, a linear classifier V, and the weighted softmax cross-entropy (weights 1, 0.5,
/// 0 and 2) plus an L2 penalty of V. x is used by two poolings through h, h by both poolings.
#[test]
fn matmul_relu_pooling_weighted_cross_entropy_chain() {
    let g = gpu();
    let (n, f, hdim, classes) = (13usize, 5usize, 6usize, 3usize);
    let offs = [0usize, 4, 4, 9, 13];
    let ot = Tensor::from_u32(&g, &[5], &offs.map(|o| o as u32)).unwrap();
    let labels = [2u32, 0, 1, 1];
    let weights = [1.0f32, 0.5, 0.0, 2.0];
    let lt = Tensor::from_u32(&g, &[4], &labels).unwrap();
    let wt = Tensor::from_f32(&g, &[4], &weights).unwrap();
    let mut r = Rng(105);
    let ins = [
        input(&mut r, &[n, f]),
        input(&mut r, &[f, hdim]),
        input(&mut r, &[hdim]),
        input(&mut r, &[2 * hdim, classes]),
    ];
    check(
        "readout chain",
        &ins,
        &|t, v| {
            let h = t.matmul(&v[0], &v[1])?;
            let h = t.add(&h, &v[2])?;
            let h = t.relu(&h)?;
            let mx = t.segment_pool(&h, &ot, ReduceOp::Max)?;
            let mean = t.segment_pool(&h, &ot, ReduceOp::Mean)?;
            let z = t.concat_cols(&[&mx, &mean])?;
            let logits = t.matmul(&z, &v[3])?;
            let ce = t.softmax_cross_entropy(&logits, &lt, Some(&wt))?;
            let pen = t.l2_penalty(&v[3], 0.05)?;
            t.add(&ce, &pen)
        },
        &|x| {
            let h = mm(&x[0], &x[1], n, f, hdim, false, false);
            let h = zip_bcast(&h, &x[2], |a, b| (a + b).max(0.0));
            let mx = seg_ref(&h, &offs, hdim, ReduceOp::Max);
            let mean = seg_ref(&h, &offs, hdim, ReduceOp::Mean);
            let z: Vec<f64> = (0..4)
                .flat_map(|s| {
                    let mut row = mx[s * hdim..(s + 1) * hdim].to_vec();
                    row.extend_from_slice(&mean[s * hdim..(s + 1) * hdim]);
                    row
                })
                .collect();
            let logits = mm(&z, &x[3], 4, 2 * hdim, classes, false, false);
            let (mut total, mut wsum) = (0.0, 0.0);
            for s in 0..4 {
                let row = &logits[s * classes..(s + 1) * classes];
                let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
                total += f64::from(weights[s]) * (lse - row[labels[s] as usize]);
                wsum += f64::from(weights[s]);
            }
            let pen = 0.05 * x[3].iter().map(|v| v * v).sum::<f64>();
            vec![total / wsum + pen]
        },
    );
}

/// f64 batch norm of x [n, c] over rows, with the batch (biased) statistics or given ones.
fn bn_ref(x: &[f64], c: usize, stats: Option<(&[f64], &[f64])>, eps: f64) -> Vec<f64> {
    let n = x.len() / c;
    let mut out = vec![0.0; x.len()];
    for j in 0..c {
        let (mean, var) = match stats {
            Some((m, v)) => (m[j], v[j]),
            None => {
                let mean = (0..n).map(|i| x[i * c + j]).sum::<f64>() / n as f64;
                let var = (0..n).map(|i| (x[i * c + j] - mean).powi(2)).sum::<f64>() / n as f64;
                (mean, var)
            }
        };
        for i in 0..n {
            out[i * c + j] = (x[i * c + j] - mean) / (var + eps).sqrt();
        }
    }
    out
}

/// Batch norm of a single column (3 rows and 301 rows, past one 256-row reduction pass) in
/// training mode, and of a single row in evaluation mode, each followed by tanh so the loss is
/// not linear in the normalised values.
#[test]
fn batch_norm_of_one_column_and_one_row_in_both_modes() {
    let g = gpu();
    let mut r = Rng(106);
    for rows in [3usize, 301] {
        let ins = [input(&mut r, &[rows, 1])];
        check_mode(
            "batch_norm (training, one column)",
            &ins,
            true,
            &|t, v| {
                let mut stats = BatchNormStats::new(&g, 1).unwrap();
                let y = t.batch_norm(&v[0], &mut stats)?;
                t.tanh(&y)
            },
            &|x| {
                bn_ref(&x[0], 1, None, 1e-5)
                    .iter()
                    .map(|v| v.tanh())
                    .collect()
            },
        );
    }
    let c = 5usize;
    let mean = [0.3f32, -0.2, 0.0, 1.0, -1.0];
    let var = [0.5f32, 2.0, 1.0, 0.25, 4.0];
    let m64: Vec<f64> = mean.iter().map(|&v| f64::from(v)).collect();
    let v64: Vec<f64> = var.iter().map(|&v| f64::from(v)).collect();
    let ins = [input(&mut r, &[1, c])];
    check_mode(
        "batch_norm (evaluation, one row)",
        &ins,
        false,
        &|t, v| {
            let mut stats = BatchNormStats::new(&g, c).unwrap();
            stats.running_mean = Tensor::from_f32(&g, &[c], &mean).unwrap();
            stats.running_var = Tensor::from_f32(&g, &[c], &var).unwrap();
            let y = t.batch_norm(&v[0], &mut stats)?;
            t.tanh(&y)
        },
        &|x| {
            bn_ref(&x[0], c, Some((&m64, &v64)), 1e-5)
                .iter()
                .map(|v| v.tanh())
                .collect()
        },
    );
}

/// The gradients of Σ w ⊙ f(x, s) for two parameters through the tape, as f32 vectors.
fn grads2(
    x: (&[usize], &[f32]),
    s: (&[usize], &[f32]),
    w: &[f32],
    training: bool,
    seed: u64,
    f: &dyn Fn(&mut Tape, &Var, &Var) -> synchgraph::Result<Var>,
) -> (Vec<f32>, Vec<f32>) {
    let g = gpu();
    let mut store = ParamStore::new();
    let xi = store.add("x", Tensor::from_f32(&g, x.0, x.1).unwrap(), 0.0);
    let si = store.add("s", Tensor::from_f32(&g, s.0, s.1).unwrap(), 0.0);
    let mut tape = Tape::new(&g, training, seed);
    let xv = tape.param(&store, xi);
    let sv = tape.param(&store, si);
    let y = f(&mut tape, &xv, &sv).unwrap();
    let wt = tape.constant(&Tensor::from_f32(&g, y.shape(), w).unwrap());
    let yw = tape.mul(&y, &wt).unwrap();
    let loss = tape.sum_all(&yw).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    let read = |id| {
        store
            .grad(id)
            .map_or(vec![0.0; store.value(id).numel()], |t| t.to_f32().unwrap())
    };
    (read(xi), read(si))
}

/// PReLU at exactly x = 0: the x gradient is w times a subgradient, a value between the two
/// one-sided slopes a and 1 (the rule gives a, as PyTorch does), finite; the slope gradient gets
/// nothing from x = 0 (d/da of a min(x, 0) is min(x, 0) = 0 there). Away from 0 both are the
/// exact derivatives: w and w a for x, Σ w min(x, 0) for a, to 1e-6 (a few f32 products).
#[test]
fn prelu_at_exactly_zero() {
    let (x, a) = ([0.0f32, 0.5, -0.5, 0.0, 0.0, -2.0], [0.25f32, -0.5, 2.0]);
    let w = [1.0f32, 2.0, 3.0, -4.0, 5.0, -6.0];
    let (gx, ga) = grads2((&[2, 3], &x), (&[3], &a), &w, true, 0, &|t, x, s| {
        t.prelu(x, s)
    });
    for (k, &xv) in x.iter().enumerate() {
        let (wk, ak) = (w[k], a[k % 3]);
        if xv == 0.0 {
            let (lo, hi) = (wk * ak.min(1.0), wk * ak.max(1.0));
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            assert!(
                gx[k].is_finite() && gx[k] >= lo - 1e-6 && gx[k] <= hi + 1e-6,
                "x[{k}] = 0: gradient {} outside the subgradients [{lo}, {hi}]",
                gx[k]
            );
        } else {
            let want = if xv > 0.0 { wk } else { wk * ak };
            assert!((gx[k] - want).abs() <= 1e-6, "x[{k}]: {} vs {want}", gx[k]);
        }
    }
    let want_a: Vec<f32> = (0..3)
        .map(|j| (0..2).map(|i| w[i * 3 + j] * x[i * 3 + j].min(0.0)).sum())
        .collect();
    for j in 0..3 {
        assert!(
            (ga[j] - want_a[j]).abs() <= 1e-6,
            "a[{j}]: {ga:?} vs {want_a:?}"
        );
    }
}

/// Exact ties of the maximum far apart in a long column (rows 5 and 290 of 300, 600 rows of a
/// single column): the argmax picks one row, the first, which gets the whole gradient (exact:
/// the gradient is copied, not computed); every other row gets 0.
#[test]
fn max_ties_across_workgroup_chunks_route_to_one_row() {
    let mut r = Rng(107);
    for (n, f, tied) in [(300usize, 3usize, [5usize, 290]), (600, 1, [257, 599])] {
        let mut x = r.vec(n * f, -1.0, 0.9);
        for j in 0..f {
            for &row in &tied {
                x[row * f + j] = 0.95;
            }
        }
        let w: Vec<f32> = (0..f).map(|j| 1.0 + j as f32).collect();
        let (gx, _) = grads2((&[n, f], &x), (&[1], &[0.0]), &w, true, 0, &|t, x, _| {
            t.pool_rows(x, ReduceOp::Max)
        });
        for (k, &gk) in gx.iter().enumerate() {
            let (row, j) = (k / f, k % f);
            let want = if row == tied[0] { w[j] } else { 0.0 };
            assert_eq!(gk, want, "n {n} f {f}: x[{row}, {j}]");
        }
    }
}

/// Dropout on a training tape with a fixed seed: the gradient is w ⊙ mask for the mask the
/// forward drew (read back as y / x), the same again for the same seed, and another for another
/// seed; on one row of 259 values. Exact comparisons: the mask is 0 or 1 / (1 - p) and the
/// gradient one f32 product.
#[test]
fn seeded_dropout_gradient_is_its_mask() {
    let g = gpu();
    let mut r = Rng(108);
    let (shape, x) = input(&mut r, &[1, 259]);
    let w = r.vec(259, -1.0, 1.0);
    let p = 0.4f32;
    let run = |seed: u64| {
        let mut store = ParamStore::new();
        let id = store.add("x", Tensor::from_f32(&g, &shape, &x).unwrap(), 0.0);
        let mut tape = Tape::new(&g, true, seed);
        let xv = tape.param(&store, id);
        let y = tape.dropout(&xv, p).unwrap();
        let yv = y.value().to_f32().unwrap();
        let wt = tape.constant(&Tensor::from_f32(&g, &shape, &w).unwrap());
        let yw = tape.mul(&y, &wt).unwrap();
        let loss = tape.sum_all(&yw).unwrap();
        tape.backward(&loss, &mut store).unwrap();
        (yv, store.grad(id).unwrap().to_f32().unwrap())
    };
    let (y, gx) = run(5);
    let kept = 1.0 / (1.0 - p);
    for k in 0..259 {
        let m = if y[k] == 0.0 { 0.0 } else { kept };
        assert_eq!(y[k], x[k] * m, "forward [{k}]");
        assert_eq!(gx[k], w[k] * m, "gradient [{k}]");
    }
    assert_eq!(run(5), (y.clone(), gx.clone()), "same seed, same mask");
    assert_ne!(run(6).1, gx, "another seed, another mask");
}

/// One parameter recorded twice on a tape (two `param` nodes of one id) gets the sum of both
/// nodes' gradients, and a backward pass from a loss recorded before other nodes ignores those:
/// loss = Σ a ⊙ b with a, b the same x gives 2 x (exact: one f32 product and one sum).
#[test]
fn a_parameter_recorded_twice_and_a_loss_before_the_last_node() {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add(
        "x",
        Tensor::from_f32(&g, &[3], &[1.0, -2.0, 0.5]).unwrap(),
        0.0,
    );
    let mut tape = Tape::new(&g, true, 0);
    let a = tape.param(&store, id);
    let b = tape.param(&store, id);
    let p = tape.mul(&a, &b).unwrap();
    let loss = tape.sum_all(&p).unwrap();
    let later = tape.scale(&a, 3.0).unwrap();
    tape.sum_all(&later).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(
        store.grad(id).unwrap().to_f32().unwrap(),
        vec![2.0, -4.0, 1.0]
    );
}

/// A device of this module's own, so the NaN it leaves in its buffer pool reaches no other test.
fn pooled_gpu() -> synchgraph::Gpu {
    static GPU: std::sync::OnceLock<synchgraph::Gpu> = std::sync::OnceLock::new();
    GPU.get_or_init(|| synchgraph::Gpu::open_default().unwrap())
        .clone()
}

/// Fill the pool of `g` with freed buffers of every bucket from 16 bytes (the smallest) to
/// 8 KiB, NaN in every word, so a kernel that leaves part of a fresh output unwritten shows NaN
/// instead of a lucky zero.
fn fill_pool_with_nan(g: &synchgraph::Gpu) {
    let mut held = Vec::new();
    for k in 4..14 {
        for _ in 0..4 {
            let n = (1usize << k) / 4;
            held.push(Tensor::from_f32(g, &[n], &vec![f32::NAN; n]).unwrap());
        }
    }
    held[0].to_f32().unwrap();
    drop(held);
    // A submit after the frees makes the buffers reusable.
    Tensor::from_f32(g, &[1], &[0.0]).unwrap().to_f32().unwrap();
}

/// The forward value of f(params) and the gradients of its sum, on [`pooled_gpu`] right after
/// [`fill_pool_with_nan`].
fn on_a_nan_pool(
    inputs: &[(&[usize], Vec<f32>)],
    f: &dyn Fn(&mut Tape, &[Var]) -> synchgraph::Result<Var>,
) -> (Vec<f32>, Vec<Vec<f32>>) {
    let g = pooled_gpu();
    fill_pool_with_nan(&g);
    let mut store = ParamStore::new();
    let ids: Vec<_> = inputs
        .iter()
        .map(|(s, d)| store.add("x", Tensor::from_f32(&g, s, d).unwrap(), 0.0))
        .collect();
    let mut tape = Tape::new(&g, true, 3);
    let vars: Vec<Var> = ids.iter().map(|&id| tape.param(&store, id)).collect();
    let y = f(&mut tape, &vars).unwrap();
    let value = y.value().to_f32().unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    let grads = ids
        .iter()
        .map(|&id| store.grad(id).map_or(Vec::new(), |t| t.to_f32().unwrap()))
        .collect();
    (value, grads)
}

/// Operands with a zero dimension: the broadcast row of an add or mul over zero rows, the
/// right operand of a matmul with zero rows on the left and the result of a product over
/// k = 0 get exact zeros (not whatever a recycled buffer held); a zero-width part of a
/// concatenation passes the other parts' gradients through unchanged.
#[test]
fn zero_dimensions_give_exact_zeros_on_a_recycled_pool() {
    let row = vec![1.0f32; 3];
    let (_, gs) = on_a_nan_pool(&[(&[0, 3], vec![]), (&[3], row.clone())], &|t, v| {
        t.add(&v[0], &v[1])
    });
    assert_eq!(
        gs[1],
        vec![0.0; 3],
        "add over zero rows: the row's gradient"
    );
    let (_, gs) = on_a_nan_pool(&[(&[0, 3], vec![]), (&[3], row)], &|t, v| {
        t.mul(&v[0], &v[1])
    });
    assert_eq!(
        gs[1],
        vec![0.0; 3],
        "mul over zero rows: the row's gradient"
    );
    // Σ (A B) + Σ B with A [0, 4]: B's gradient is all ones, from the second term only.
    let (y, gs) = on_a_nan_pool(&[(&[0, 4], vec![]), (&[4, 3], vec![1.0; 12])], &|t, v| {
        let ab = t.matmul(&v[0], &v[1])?;
        let s = t.sum_all(&ab)?;
        let sb = t.sum_all(&v[1])?;
        t.add(&s, &sb)
    });
    assert_eq!(
        (y, &gs[1]),
        (vec![12.0], &vec![1.0; 12]),
        "matmul with m = 0"
    );
    let (y, _) = on_a_nan_pool(&[(&[2, 0], vec![]), (&[0, 3], vec![])], &|t, v| {
        t.matmul(&v[0], &v[1])
    });
    assert_eq!(y, vec![0.0; 6], "matmul with k = 0");
    let (y, _) = on_a_nan_pool(&[(&[0, 2], vec![]), (&[0, 3], vec![])], &|t, v| {
        t.matmul_tn(&v[0], &v[1])
    });
    assert_eq!(y, vec![0.0; 6], "matmul_tn with k = 0");
    let (y, _) = on_a_nan_pool(&[(&[2, 0], vec![]), (&[3, 0], vec![])], &|t, v| {
        t.matmul_nt(&v[0], &v[1])
    });
    assert_eq!(y, vec![0.0; 6], "matmul_nt with k = 0");
    let (_, gs) = on_a_nan_pool(&[(&[3, 0], vec![]), (&[3, 2], vec![1.0; 6])], &|t, v| {
        let c = t.concat_cols(&[&v[0], &v[1], &v[0]])?;
        t.scale(&c, 2.0)
    });
    assert_eq!(gs[1], vec![2.0; 6], "concatenation with zero-width parts");
}

/// The gradients of every parameter of one long chain (matmul, broadcast add, batch norm,
/// PReLU, seeded dropout, sigmoid, tanh, mul, max and mean segment pooling, concatenation,
/// softmax cross-entropy with an out-of-range label, L2 and Frobenius penalties, exp, sums)
/// on `g`, with 2,400-element intermediates.
fn long_chain_gradients(g: &synchgraph::Gpu) -> Vec<Vec<f32>> {
    let mut r = Rng(109);
    let (n, f) = (60usize, 40usize);
    let mut store = ParamStore::new();
    let mut add = |name: &str, shape: &[usize], lo: f32, hi: f32| {
        let k = shape.iter().product();
        store.add(
            name,
            Tensor::from_f32(g, shape, &r.vec(k, lo, hi)).unwrap(),
            0.0,
        )
    };
    let x = add("x", &[n, f], -1.0, 1.0);
    let w = add("w", &[f, f], -0.3, 0.3);
    let b = add("b", &[f], -0.3, 0.3);
    let s = add("s", &[f], 0.0, 0.3);
    let mut tape = Tape::new(g, true, 9);
    let [x, w, b, s] = [x, w, b, s].map(|id| tape.param(&store, id));
    let mut stats = BatchNormStats::new(g, f).unwrap();
    let h = tape.matmul(&x, &w).unwrap();
    let h = tape.add(&h, &b).unwrap();
    let h = tape.batch_norm(&h, &mut stats).unwrap();
    let h = tape.prelu(&h, &s).unwrap();
    let h = tape.dropout(&h, 0.3).unwrap();
    let h = tape.sigmoid(&h).unwrap();
    let tx = tape.tanh(&x).unwrap();
    let h = tape.mul(&h, &tx).unwrap();
    let offsets = Tensor::from_u32(g, &[4], &[0, 20, 45, 60]).unwrap();
    let mx = tape.segment_pool(&h, &offsets, ReduceOp::Max).unwrap();
    let mean = tape.segment_pool(&h, &offsets, ReduceOp::Mean).unwrap();
    let z = tape.concat_cols(&[&mx, &mean]).unwrap();
    let labels = Tensor::from_u32(g, &[3], &[1, 5, 2 * f as u32]).unwrap();
    let ce = tape.softmax_cross_entropy(&z, &labels, None).unwrap();
    let l2 = tape.l2_penalty(&w, 0.1).unwrap();
    let fro = tape.frobenius_penalty(&x, 0.1).unwrap();
    let e = tape.exp(&h).unwrap();
    let se = tape.sum_all(&e).unwrap();
    let loss = tape.add(&ce, &l2).unwrap();
    let loss = tape.add(&loss, &fro).unwrap();
    let loss = tape.add(&loss, &se).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    store
        .ids()
        .map(|id| store.grad(id).unwrap().to_f32().unwrap())
        .collect()
}

/// The long chain's gradients on a device whose grids fold into two dimensions (every 1-D
/// kernel past 1,792 elements takes the `flat_index` path) match those on the plain device to
/// 1e-6 + 1e-5 |plain| per element (the kernels fold their sums in a fixed order, so they are
/// expected to agree bit for bit; the tolerance only allows for fused multiply-adds).
#[test]
fn a_long_chain_gives_the_same_gradients_on_folded_grids() {
    let plain = long_chain_gradients(&gpu());
    let folded = long_chain_gradients(&common::folded_gpu());
    for (k, (p, q)) in plain.iter().zip(&folded).enumerate() {
        assert_eq!(p.len(), q.len());
        for (j, (u, v)) in p.iter().zip(q).enumerate() {
            assert!(
                (u - v).abs() <= 1e-6 + 1e-5 * u.abs(),
                "parameter {k}[{j}]: plain {u}, folded {v}"
            );
        }
    }
}
