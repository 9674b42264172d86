//! The tiled SpMM kernel (rows of more than `FLAT_MAX_DEGREE` entries) with more feature tiles
//! than one grid dimension allows. On `folded_gpu()` (7 workgroups per dimension) 500 features
//! make 8 tiles of 64, as 4.2M features would past 65,535 on a real limit; the (row, tile) pairs
//! must fold into the 2-D grid instead of overflowing the z dimension.
//! Tolerance per output element: |got - want| <= 1e-6 + 2e-5 * Σ|terms| against an f64 sum
//! (as in tests/graphs/sparse.rs).

use crate::common;
use common::{folded_gpu, gpu, Rng, FOLD_DIM};
use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
use synchgraph::graph::{spmm, spmm_transpose, Csr, HostCsr};
use synchgraph::{Gpu, Tensor};

/// Entries per row (or column) of the test matrices: above `FLAT_MAX_DEGREE`, so tiled.
const DEGREE: usize = 300;
const _: () = assert!(DEGREE > FLAT_MAX_DEGREE);

/// Dense [n, m] matrix with every entry stored (row degree m, column degree n).
fn dense_csr(gpu: &Gpu, n: usize, m: usize, rng: &mut Rng) -> Csr {
    let host = HostCsr {
        row_ptr: (0..=n as u32).map(|r| r * m as u32).collect(),
        col_idx: (0..n).flat_map(|_| 0..m as u32).collect(),
        values: rng.vec(n * m, -1.0, 1.0),
    };
    Csr::from_host(gpu, n, m, host).unwrap()
}

/// y = A x (or Aᵀ x) in f64 with Σ|terms|, A dense row-major [n, m].
fn reference(a: &[f32], n: usize, m: usize, x: &[f32], f: usize, t: bool) -> Vec<(f64, f64)> {
    let (rows, inner) = if t { (m, n) } else { (n, m) };
    let mut y = vec![(0.0, 0.0); rows * f];
    for i in 0..rows {
        for k in 0..inner {
            let v = f64::from(if t { a[k * m + i] } else { a[i * m + k] });
            for c in 0..f {
                let term = v * f64::from(x[k * f + c]);
                y[i * f + c].0 += term;
                y[i * f + c].1 += term.abs();
            }
        }
    }
    y
}

fn check(gpu: &Gpu, n: usize, m: usize, f: usize, dirs: &[bool]) {
    let mut rng = Rng(21);
    let a = dense_csr(gpu, n, m, &mut rng);
    let dense = a.host.to_dense(m);
    for &t in dirs {
        let inner = if t { n } else { m };
        let x = rng.vec(inner * f, -1.0, 1.0);
        let xt = Tensor::from_f32(gpu, &[inner, f], &x).unwrap();
        let got = if t {
            spmm_transpose(&a, &xt)
        } else {
            spmm(&a, &xt)
        }
        .unwrap()
        .to_f32()
        .unwrap();
        let want = reference(&dense, n, m, &x, f, t);
        assert_eq!(got.len(), want.len());
        for (i, (&g, &(w, mag))) in got.iter().zip(&want).enumerate() {
            let tol = 1e-6 + 2e-5 * mag;
            assert!(
                (f64::from(g) - w).abs() <= tol,
                "transpose {t}, [{i}]: got {g}, want {w} (tolerance {tol:e})"
            );
        }
    }
}

#[test]
fn more_feature_tiles_than_a_grid_dimension_fold() {
    let gpu = folded_gpu();
    // Only the tiled products: the flat ones over 300 output rows need more than 7 x 7 groups.
    let f: usize = 500;
    assert!(f.div_ceil(64) > FOLD_DIM as usize);
    // A [5, 300]: spmm tiled (5 rows x 8 tiles = 40 workgroups, a 7 x 6 grid with 2 spare).
    check(&gpu, 5, DEGREE, f, &[false]);
    // A [300, 5]: spmm_transpose tiled (5 rows of Aᵀ of 300 entries each).
    check(&gpu, DEGREE, 5, f, &[true]);
}

#[test]
fn tiled_spmm_still_matches_on_an_unfolded_grid() {
    // Feature widths of each tile size (16, 32, 64) and a partial last tile.
    for f in [3, 20, 64, 130] {
        check(&gpu(), 4, DEGREE, f, &[false, true]);
        check(&gpu(), DEGREE, 4, f, &[false, true]);
    }
}
