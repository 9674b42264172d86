//! Matrix products against a plain Rust f64 reference on random inputs in [-1, 1).
//! Tolerance: |gpu - ref| <= 1e-5 * k + 1e-5 |ref|. Each output is an fp32 sum of k products of
//! magnitude <= 1; every rounding adds at most 2^-24 |partial sum| <= 2^-24 k, and the partial
//! sums rarely approach k, so 1e-5 per term is a loose but still failing bound (a wrong or
//! missing term moves an output by ~0.3 on average).

use crate::common;
use common::*;
use synchgraph::kernels::matmul::{
    auto_k_slices, gemm, gemm_split, matmul, matmul_flops, matmul_nt, matmul_tn, GemmTile, KSplit,
    MAX_K_SLICES, SPLIT_MIN_K,
};
use synchgraph::{DType, Error, Tensor};

/// C[m,n] = sum_k A[m,k] B[k,n] with A(i, p) and B(p, j) read through accessors.
fn reference(
    m: usize,
    k: usize,
    n: usize,
    a: impl Fn(usize, usize) -> f32,
    b: impl Fn(usize, usize) -> f32,
) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let s: f64 = (0..k)
                .map(|p| f64::from(a(i, p)) * f64::from(b(p, j)))
                .sum();
            c[i * n + j] = s as f32;
        }
    }
    c
}

fn check(what: &str, got: &[f32], want: &[f32], k: usize) {
    assert_close(what, got, want, 1e-5 * k.max(1) as f32, 1e-5);
}

const SHAPES: &[(usize, usize, usize)] = &[
    (0, 5, 3),
    (4, 0, 3),
    (3, 5, 0),
    (1, 1, 1),
    (1, 7, 1),
    (2, 3, 4),
    (17, 33, 9),
    (128, 8, 128),
    (129, 9, 130),
    (64, 300, 5),
    (300, 37, 257),
];

#[test]
fn matmul_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(11);
    for &(m, k, n) in SHAPES {
        let a = rng.vec(m * k, -1.0, 1.0);
        let b = rng.vec(k * n, -1.0, 1.0);
        let ta = Tensor::from_f32(&gpu, &[m, k], &a).unwrap();
        let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
        let c = matmul(&ta, &tb).unwrap();
        assert_eq!(c.shape(), &[m, n]);
        let want = reference(m, k, n, |i, p| a[i * k + p], |p, j| b[p * n + j]);
        check(
            &format!("matmul {m}x{k}x{n}"),
            &c.to_f32().unwrap(),
            &want,
            k,
        );
    }
}

#[test]
fn matmul_tn_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(12);
    for &(m, k, n) in SHAPES {
        let a = rng.vec(k * m, -1.0, 1.0); // stored [k, m]
        let b = rng.vec(k * n, -1.0, 1.0);
        let ta = Tensor::from_f32(&gpu, &[k, m], &a).unwrap();
        let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
        let c = matmul_tn(&ta, &tb).unwrap();
        assert_eq!(c.shape(), &[m, n]);
        let want = reference(m, k, n, |i, p| a[p * m + i], |p, j| b[p * n + j]);
        check(
            &format!("matmul_tn {m}x{k}x{n}"),
            &c.to_f32().unwrap(),
            &want,
            k,
        );
    }
}

#[test]
fn matmul_nt_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(13);
    for &(m, k, n) in SHAPES {
        let a = rng.vec(m * k, -1.0, 1.0);
        let b = rng.vec(n * k, -1.0, 1.0); // stored [n, k]
        let ta = Tensor::from_f32(&gpu, &[m, k], &a).unwrap();
        let tb = Tensor::from_f32(&gpu, &[n, k], &b).unwrap();
        let c = matmul_nt(&ta, &tb).unwrap();
        assert_eq!(c.shape(), &[m, n]);
        let want = reference(m, k, n, |i, p| a[i * k + p], |p, j| b[j * k + p]);
        check(
            &format!("matmul_nt {m}x{k}x{n}"),
            &c.to_f32().unwrap(),
            &want,
            k,
        );
    }
}

/// Every shape x transpose layout x tile x split against the reference, inputs from `seed`.
fn check_every_layout(shapes: &[(usize, usize, usize)], seed: u64, splits: &[KSplit]) {
    let gpu = gpu();
    let mut rng = Rng(seed);
    for &(m, k, n) in shapes {
        let a = rng.vec(m * k, -1.0, 1.0);
        let b = rng.vec(k * n, -1.0, 1.0);
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            // The same data read as A [m, k] or as A stored [k, m], likewise for B.
            let a_at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
            let b_at = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
            let want = reference(m, k, n, a_at, b_at);
            let sa = if ta { [k, m] } else { [m, k] };
            let sb = if tb { [n, k] } else { [k, n] };
            let xa = Tensor::from_f32(&gpu, &sa, &a).unwrap();
            let xb = Tensor::from_f32(&gpu, &sb, &b).unwrap();
            for tile in [GemmTile::T64, GemmTile::T128, GemmTile::Direct] {
                for &split in splits {
                    let c = gemm_split(&xa, &xb, ta, tb, tile, split).unwrap();
                    assert_eq!(c.shape(), &[m, n]);
                    let what = format!("gemm {m}x{k}x{n} ta={ta} tb={tb} {tile:?} {split:?}");
                    check(&what, &c.to_f32().unwrap(), &want, k);
                }
            }
        }
    }
}

#[test]
fn every_tile_and_transpose_matches_reference() {
    check_every_layout(SHAPES, 14, &[KSplit::Auto]);
}

/// Shapes with a short output and a long K, the case split K is for (K not a multiple of 16).
const SPLIT_SHAPES: &[(usize, usize, usize)] = &[
    (1, 1000, 1),
    (5, 37, 3),
    (40, 2101, 40),
    (65, 777, 33),
    (130, 600, 129),
];

#[test]
fn split_k_matches_reference_for_every_tile_and_transpose() {
    let splits = [KSplit::Slices(3), KSplit::Slices(64), KSplit::Auto];
    check_every_layout(SPLIT_SHAPES, 16, &splits);
}

#[test]
fn split_k_is_exact_on_integers_and_repeats_bit_for_bit() {
    // Small integers are exact in fp32 whatever the order of the sums, so a split product must
    // equal the reference exactly; a slice summed twice or left out would show.
    let gpu = gpu();
    let (m, k, n) = (40, 1203, 40);
    let a: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| ((i * 3) % 5) as f32 - 2.0).collect();
    let ta = Tensor::from_f32(&gpu, &[k, m], &a).unwrap();
    let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
    let want = reference(m, k, n, |i, p| a[p * m + i], |p, j| b[p * n + j]);
    for slices in [2, 5, 16, 75] {
        for tile in [GemmTile::T64, GemmTile::Direct] {
            let split = KSplit::Slices(slices);
            let got = gemm_split(&ta, &tb, true, false, tile, split).unwrap();
            assert_eq!(got.to_f32().unwrap(), want, "{slices} slices {tile:?}");
        }
    }
    // Random inputs: the same split gives the same bits every time.
    let mut rng = Rng(17);
    let x = Tensor::from_f32(&gpu, &[k, m], &rng.vec(k * m, -1.0, 1.0)).unwrap();
    let y = Tensor::from_f32(&gpu, &[k, n], &rng.vec(k * n, -1.0, 1.0)).unwrap();
    let first = matmul_tn(&x, &y).unwrap().to_f32().unwrap();
    assert_eq!(matmul_tn(&x, &y).unwrap().to_f32().unwrap(), first);
}

#[test]
fn auto_split_fills_small_outputs_with_long_k_only() {
    // One 64x64 tile and K = 7168 (the adjacency gradient of a 40-node batch of 32 graphs of
    // 224 features): 28 slices of 256.
    assert_eq!(auto_k_slices(1, 40, 40, 7168), 7168 / SPLIT_MIN_K);
    // A long K is capped at MAX_K_SLICES, a short one is not split, a busy output is not split.
    assert_eq!(auto_k_slices(1, 40, 40, 1 << 20), MAX_K_SLICES);
    assert_eq!(auto_k_slices(1, 40, 40, SPLIT_MIN_K - 1), 1);
    assert_eq!(auto_k_slices(256, 1024, 1024, 1 << 20), 1);
    // Enough slices to reach about 256 workgroups: 21 tiles get 12 slices.
    assert_eq!(auto_k_slices(21, 416, 152, 11520), 12);
}

#[test]
fn outputs_taller_than_65535_tiles_fit_the_grid() {
    // One more tile row than the grid's y limit of 65,535: the extra rows go to a second z
    // layer. Integers keep the products exact, so every output must match.
    let gpu = gpu();
    let max = gpu.limits().max_compute_workgroups_per_dimension as usize;
    for (tile, side) in [(GemmTile::Direct, 32), (GemmTile::T64, 64)] {
        let (m, k, n) = (max * side + 37, 2, 1);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 - 3.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| i as f32 - 2.0).collect();
        let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
        // The 64x64 tiles (256 threads with barriers) run slowly on lavapipe: one layout.
        let layouts: &[bool] = if tile == GemmTile::T64 {
            &[false]
        } else {
            &[false, true]
        };
        for &ta in layouts {
            let a_at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
            let want = reference(m, k, n, a_at, |p, j| b[p * n + j]);
            let shape = if ta { [k, m] } else { [m, k] };
            let xa = Tensor::from_f32(&gpu, &shape, &a).unwrap();
            let got = gemm(&xa, &tb, ta, false, tile).unwrap().to_f32().unwrap();
            let bad = got.iter().zip(&want).position(|(g, w)| g != w);
            assert_eq!(
                bad, None,
                "{tile:?} ta={ta} {m}x{k}x{n}: first wrong row {bad:?}"
            );
        }
    }
}

#[test]
fn outputs_wider_than_65535_tiles_fit_the_grid() {
    // One more tile column than the grid's x limit of 65,535 (32-wide direct tiles): the extra
    // columns go to a second z layer. Integers keep the products exact, so every output must
    // match; both layouts of B.
    let gpu = gpu();
    let max = gpu.limits().max_compute_workgroups_per_dimension as usize;
    let (m, k, n) = (3, 2, max * 32 + 37);
    let a: Vec<f32> = (0..m * k).map(|i| i as f32 - 2.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 - 3.0).collect();
    let xa = Tensor::from_f32(&gpu, &[m, k], &a).unwrap();
    for tb in [false, true] {
        let b_at = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
        let want = reference(m, k, n, |i, p| a[i * k + p], b_at);
        let shape = if tb { [n, k] } else { [k, n] };
        let xb = Tensor::from_f32(&gpu, &shape, &b).unwrap();
        let got = gemm(&xa, &xb, false, tb, GemmTile::Direct)
            .unwrap()
            .to_f32()
            .unwrap();
        let bad = got.iter().zip(&want).position(|(g, w)| g != w);
        assert_eq!(
            bad, None,
            "tb={tb} {m}x{k}x{n}: first wrong element {bad:?}"
        );
    }
}

#[test]
fn identity_and_integers_are_exact() {
    // Small integers are exact in fp32, so every output must match bit for bit.
    let gpu = gpu();
    let (m, k, n) = (70, 131, 45);
    let a: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| ((i * 3) % 5) as f32 - 2.0).collect();
    let ta = Tensor::from_f32(&gpu, &[m, k], &a).unwrap();
    let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
    let want = reference(m, k, n, |i, p| a[i * k + p], |p, j| b[p * n + j]);
    for tile in [GemmTile::T64, GemmTile::T128, GemmTile::Direct] {
        let got = gemm(&ta, &tb, false, false, tile).unwrap();
        assert_eq!(got.to_f32().unwrap(), want, "{tile:?}");
    }
    let eye: Vec<f32> = (0..k * k)
        .map(|i| f32::from(u8::from(i % (k + 1) == 0)))
        .collect();
    let te = Tensor::from_f32(&gpu, &[k, k], &eye).unwrap();
    assert_eq!(matmul(&ta, &te).unwrap().to_f32().unwrap(), a);
}

#[test]
fn errors_name_the_op() {
    let gpu = gpu();
    let a = Tensor::from_f32(&gpu, &[2, 3], &[0.0; 6]).unwrap();
    let b = Tensor::from_f32(&gpu, &[2, 3], &[0.0; 6]).unwrap();
    let e = matmul(&a, &b).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "matmul"),
        "{e}"
    );
    assert!(matmul_tn(&a, &b).is_ok());
    assert!(matmul_nt(&a, &b).is_ok());
    let e = matmul_tn(&a, &b.reshape(&[3, 2]).unwrap()).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "matmul_tn"),
        "{e}"
    );
    let v = Tensor::from_f32(&gpu, &[6], &[0.0; 6]).unwrap();
    assert!(matches!(matmul(&v, &b).unwrap_err(), Error::Shape { .. }));
    let u = Tensor::zeros(&gpu, &[3, 2], DType::U32).unwrap();
    let e = matmul_nt(&a, &u).unwrap_err();
    assert!(
        matches!(&e, Error::DType { op, .. } if op == "matmul_nt"),
        "{e}"
    );
    assert_eq!(matmul_flops(2, 3, 4), 48.0);
}

#[test]
#[ignore = "throughput check for a real GPU: cargo test --release --test kernels -- --ignored matmul::throughput"]
fn throughput_4096_cubed() {
    // Spot-checks 64 outputs of a 4096^3 product against f64 and prints TFLOP/s.
    let gpu = gpu();
    let s = 4096;
    let mut rng = Rng(15);
    let a = rng.vec(s * s, -1.0, 1.0);
    let b = rng.vec(s * s, -1.0, 1.0);
    let ta = Tensor::from_f32(&gpu, &[s, s], &a).unwrap();
    let tb = Tensor::from_f32(&gpu, &[s, s], &b).unwrap();
    for tile in [GemmTile::T128, GemmTile::T64] {
        let c = gemm(&ta, &tb, false, false, tile).unwrap();
        gpu.synchronize().unwrap();
        let reps = 10;
        let start = std::time::Instant::now();
        for _ in 0..reps {
            let _ = gemm(&ta, &tb, false, false, tile).unwrap();
        }
        gpu.synchronize().unwrap();
        let secs = start.elapsed().as_secs_f64() / f64::from(reps);
        let tflops = matmul_flops(s, s, s) / secs / 1e12;
        eprintln!(
            "matmul 4096^3 {tile:?}: {:.3} ms, {tflops:.2} TFLOP/s",
            secs * 1e3
        );
        let got = c.to_f32().unwrap();
        for q in 0..64 {
            let (i, j) = ((q * 997) % s, (q * 2003 + 5) % s);
            let want: f64 = (0..s)
                .map(|p| f64::from(a[i * s + p]) * f64::from(b[p * s + j]))
                .sum();
            let g = f64::from(got[i * s + j]);
            assert!(
                (g - want).abs() <= 1e-5 * s as f64,
                "({i},{j}): {g} vs {want}"
            );
        }
    }
}

#[test]
#[ignore = "timing, not a check: cargo test --release --test kernels -- --ignored matmul::variants --nocapture"]
fn variants_timed_on_this_adapter() {
    // Wall time of each tile and split on a square product and on L-GrIN-shaped layer and
    // gradient products (40 nodes, batches of 32 graphs); prints one line per variant.
    let gpu = gpu();
    let mut rng = Rng(18);
    let shapes = [
        (256, 256, 256, false, false),
        (1280, 224, 88, false, false),
        (40, 7168, 40, true, false),
        (224, 1280, 88, true, false),
    ];
    for (m, k, n, ta, tb) in shapes {
        let sa = if ta { [k, m] } else { [m, k] };
        let sb = if tb { [n, k] } else { [k, n] };
        let a = Tensor::from_f32(&gpu, &sa, &rng.vec(m * k, -1.0, 1.0)).unwrap();
        let b = Tensor::from_f32(&gpu, &sb, &rng.vec(k * n, -1.0, 1.0)).unwrap();
        for tile in [GemmTile::T64, GemmTile::Direct] {
            for split in [KSplit::Off, KSplit::Auto] {
                gemm_split(&a, &b, ta, tb, tile, split).unwrap();
                gpu.synchronize().unwrap();
                let reps = 5;
                let start = std::time::Instant::now();
                for _ in 0..reps {
                    gemm_split(&a, &b, ta, tb, tile, split).unwrap();
                }
                gpu.synchronize().unwrap();
                let secs = start.elapsed().as_secs_f64() / f64::from(reps);
                eprintln!(
                    "{m}x{k}x{n} ta={ta} {tile:?} {split:?}: {:.2} ms, {:.2} GFLOP/s",
                    secs * 1e3,
                    matmul_flops(m, k, n) / secs / 1e9
                );
            }
        }
    }
}
