//! The folded 2-D grid path of the segment, softmax and neighbour-max entry points (named in the
//! `COVERAGE` table of tests/kernels/coverage.rs), against plain Rust references on random
//! inputs. Each runs on `common::folded_gpu()`, whose grids fold at 7 workgroups per dimension,
//! with sizes that are not multiples of the workgroup size and (checked by `assert_folded`) leave
//! spare workgroups past the last item. The tolerance of each check is stated where it is made.

use crate::common;
use common::*;
use synchgraph::kernels::neighbor_max::{masked_max, masked_max_backward};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::kernels::segment::{segment_expand, segment_max_backward, segment_reduce};
use synchgraph::kernels::softmax::{softmax_cross_entropy, softmax_rows};
use synchgraph::Tensor;

/// Random non-decreasing offsets for n rows in s segments, some of them empty.
fn offsets(rng: &mut Rng, n: usize, s: usize) -> Vec<u32> {
    let mut cuts: Vec<u32> = (0..s - 1).map(|_| rng.below(n + 1) as u32).collect();
    cuts.sort_unstable();
    let mut o = vec![0];
    o.extend(cuts);
    o.push(n as u32);
    o
}

#[test]
fn segment_kernels_on_a_folded_grid() {
    // Tolerance as tests/kernels/segment.rs: sum and mean 1e-6 len + 1e-5 |ref| (f64 reference), max
    // and argmax exact; the backward passes are copies (exact) or one division (1e-7 + 1e-6
    // |ref|).
    let g = folded_gpu();
    let mut rng = Rng(108);
    // Forward: 20 segments x 2 blocks of 64 features = 40 workgroups (7 x 6 grid, two spare).
    let (n, f, s): (usize, usize, usize) = (310, 70, 20);
    assert_folded(&g, s * f.div_ceil(64), 1, 2);
    let x = rng.vec(n * f, -1.0, 1.0);
    let off = offsets(&mut rng, n, s);
    let tx = Tensor::from_f32(&g, &[n, f], &x).unwrap();
    let to = Tensor::from_u32(&g, &[s + 1], &off).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
        let (out, arg) = segment_reduce(&tx, &to, op).unwrap();
        let got = out.to_f32().unwrap();
        let got_arg = arg.map(|a| a.to_u32().unwrap());
        for seg in 0..s {
            let (a, b) = (off[seg] as usize, off[seg + 1] as usize);
            for j in 0..f {
                let o = seg * f + j;
                let what = format!("segment {op:?} [{seg}, {j}]");
                if op == ReduceOp::Max {
                    let best = (a..b).fold(None, |best: Option<(usize, f32)>, r| match best {
                        Some((_, v)) if v >= x[r * f + j] => best,
                        _ => Some((r, x[r * f + j])),
                    });
                    assert_eq!(got[o], best.map_or(0.0, |b| b.1), "{what}");
                    let want_arg = best.map_or(u32::MAX, |b| b.0 as u32);
                    assert_eq!(got_arg.as_ref().unwrap()[o], want_arg, "{what} argmax");
                } else {
                    let sum: f64 = (a..b).map(|r| f64::from(x[r * f + j])).sum();
                    let len = (b - a) as f64;
                    let want = if op == ReduceOp::Mean && b > a {
                        sum / len
                    } else {
                        sum
                    };
                    let tol = 1e-6 * len.max(1.0) + 1e-5 * want.abs();
                    assert!((f64::from(got[o]) - want).abs() <= tol, "{what}");
                }
            }
        }
    }
    // segment_expand: 310 rows x 20 features = 6,200 outputs, 25 workgroups (7 x 4, 3 spare).
    let (n, f, s) = (310, 20, 20);
    assert_folded(&g, n * f, 256, 3);
    let off = offsets(&mut rng, n, s);
    let to = Tensor::from_u32(&g, &[s + 1], &off).unwrap();
    let grad = rng.vec(s * f, -1.0, 1.0);
    let tg = Tensor::from_f32(&g, &[s, f], &grad).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean] {
        let got = segment_expand(&tg, &to, n, op).unwrap().to_f32().unwrap();
        let mut want = vec![0.0f32; n * f];
        for (seg, w) in off.windows(2).enumerate() {
            let len = (w[1] - w[0]) as f32;
            for r in w[0] as usize..w[1] as usize {
                for j in 0..f {
                    let v = grad[seg * f + j];
                    want[r * f + j] = if op == ReduceOp::Mean { v / len } else { v };
                }
            }
        }
        assert_close(&format!("expand {op:?}"), &got, &want, 1e-7, 1e-6);
    }
    // segment_max_backward: one thread per (segment, feature); 110 x 20 = 2,200 threads, 9
    // workgroups (5 x 2, one spare). The argmax is built on the host (a row of its segment, or
    // u32::MAX for an empty one), since segment_max itself would need 110 workgroups here.
    let (n, f, s) = (400, 20, 110);
    assert_folded(&g, s * f, 256, 1);
    let off = offsets(&mut rng, n, s);
    let mut arg = vec![u32::MAX; s * f];
    for seg in 0..s {
        let (a, b) = (off[seg] as usize, off[seg + 1] as usize);
        if b > a {
            for j in 0..f {
                arg[seg * f + j] = (a + rng.below(b - a)) as u32;
            }
        }
    }
    let grad = rng.vec(s * f, -1.0, 1.0);
    let got = segment_max_backward(
        &Tensor::from_f32(&g, &[s, f], &grad).unwrap(),
        &Tensor::from_u32(&g, &[s, f], &arg).unwrap(),
        n,
    )
    .unwrap()
    .to_f32()
    .unwrap();
    let mut want = vec![0.0f32; n * f];
    for (i, &a) in arg.iter().enumerate() {
        if a != u32::MAX {
            want[a as usize * f + i % f] = grad[i];
        }
    }
    assert_eq!(got, want, "max backward");
}

fn softmax_ref(x: &[f32], cols: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols) {
        let m = row
            .iter()
            .fold(f64::NEG_INFINITY, |a, &v| a.max(f64::from(v)));
        let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
        out.extend(row.iter().map(|&v| (f64::from(v) - m).exp() / s));
    }
    out
}

#[test]
fn softmax_kernels_on_a_folded_grid() {
    // Tolerance as tests/kernels/softmax.rs: probabilities and gradients 1e-6 + 1e-4 |ref|, the loss
    // 1e-5 + 1e-4 |ref| (one exp, an fp32 sum of c terms, one division or log; f64 reference).
    let g = folded_gpu();
    let mut rng = Rng(109);
    // softmax_rows_small: one thread per row of <= 32 columns; 2,600 rows = 11 workgroups.
    let (rows, cols) = (2600, 7);
    assert_folded(&g, rows, 256, 1);
    let x = rng.vec(rows * cols, -20.0, 20.0);
    let got = softmax_rows(&Tensor::from_f32(&g, &[rows, cols], &x).unwrap())
        .unwrap()
        .to_f32()
        .unwrap();
    let want: Vec<f32> = softmax_ref(&x, cols).iter().map(|&v| v as f32).collect();
    assert_close("softmax small", &got, &want, 1e-6, 1e-4);
    // Cross-entropy: ce_rows (workgroup per row: 45 rows on a 7 x 7 grid, four spare) with
    // ce_grad over 45 x 60 = 2,700 (11 workgroups), and ce_rows_small (2,100 rows, 9
    // workgroups) with ce_grad over 2,100 x 5 = 10,500 (42 workgroups on a 7 x 6 grid).
    for (r, c) in [(45, 60), (2100, 5)] {
        if c > 32 {
            assert_folded(&g, r, 1, 4);
        } else {
            assert_folded(&g, r, 256, 1);
        }
        assert_folded(&g, r * c, 256, 0);
        let x = rng.vec(r * c, -5.0, 5.0);
        // Every 11th label is out of range (weight 0) and every 4th row is masked out.
        let labels: Vec<u32> = (0..r)
            .map(|i| {
                if i % 11 == 5 {
                    c as u32 + 3
                } else {
                    rng.below(c) as u32
                }
            })
            .collect();
        let mask: Vec<f32> = (0..r).map(|i| f32::from(u8::from(i % 4 != 1))).collect();
        let (loss, grad) = softmax_cross_entropy(
            &Tensor::from_f32(&g, &[r, c], &x).unwrap(),
            &Tensor::from_u32(&g, &[r], &labels).unwrap(),
            Some(&Tensor::from_f32(&g, &[r], &mask).unwrap()),
        )
        .unwrap();
        let sm = softmax_ref(&x, c);
        let w: Vec<f64> = (0..r)
            .map(|i| {
                if (labels[i] as usize) < c {
                    f64::from(mask[i])
                } else {
                    0.0
                }
            })
            .collect();
        let count: f64 = w.iter().sum();
        let mut want_loss = 0.0;
        let mut want_grad = vec![0.0f32; r * c];
        for i in 0..r {
            if w[i] == 0.0 {
                continue;
            }
            let l = labels[i] as usize;
            want_loss -= w[i] * sm[i * c + l].ln() / count;
            for j in 0..c {
                let onehot = if j == l { 1.0 } else { 0.0 };
                want_grad[i * c + j] = ((sm[i * c + j] - onehot) * w[i] / count) as f32;
            }
        }
        let what = format!("ce {r}x{c}");
        assert_close(
            &what,
            &[loss.item().unwrap()],
            &[want_loss as f32],
            1e-5,
            1e-4,
        );
        assert_close(&what, &grad.to_f32().unwrap(), &want_grad, 1e-6, 1e-4);
    }
}

#[test]
fn neighbor_max_backward_on_a_folded_grid() {
    // 20 nodes x 110 columns = 2,200 outputs: 9 workgroups (5 x 2, one spare) for both passes.
    // Tolerance: exact. The forward selects values; the backward adds, for each (j, column),
    // the gradients of the nodes i whose max came from j in ascending i, which the f32
    // reference repeats in the same order.
    let g = folded_gpu();
    let (m, c) = (20, 110);
    assert_folded(&g, m * c, 256, 1);
    let mut rng = Rng(110);
    let mask = rng.vec(m * m, -1.0, 1.0);
    let h = rng.vec(m * c, -5.0, 5.0);
    let grad = rng.vec(m * c, -1.0, 1.0);
    let tm = Tensor::from_f32(&g, &[m, m], &mask).unwrap();
    let (out, arg) = masked_max(&tm, &Tensor::from_f32(&g, &[m, c], &h).unwrap()).unwrap();
    let (out, arg_host) = (out.to_f32().unwrap(), arg.to_u32().unwrap());
    for i in 0..m {
        for col in 0..c {
            let best = (0..m).filter(|&j| mask[i * m + j] > 0.0).fold(
                None,
                |b: Option<(usize, f32)>, j| match b {
                    Some((_, v)) if v >= h[j * c + col] => b,
                    _ => Some((j, h[j * c + col])),
                },
            );
            assert_eq!(
                out[i * c + col],
                best.map_or(0.0, |b| b.1),
                "max [{i}, {col}]"
            );
            let want_arg = best.map_or(u32::MAX, |b| b.0 as u32);
            assert_eq!(arg_host[i * c + col], want_arg, "argmax [{i}, {col}]");
        }
    }
    let tg = Tensor::from_f32(&g, &[m, c], &grad).unwrap();
    let got = masked_max_backward(&tm, &arg, &tg)
        .unwrap()
        .to_f32()
        .unwrap();
    let mut want = vec![0.0f32; m * c];
    for j in 0..m {
        for col in 0..c {
            for i in 0..m {
                if mask[i * m + j] > 0.0 && arg_host[i * c + col] == j as u32 {
                    want[j * c + col] += grad[i * c + col];
                }
            }
        }
    }
    assert_eq!(got, want, "masked_max_backward");
}
