//! Kernel coverage. `COVERAGE` (at the end of this file) lists every compute entry point of
//! every shader family with the test that checks it against a plain Rust reference on random
//! inputs and the test of its folded 2-D grid path (or why it has none); tests below check that
//! the table lists exactly the entry points the WGSL sources declare and names real tests.
//!
//! The other tests are the folded 2-D grid path of the `src/kernels` entry points whose family
//! tests do not run it themselves (elementwise, layout, reductions and the optimizers have
//! theirs in their family files), against plain Rust references on random inputs. Each runs on
//! `common::folded_gpu()`, whose grids fold at 7 workgroups per dimension, with sizes that are
//! not multiples of the workgroup size and (checked by `assert_folded`) leave spare workgroups
//! past the last item. The tolerance of each check is stated where it is made.

use crate::common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use synchgraph::gpu::Shader;
use synchgraph::kernels::backward::{act_backward, broadcast_scalar, dropout_mask, Activation};
use synchgraph::kernels::matmul::{gemm_split, GemmTile, KSplit};
use synchgraph::kernels::neighbor_max::{masked_max, masked_max_backward};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::kernels::scan::exclusive_scan;
use synchgraph::kernels::segment::{segment_expand, segment_max_backward, segment_reduce};
use synchgraph::kernels::softmax::{softmax_cross_entropy, softmax_rows};
use synchgraph::kernels::{cast, random};
use synchgraph::{Gpu, Tensor};

#[test]
fn f16_casts_on_a_folded_grid() {
    // 4,097 values (odd: the last f16 pair is half empty): f32_to_f16 packs 2,049 pairs in 9
    // workgroups (5 x 2 grid), f16_to_f32 unpacks 4,097 values in 17 (6 x 3 grid).
    // Exact both ways (the conversion rounds to nearest even as `half` does).
    let g = folded_gpu();
    let n: usize = 4097;
    assert_folded(&g, n.div_ceil(2), 256, 1);
    assert_folded(&g, n, 256, 1);
    let mut rng = Rng(102);
    let x = rng.vec(n, -1000.0, 1000.0);
    let h = cast::to_f16(&Tensor::from_f32(&g, &[n], &x).unwrap()).unwrap();
    let got = h.to_f16().unwrap();
    for (i, (v, w)) in got.iter().zip(&x).enumerate() {
        let want = half::f16::from_f32(*w);
        assert_eq!(v.to_bits(), want.to_bits(), "f16[{i}] {v} vs {want}");
    }
    let back = cast::to_f32(&h).unwrap().to_f32().unwrap();
    let want: Vec<f32> = got.iter().map(|v| v.to_f32()).collect();
    assert_eq!(back, want, "f16 -> f32");
}

/// The counter-based hash of `shaders/random.wgsl`, written out again in Rust.
fn pcg_hash(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

fn random_bits(seed: u64, counter: u32) -> u32 {
    let key = pcg_hash(seed as u32 ^ pcg_hash(((seed >> 32) as u32).wrapping_add(0x9e37_79b9)));
    pcg_hash(counter ^ key)
}

#[test]
fn random_fills_match_the_hash_reference_on_a_folded_grid() {
    // 3,841 values: 16 workgroups on a 6 x 3 grid (two spare). Element i is a pure function of
    // (seed, i), so a wrong flat index shows as a value from another counter.
    // Uniform: u = 24 hash bits / 2^24 is exact; low + (high - low) u may be fused into one
    // FMA on the GPU, so |gpu - ref| <= 1e-6 (about 4 f32 ulp of values in [-2, 3)).
    // Normal: WGSL log / cos / sqrt have implementation-defined precision (cos is only bounded
    // to 2^-11 absolute); |z| <= 5.8 for 24-bit uniforms, so |gpu - ref| <= std * 4e-3 against
    // an f64 Box-Muller of the same uniforms. A value from a wrong counter is off by ~1.
    let g = folded_gpu();
    let n = 3841;
    assert_folded(&g, n, 256, 2);
    let seed = 0x0123_4567_89ab_cdef_u64;
    let got = random::uniform(&g, &[n], -2.0, 3.0, seed)
        .unwrap()
        .to_f32()
        .unwrap();
    let want: Vec<f32> = (0..n as u32)
        .map(|i| {
            let u = (random_bits(seed, i) >> 8) as f32 * (1.0 / 16_777_216.0);
            -2.0 + 5.0 * u
        })
        .collect();
    assert_close("uniform", &got, &want, 1e-6, 0.0);
    let (mean, std) = (1.0f32, 2.0f32);
    let got = random::normal(&g, &[n], mean, std, seed)
        .unwrap()
        .to_f32()
        .unwrap();
    let unit = |bits: u32| f64::from(((bits >> 8) as f32 + 1.0) * (1.0 / 16_777_216.0));
    let want: Vec<f32> = (0..n as u32)
        .map(|i| {
            let u1 = unit(random_bits(seed, 2 * i));
            let u2 = unit(random_bits(seed, 2 * i + 1));
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            (f64::from(mean) + f64::from(std) * z) as f32
        })
        .collect();
    assert_close("normal", &got, &want, std * 4e-3, 0.0);
}

/// f'(x) of an activation written in terms of its output y.
type Derivative = fn(f32) -> f32;

#[test]
fn backward_kernels_on_a_folded_grid() {
    // 2,600 elements: 11 workgroups on a 6 x 2 grid (one spare).
    // act_backward: g * f'(y) from the saved output, one or two f32 products (the GPU may fuse
    // y (1 - y) or 1 - y^2 into an FMA): 1e-7 + 1e-6 |ref|. dropout_mask: the mask is 0 or
    // 1 / (1 - p) chosen by an exact uniform (low 0, high 1), so it must match exactly.
    // broadcast_scalar: one f32 product, exact.
    let g = folded_gpu();
    let n = 2600;
    assert_folded(&g, n, 256, 1);
    let mut rng = Rng(104);
    let grad = rng.vec(n, -2.0, 2.0);
    let tg = Tensor::from_f32(&g, &[n], &grad).unwrap();
    // (activation, range of the saved output y, f'(x) written in terms of y)
    let acts: [(Activation, f32, f32, Derivative); 4] = [
        (Activation::Relu, -1.0, 1.0, |y| {
            f32::from(u8::from(y > 0.0))
        }),
        (Activation::Sigmoid, 0.0, 1.0, |y| y * (1.0 - y)),
        (Activation::Tanh, -1.0, 1.0, |y| 1.0 - y * y),
        (Activation::Exp, 0.0, 20.0, |y| y),
    ];
    for (act, lo, hi, d) in acts {
        let y = rng.vec(n, lo, hi);
        let ty = Tensor::from_f32(&g, &[n], &y).unwrap();
        let got = act_backward(&ty, &tg, act).unwrap().to_f32().unwrap();
        let want: Vec<f32> = (0..n).map(|i| grad[i] * d(y[i])).collect();
        assert_close(&format!("{act:?} backward"), &got, &want, 1e-7, 1e-6);
    }
    let (p, seed) = (0.3f32, 77u64);
    let got = dropout_mask(&g, &[40, 65], p, seed)
        .unwrap()
        .to_f32()
        .unwrap();
    let scale = 1.0 / (1.0 - p);
    let want: Vec<f32> = (0..n as u32)
        .map(|i| {
            let u = (random_bits(seed, i) >> 8) as f32 * (1.0 / 16_777_216.0);
            if u < p {
                0.0
            } else {
                scale
            }
        })
        .collect();
    assert_eq!(got, want, "dropout mask");
    let s = Tensor::from_f32(&g, &[1], &[0.7]).unwrap();
    let got = broadcast_scalar(&s, &[40, 65], -1.5)
        .unwrap()
        .to_f32()
        .unwrap();
    assert_eq!(got, vec![0.7f32 * -1.5; n], "broadcast_scalar");
}

#[test]
fn exclusive_scan_on_a_folded_grid() {
    // One workgroup per 1,024 values: 9,000 values = 9 blocks (5 x 2 grid, one spare) and
    // 40,000 = 40 blocks (7 x 6, two spare; the 40 block sums are scanned recursively).
    // Integer sums: exact.
    let g = folded_gpu();
    let mut rng = Rng(107);
    for n in [9000usize, 40_000] {
        assert_folded(&g, n, 1024, 1);
        let x: Vec<u32> = (0..n).map(|_| rng.below(1000) as u32).collect();
        let t = Tensor::from_u32(&g, &[n], &x).unwrap();
        let got = exclusive_scan(&t).unwrap().to_u32().unwrap();
        let mut want = vec![0u32];
        for v in &x {
            want.push(want.last().unwrap() + v);
        }
        assert_eq!(got.len(), want.len(), "scan n={n}: length");
        let bad = got.iter().zip(&want).position(|(a, b)| a != b);
        assert_eq!(bad, None, "scan n={n}: first wrong prefix sum");
    }
}

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

#[test]
fn matmul_tile_rows_past_the_grid_limit_go_to_z_layers() {
    // Matmul is 2-D by nature: tile columns on x (bounded by the limit), tile rows on y, and
    // K slices on z. Past the y limit, tile rows continue in further z layers with
    // z = row chunk * slices + slice. Here 9 tile rows exceed the limit of 7 (two row chunks,
    // the second with 5 spare tile rows), for every tile, transpose layout and K split.
    // Tolerance as tests/kernels/matmul.rs: 1e-5 k + 1e-5 |ref| (fp32 sums of k products of
    // magnitude <= 1 against an f64 reference).
    let g = folded_gpu();
    let mut rng = Rng(111);
    // n = 3 keeps the split's slice sum (reduce_cols over m x n columns) within 7 x 7 workgroups.
    let (k, n) = (40, 3);
    for (tile, side) in [
        (GemmTile::Direct, 32usize),
        (GemmTile::T64, 64),
        (GemmTile::T128, 128),
    ] {
        let m = 8 * side + 5;
        assert!(m.div_ceil(side) > FOLD_DIM as usize);
        // Slices(3) gives 3 slices of 16 (two row chunks x 3 slices = 6 z layers).
        check_gemm_layouts(
            &g,
            &mut rng,
            (m, k, n),
            tile,
            &[KSplit::Off, KSplit::Slices(3)],
        );
    }
}

#[test]
fn matmul_tile_columns_past_the_grid_limit_go_to_z_layers() {
    // An output wider than the grid's x limit of tiles: tile columns past the limit continue in
    // further z layers, as tile rows past the y limit do. Here 9 tile columns exceed the limit
    // of 7 (two column chunks, the second with 5 spare tile columns), for every tile and
    // transpose layout, without and with a K split, and, for the 32-wide direct tile, with 9
    // tile rows as well (two row chunks x two column chunks). Tolerance as tests/kernels/matmul.rs:
    // 1e-5 k + 1e-5 |ref| (fp32 sums of k products of magnitude <= 1 against an f64 reference).
    let g = folded_gpu();
    let mut rng = Rng(112);
    let k = 40;
    for (tile, side, m) in [
        (GemmTile::Direct, 32usize, 3usize),
        (GemmTile::Direct, 32, 8 * 32 + 5),
        (GemmTile::T64, 64, 3),
        (GemmTile::T128, 128, 2),
    ] {
        let n = 8 * side + 5;
        assert!(n.div_ceil(side) > FOLD_DIM as usize);
        // Slices(2): 2 slices of 32 rows of k (the slice sum, reduce_cols over m x n
        // columns, stays within 7 x 7 workgroups for the outputs with few rows).
        let splits: &[KSplit] = if m < 8 {
            &[KSplit::Off, KSplit::Slices(2)]
        } else {
            &[KSplit::Off]
        };
        check_gemm_layouts(&g, &mut rng, (m, k, n), tile, splits);
    }
}

/// `gemm_split` of random a [m, k] and b [k, n] in every transpose layout, with `tile` and each
/// of `splits`, against an f64 reference: within 1e-5 k + 1e-5 |ref| (fp32 sums of k products
/// of magnitude <= 1), as tests/kernels/matmul.rs.
fn check_gemm_layouts(
    g: &Gpu,
    rng: &mut Rng,
    (m, k, n): (usize, usize, usize),
    tile: GemmTile,
    splits: &[KSplit],
) {
    let a = rng.vec(m * k, -1.0, 1.0);
    let b = rng.vec(k * n, -1.0, 1.0);
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a_at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
        let b_at = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
        let want: Vec<f32> = (0..m * n)
            .map(|o| {
                let (i, j) = (o / n, o % n);
                (0..k)
                    .map(|p| f64::from(a_at(i, p)) * f64::from(b_at(p, j)))
                    .sum::<f64>() as f32
            })
            .collect();
        let sa = if ta { [k, m] } else { [m, k] };
        let sb = if tb { [n, k] } else { [k, n] };
        let xa = Tensor::from_f32(g, &sa, &a).unwrap();
        let xb = Tensor::from_f32(g, &sb, &b).unwrap();
        for &split in splits {
            let what = format!("gemm {m}x{k}x{n} ta={ta} tb={tb} {tile:?} {split:?}");
            let got =
                gemm_split(&xa, &xb, ta, tb, tile, split).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_close(&what, &got.to_f32().unwrap(), &want, 1e-5 * k as f32, 1e-5);
        }
    }
}

/// How an entry point's folded 2-D grid path (the path past 65,535 workgroups) is tested.
enum Grid {
    /// This test runs the entry point on a folded grid: on `folded_gpu()`, or past 65,535
    /// workgroups on the device's real limit.
    Folded(&'static str),
    /// The entry point has no folded path, for the reason given.
    NoFold(&'static str),
}
use Grid::{Folded, NoFold};

/// A dispatch of one workgroup (checked by `single_workgroup_entry_points_ignore_the_grid`).
const ONE_WORKGROUP: &str = "single workgroup: the kernel runs as exactly one workgroup";

/// Every compute entry point of every shader family, as "family::entry" (the family is its file
/// name under shaders/ without `.wgsl`), with the test that checks it against a plain Rust
/// reference on random inputs and the test of its folded / over-65,535-workgroup path. A test
/// is named "area/file::name" for `#[test] fn name` in tests/area/file.rs. Completeness is
/// checked by `every_entry_point_is_in_the_coverage_table`, the names by
/// `the_coverage_table_names_real_tests`.
const COVERAGE: &[(&str, &str, Grid)] = &[
    (
        "backward::act_backward",
        "kernels/coverage::backward_kernels_on_a_folded_grid",
        Folded("kernels/coverage::backward_kernels_on_a_folded_grid"),
    ),
    (
        "backward::broadcast_scalar",
        "kernels/coverage::backward_kernels_on_a_folded_grid",
        Folded("kernels/coverage::backward_kernels_on_a_folded_grid"),
    ),
    (
        "backward::dropout_mask",
        "kernels/coverage::backward_kernels_on_a_folded_grid",
        Folded("kernels/coverage::backward_kernels_on_a_folded_grid"),
    ),
    (
        "cast::f16_to_f32",
        "gpu/tensor::f16_casts_round_to_nearest",
        Folded("kernels/coverage::f16_casts_on_a_folded_grid"),
    ),
    (
        "cast::f32_to_f16",
        "gpu/tensor::f16_casts_round_to_nearest",
        Folded("kernels/coverage::f16_casts_on_a_folded_grid"),
    ),
    (
        "elementwise::binary",
        "kernels/elementwise::binary_ops_broadcast_rows_and_scalars",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "elementwise::select_where",
        "kernels/elementwise::scale_affine_and_select",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "elementwise::unary",
        "kernels/elementwise::unary_ops_match_reference",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "layout::copy_cols",
        "kernels/layout::concat_and_slice_round_trip",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::gather_rows",
        "kernels/layout::gather_rows_matches_reference_and_zeroes_bad_indices",
        Folded("kernels/folded_rows::gather_rows_on_a_folded_grid"),
    ),
    (
        "layout::scatter_fill",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_group_prefix",
        "kernels/layout::scatter_plan_groups_of_several_chunks",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_hist",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_scan",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "layout::scatter_sum",
        "kernels/layout::scatter_add_rows_is_exact_in_source_order_and_deterministic",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::transpose_tiled",
        "kernels/layout::transpose_matches_reference",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "lif::lif_step",
        "snn/lif::lif_matches_reference_on_awkward_sizes",
        Folded("snn/lif::lif_two_dimensional_grid_path"),
    ),
    (
        "matmul::gemm",
        "kernels/matmul::every_tile_and_transpose_matches_reference",
        Folded("kernels/coverage::matmul_tile_rows_past_the_grid_limit_go_to_z_layers"),
    ),
    (
        "matmul::gemm_direct",
        "kernels/matmul::every_tile_and_transpose_matches_reference",
        Folded("kernels/coverage::matmul_tile_rows_past_the_grid_limit_go_to_z_layers"),
    ),
    (
        "neighbor_max::masked_max",
        "kernels/neighbor_max::forward_matches_reference_including_isolated_nodes",
        Folded("kernels/coverage::neighbor_max_backward_on_a_folded_grid"),
    ),
    (
        "neighbor_max::masked_max_backward",
        "kernels/neighbor_max::backward_matches_finite_differences",
        Folded("kernels/coverage::neighbor_max_backward_on_a_folded_grid"),
    ),
    (
        "optim::adam_step",
        "autodiff/optim::adam_matches_reference_with_per_parameter_weight_decay",
        Folded("autodiff/optim::adam_on_a_folded_grid"),
    ),
    (
        "optim::sgd_step",
        "autodiff/optim::sgd_with_momentum_matches_reference",
        Folded("autodiff/optim::sgd_on_a_folded_grid"),
    ),
    (
        "poisson::poisson_step",
        "snn/kernels_grid::poisson_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::poisson_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "poisson::schedule_step",
        "snn/kernels_grid::schedule_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::schedule_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "random::normal_fill",
        "kernels/coverage::random_fills_match_the_hash_reference_on_a_folded_grid",
        Folded("kernels/coverage::random_fills_match_the_hash_reference_on_a_folded_grid"),
    ),
    (
        "random::uniform_fill",
        "kernels/coverage::random_fills_match_the_hash_reference_on_a_folded_grid",
        Folded("kernels/coverage::random_fills_match_the_hash_reference_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_cols",
        "kernels/reduce::reduce_cols_matches_reference",
        Folded("kernels/reduce::reductions_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_rows",
        "kernels/reduce::reduce_rows_matches_reference",
        Folded("kernels/folded_rows::reduce_rows_workgroup_per_row_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_rows_small",
        "kernels/reduce::reduce_rows_matches_reference",
        Folded("kernels/reduce::reductions_on_a_folded_grid"),
    ),
    (
        "scan::add_offsets",
        "graphs/synchrony::exclusive_scan_matches_reference",
        Folded("kernels/coverage::exclusive_scan_on_a_folded_grid"),
    ),
    (
        "scan::scan_blocks",
        "graphs/synchrony::exclusive_scan_matches_reference",
        Folded("kernels/coverage::exclusive_scan_on_a_folded_grid"),
    ),
    (
        "scan::write_total",
        "graphs/synchrony::exclusive_scan_matches_reference",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "segment::segment_expand",
        "kernels/segment::backward_passes_match_reference",
        Folded("kernels/coverage::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_max",
        "kernels/segment::segment_reduce_matches_reference",
        Folded("kernels/coverage::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_max_backward",
        "kernels/segment::backward_passes_match_reference",
        Folded("kernels/coverage::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_sum",
        "kernels/segment::segment_reduce_matches_reference",
        Folded("kernels/coverage::segment_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_grad",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/coverage::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_rows",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/coverage::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_rows_small",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/coverage::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_total",
        "kernels/softmax::cross_entropy_matches_reference",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "softmax::softmax_rows",
        "kernels/softmax::softmax_rows_matches_reference",
        Folded("kernels/folded_rows::softmax_rows_workgroup_per_row_on_a_folded_grid"),
    ),
    (
        "softmax::softmax_rows_small",
        "kernels/softmax::softmax_rows_matches_reference",
        Folded("kernels/coverage::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "sparse::spmm",
        "graphs/sparse::high_degree_node_and_empty_rows",
        Folded("kernels/folded_rows::tiled_spmm_of_many_rows_on_a_folded_grid"),
    ),
    (
        "sparse::spmm_flat",
        "graphs/sparse::random_graphs_match_reference_for_many_feature_widths",
        Folded("kernels/folded_rows::spmm_flat_both_directions_on_a_folded_grid"),
    ),
    (
        "stdp::normalize",
        "snn/kernels_grid::normalize_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::normalize_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::stdp_weights",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::trace_post",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::trace_pre",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "synapse::compact",
        "snn/kernels_grid::compact_and_record_match_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::compact_and_record_match_reference_on_a_folded_grid"),
    ),
    (
        "synapse::propagate",
        "snn/kernels_grid::propagate_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::propagate_matches_reference_on_a_folded_grid"),
    ),
    (
        "synapse::sort_lists",
        "snn/kernels_grid::sort_lists_on_a_folded_grid",
        Folded("snn/kernels_grid::sort_lists_on_a_folded_grid"),
    ),
    (
        "synchrony::active_flags",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::clip_offsets",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::compact_nodes",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::fill_cols",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::mark_pairs",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::renumber_cols",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::row_degree",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::spike_stats",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
];

/// Every compute entry point of every registered family, as "family::entry", with the builtins
/// its arguments read (directly or as members of a struct argument).
fn entry_points() -> BTreeMap<String, Vec<naga::BuiltIn>> {
    let mut out = BTreeMap::new();
    for &shader in Shader::ALL {
        let source = shader.source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", shader.file_name(), e.emit_to_string(&source)));
        let family = shader.file_name().trim_end_matches(".wgsl");
        for ep in &module.entry_points {
            if ep.stage != naga::ShaderStage::Compute {
                continue;
            }
            let mut builtins = Vec::new();
            for arg in &ep.function.arguments {
                if let Some(naga::Binding::BuiltIn(b)) = arg.binding {
                    builtins.push(b);
                }
                if let naga::TypeInner::Struct { members, .. } = &module.types[arg.ty].inner {
                    for m in members {
                        if let Some(naga::Binding::BuiltIn(b)) = m.binding {
                            builtins.push(b);
                        }
                    }
                }
            }
            let key = format!("{family}::{}", ep.name);
            assert!(out.insert(key.clone(), builtins).is_none(), "{key} twice");
        }
    }
    out
}

#[test]
fn every_entry_point_is_in_the_coverage_table() {
    let found = entry_points();
    let listed: BTreeSet<&str> = COVERAGE.iter().map(|(entry, _, _)| *entry).collect();
    assert_eq!(
        listed.len(),
        COVERAGE.len(),
        "an entry point is listed twice"
    );
    let missing: Vec<&str> = found
        .keys()
        .map(String::as_str)
        .filter(|k| !listed.contains(k))
        .collect();
    let stale: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|k| !found.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "COVERAGE must list exactly the compute entry points of the shaders: add {missing:?} \
         (with their reference and folded-grid tests), remove {stale:?}"
    );
    eprintln!("{} compute entry points, all in COVERAGE", found.len());
}

/// An entry point without a folded path must not depend on the grid: it reads no workgroup id,
/// workgroup count or global invocation id, so it computes the same in any one-workgroup
/// dispatch. A kernel that starts to use them needs a folded-grid test instead.
#[test]
fn single_workgroup_entry_points_ignore_the_grid() {
    let found = entry_points();
    for (entry, _, grid) in COVERAGE {
        let (NoFold(_), Some(builtins)) = (grid, found.get(*entry)) else {
            continue;
        };
        for b in builtins {
            assert!(
                !matches!(
                    b,
                    naga::BuiltIn::WorkGroupId
                        | naga::BuiltIn::NumWorkGroups
                        | naga::BuiltIn::GlobalInvocationId
                ),
                "{entry} is listed without a folded path but reads {b:?}"
            );
        }
    }
}

/// The body of `#[test] fn name` in `source` (from the `fn` line to the closing brace at the
/// start of a line), or why it is not there: no such fn, not marked `#[test]`, or `#[ignore]`d.
fn test_body<'a>(source: &'a str, name: &str) -> Result<&'a str, String> {
    let lines: Vec<&str> = source.lines().collect();
    let head = format!("fn {name}(");
    let at = lines
        .iter()
        .position(|l| l.starts_with(&head))
        .ok_or_else(|| format!("no `fn {name}`"))?;
    let attrs: Vec<&str> = lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .collect();
    if !attrs.contains(&"#[test]") {
        return Err(format!("`fn {name}` is not a #[test]"));
    }
    if attrs.iter().any(|a| a.starts_with("#[ignore")) {
        return Err(format!("`fn {name}` is #[ignore]d"));
    }
    let start = source
        .match_indices(&format!("\n{head}"))
        .next()
        .map_or(0, |(i, _)| i + 1);
    let len = source[start..]
        .find("\n}")
        .map_or(source.len() - start, |e| e + 2);
    Ok(&source[start..start + len])
}

/// Why `test` ("area/file::name") is not a usable test of the coverage table, if it is not: it must
/// be a #[test] fn (not ignored) of tests/area/file.rs, and a folded test must open `folded_gpu()`
/// or say 65535 in its name; one on `folded_gpu()` must also check that its sizes fold the grid
/// (`assert_folded`, or a comparison with `FOLD_DIM`), since a size within one grid row of 7
/// workgroups would pass without taking the folded path.
fn bad_test_name(
    sources: &mut BTreeMap<String, String>,
    test: &str,
    folded: bool,
) -> Option<String> {
    let Some((file, name)) = test.split_once("::") else {
        return Some(format!("{test:?} is not area/file::name"));
    };
    let source = sources.entry(file.to_string()).or_insert_with(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(format!("{file}.rs"));
        std::fs::read_to_string(path).unwrap_or_default()
    });
    match test_body(source, name) {
        Err(why) => Some(format!("tests/{file}.rs: {why}")),
        Ok(body) if folded && !body.contains("folded_gpu()") && !name.contains("65535") => Some(
            format!("{test} neither uses folded_gpu() nor says 65535 in its name"),
        ),
        Ok(body)
            if folded
                && body.contains("folded_gpu()")
                && !body.contains("assert_folded(")
                && !body.contains("FOLD_DIM") =>
        {
            Some(format!(
                "{test} uses folded_gpu() but never checks that its sizes fold the grid \
                 (assert_folded or FOLD_DIM)"
            ))
        }
        Ok(_) => None,
    }
}

#[test]
fn the_coverage_table_names_real_tests() {
    let mut sources = BTreeMap::new();
    let mut errors = Vec::new();
    for (entry, reference, grid) in COVERAGE {
        if let Some(why) = bad_test_name(&mut sources, reference, false) {
            errors.push(format!("{entry}: reference test: {why}"));
        }
        match grid {
            Folded(test) => {
                if let Some(why) = bad_test_name(&mut sources, test, true) {
                    errors.push(format!("{entry}: folded test: {why}"));
                }
            }
            NoFold(why) if why.trim().is_empty() => {
                errors.push(format!("{entry}: no folded test and no reason"))
            }
            NoFold(_) => {}
        }
    }
    assert!(errors.is_empty(), "COVERAGE:\n{}", errors.join("\n"));
}
