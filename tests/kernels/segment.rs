//! Segment reductions against plain Rust references on random inputs in [-1, 1).
//! Tolerance: sum and mean |gpu - ref| <= 1e-6 * len + 1e-5 |ref| for a segment of len rows
//! (fp32 tree sum of len terms of magnitude <= 1, reference in f64). Max and argmax are exact.
//! Backward passes are copies (exact) or one division by the segment length (1 ulp: compared
//! with 1e-7 + 1e-6 |ref|).

use crate::common;
use common::*;
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::kernels::segment::{segment_expand, segment_max_backward, segment_reduce};
use synchgraph::{DType, Error, Tensor};

/// Random non-decreasing offsets for n rows in s segments, with some empty segments.
fn offsets(rng: &mut Rng, n: usize, s: usize) -> Vec<u32> {
    let mut cuts: Vec<u32> = (0..s.saturating_sub(1))
        .map(|_| rng.below(n + 1) as u32)
        .collect();
    cuts.sort_unstable();
    let mut o = vec![0];
    o.extend(cuts);
    if s > 0 {
        o.push(n as u32);
    }
    o
}

fn reference(x: &[f32], f: usize, off: &[u32], op: ReduceOp) -> (Vec<f32>, Vec<u32>) {
    let mut out = Vec::new();
    let mut arg = Vec::new();
    for w in off.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        for j in 0..f {
            let col = (a..b).map(|r| (r, x[r * f + j]));
            match op {
                ReduceOp::Max => {
                    let best = col.fold(None, |best: Option<(usize, f32)>, (r, v)| match best {
                        // A NaN wins (the first one); otherwise the first largest.
                        Some((_, bv)) if bv.is_nan() || (!v.is_nan() && bv >= v) => best,
                        _ => Some((r, v)),
                    });
                    out.push(best.map_or(0.0, |b| b.1));
                    arg.push(best.map_or(u32::MAX, |b| b.0 as u32));
                }
                _ => {
                    let sum: f64 = col.map(|(_, v)| f64::from(v)).sum();
                    let len = (b - a) as f64;
                    let v = if op == ReduceOp::Mean && b > a {
                        sum / len
                    } else {
                        sum
                    };
                    out.push(v as f32);
                }
            }
        }
    }
    (out, arg)
}

#[test]
fn segment_reduce_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(51);
    for (n, f, s) in [
        (0, 3, 0),
        (0, 3, 4),
        (5, 0, 2),
        (1, 1, 1),
        (10, 1, 3),
        (40, 3, 7),
        (100, 16, 5),
        (1000, 65, 9),
        (3000, 2, 1),
        (257, 130, 40),
    ] {
        let x = rng.vec(n * f, -1.0, 1.0);
        let off = offsets(&mut rng, n, s);
        let tx = Tensor::from_f32(&gpu, &[n, f], &x).unwrap();
        let to = Tensor::from_u32(&gpu, &[off.len()], &off).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let what = format!("segment {op:?} n={n} f={f} s={s}");
            let (out, arg) = segment_reduce(&tx, &to, op).unwrap();
            assert_eq!(out.shape(), &[s, f], "{what}");
            let (want, want_arg) = reference(&x, f, &off, op);
            let got = out.to_f32().unwrap();
            if op == ReduceOp::Max {
                assert_eq!(got, want, "{what}");
                assert_eq!(arg.unwrap().to_u32().unwrap(), want_arg, "{what} argmax");
            } else {
                assert!(arg.is_none());
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    let seg = i / f;
                    let len = (off[seg + 1] - off[seg]) as f32;
                    let tol = 1e-6 * len.max(1.0) + 1e-5 * w.abs();
                    assert!((g - w).abs() <= tol, "{what}[{i}]: {g} vs {w}");
                }
            }
        }
    }
}

#[test]
fn max_ties_pick_the_first_row_and_empty_segments_are_documented() {
    let gpu = gpu();
    // Segment 0: rows 0..6 all equal; segment 1 empty; segment 2: rows 6..9.
    let x = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, -1.0, 5.0, 5.0];
    let tx = Tensor::from_f32(&gpu, &[9, 1], &x).unwrap();
    let to = Tensor::from_u32(&gpu, &[4], &[0, 6, 6, 9]).unwrap();
    let (out, arg) = segment_reduce(&tx, &to, ReduceOp::Max).unwrap();
    assert_eq!(out.to_f32().unwrap(), [2.0, 0.0, 5.0]);
    assert_eq!(arg.unwrap().to_u32().unwrap(), [0, u32::MAX, 7]);
    let (mean, _) = segment_reduce(&tx, &to, ReduceOp::Mean).unwrap();
    assert_eq!(mean.to_f32().unwrap(), [2.0, 0.0, 3.0]);
}

#[test]
fn max_propagates_nan_from_any_row_and_lane() {
    // Long segments spread their rows over the lanes of a workgroup, so a NaN is met in the
    // per-lane loop and in the tree merge, at the first, a middle and the last row; the
    // result and argmax must not depend on where it sits or on the feature width.
    let gpu = gpu();
    for f in [1, 3, 64] {
        let n = 700;
        let mut x = Rng(31 + f as u64).vec(n * f, -3.0, 3.0);
        let off = [0u32, 300, 301, 700];
        for (col, r) in [
            (0, 0),
            (0, 299),
            (f - 1, 300),
            (f / 2, 450),
            (f / 2, 699),
            (0, 520),
        ] {
            x[r * f + col] = f32::NAN;
        }
        let (out, arg) = segment_reduce(
            &Tensor::from_f32(&gpu, &[n, f], &x).unwrap(),
            &Tensor::from_u32(&gpu, &[4], &off).unwrap(),
            ReduceOp::Max,
        )
        .unwrap();
        let (want, want_arg) = reference(&x, f, &off, ReduceOp::Max);
        let bits = |v: &[f32]| {
            v.iter()
                .map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() })
                .collect::<Vec<_>>()
        };
        assert!(want.iter().any(|v| v.is_nan()));
        assert_eq!(bits(&out.to_f32().unwrap()), bits(&want), "max f {f}");
        assert_eq!(arg.unwrap().to_u32().unwrap(), want_arg, "argmax f {f}");
    }
}

#[test]
fn over_65535_segments() {
    // One workgroup per segment: 70,000 segments of 2 rows need a 2-D grid of workgroups.
    // Random whole numbers (exact sums in any order), so no segment repeats another at the
    // fold and a kernel reading the wrong half of the grid would fail.
    let gpu = gpu();
    let (s, f) = (70_000, 1);
    let n = 2 * s;
    let x: Vec<f32> = Rng(117)
        .vec(n, -1000.0, 1000.0)
        .into_iter()
        .map(f32::round)
        .collect();
    let off: Vec<u32> = (0..=s).map(|i| 2 * i as u32).collect();
    let tx = Tensor::from_f32(&gpu, &[n, f], &x).unwrap();
    let to = Tensor::from_u32(&gpu, &[s + 1], &off).unwrap();
    let (out, _) = segment_reduce(&tx, &to, ReduceOp::Sum).unwrap();
    assert_eq!(
        out.to_f32().unwrap(),
        reference(&x, f, &off, ReduceOp::Sum).0
    );
}

#[test]
fn invalid_offsets_are_memory_safe() {
    // Offsets past n are clamped to n: no out-of-bounds read, segments end at n.
    let gpu = gpu();
    let tx = Tensor::from_f32(&gpu, &[3, 1], &[1.0, 2.0, 3.0]).unwrap();
    let to = Tensor::from_u32(&gpu, &[3], &[1, 100, 7]).unwrap();
    let (out, _) = segment_reduce(&tx, &to, ReduceOp::Sum).unwrap();
    assert_eq!(out.to_f32().unwrap(), [5.0, 0.0]);
}

#[test]
fn backward_passes_match_reference() {
    let gpu = gpu();
    let mut rng = Rng(52);
    for (n, f, s) in [(0, 2, 3), (1, 1, 1), (40, 3, 7), (300, 70, 12), (5, 0, 2)] {
        let off = offsets(&mut rng, n, s);
        let g = rng.vec(s * f, -1.0, 1.0);
        let tg = Tensor::from_f32(&gpu, &[s, f], &g).unwrap();
        let to = Tensor::from_u32(&gpu, &[off.len()], &off).unwrap();
        let what = format!("n={n} f={f} s={s}");
        for op in [ReduceOp::Sum, ReduceOp::Mean] {
            let got = segment_expand(&tg, &to, n, op).unwrap();
            assert_eq!(got.shape(), &[n, f]);
            let mut want = vec![0.0f32; n * f];
            for (seg, w) in off.windows(2).enumerate() {
                let len = (w[1] - w[0]) as f32;
                for r in w[0] as usize..w[1] as usize {
                    for j in 0..f {
                        let v = g[seg * f + j];
                        want[r * f + j] = if op == ReduceOp::Mean { v / len } else { v };
                    }
                }
            }
            let what = format!("expand {op:?} {what}");
            let got = got.to_f32().unwrap();
            if op == ReduceOp::Sum {
                // A copy: exact, as the module doc states.
                assert_eq!(got, want, "{what}");
            } else {
                assert_close(&what, &got, &want, 1e-7, 1e-6);
            }
        }
        // Max: gradient lands on the argmax rows of a forward pass.
        let x = rng.vec(n * f, -1.0, 1.0);
        let tx = Tensor::from_f32(&gpu, &[n, f], &x).unwrap();
        let (_, arg) = segment_reduce(&tx, &to, ReduceOp::Max).unwrap();
        let arg = arg.unwrap();
        let got = segment_max_backward(&tg, &arg, n)
            .unwrap()
            .to_f32()
            .unwrap();
        let mut want = vec![0.0f32; n * f];
        for (i, &a) in arg.to_u32().unwrap().iter().enumerate() {
            if a != u32::MAX {
                want[a as usize * f + i % f] = g[i];
            }
        }
        assert_eq!(got, want, "max backward {what}");
    }
}

#[test]
fn errors_name_the_op() {
    let gpu = gpu();
    let x = Tensor::from_f32(&gpu, &[4, 2], &[0.0; 8]).unwrap();
    let o = Tensor::from_u32(&gpu, &[2], &[0, 4]).unwrap();
    let e = segment_reduce(&x, &x, ReduceOp::Sum).unwrap_err();
    assert!(
        matches!(&e, Error::DType { op, .. } if op == "segment_reduce"),
        "{e}"
    );
    let u = Tensor::zeros(&gpu, &[4, 2], DType::U32).unwrap();
    let e = segment_reduce(&u, &o, ReduceOp::Sum).unwrap_err();
    assert!(
        matches!(&e, Error::DType { op, .. } if op == "segment_reduce"),
        "{e}"
    );
    let empty = Tensor::from_u32(&gpu, &[0], &[]).unwrap();
    let e = segment_reduce(&x, &empty, ReduceOp::Max).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "segment_reduce"),
        "{e}"
    );
    let e = segment_reduce(&x.reshape(&[8]).unwrap(), &o, ReduceOp::Max).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "segment_reduce"),
        "{e}"
    );
}
