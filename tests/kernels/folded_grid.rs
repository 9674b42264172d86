//! The folded 2-D grid path of the cast, random, backward and scan entry points (named in the
//! `COVERAGE` table of tests/kernels/coverage.rs), against plain Rust references on random
//! inputs. Each runs on `common::folded_gpu()`, whose grids fold at 7 workgroups per dimension,
//! with sizes that are not multiples of the workgroup size and (checked by `assert_folded`) leave
//! spare workgroups past the last item. The tolerance of each check is stated where it is made.

use crate::common;
use common::*;
use synchgraph::kernels::backward::{act_backward, broadcast_scalar, dropout_mask, Activation};
use synchgraph::kernels::scan::exclusive_scan;
use synchgraph::kernels::{cast, random};
use synchgraph::Tensor;

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
