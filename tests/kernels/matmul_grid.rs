//! The folded grid of the matrix products (named in the `COVERAGE` table of
//! tests/kernels/coverage.rs): on `common::folded_gpu()` (7 workgroups per dimension), tile rows
//! and tile columns past the grid limit continue in further z layers, for every tile, transpose
//! layout and K split, against a plain Rust f64 reference on random inputs.

use crate::common;
use common::*;
use synchgraph::kernels::matmul::{gemm_split, GemmTile, KSplit};
use synchgraph::{Gpu, Tensor};

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
