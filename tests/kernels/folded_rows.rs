//! The over-65,535-workgroup tests of five entry points whose other large tests run on the
//! device's own grid limit without checking that the grid folded (`reduce::reduce_rows`,
//! `softmax::softmax_rows`, `layout::gather_rows`, `sparse::spmm_flat` and the tiled
//! `sparse::spmm` for many rows; tests/kernels/coverage.rs names these in its table). On a device
//! whose limit exceeded their sizes, those would pass without the folded path. Here each runs on
//! `common::folded_gpu()` (7 workgroups per dimension) with `assert_folded` proving the fold and
//! spare workgroups, at sizes that are not multiples of the workgroup size, against plain Rust
//! references on random inputs. Tolerances are stated at each check.

use crate::common;
use common::*;
use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
use synchgraph::graph::{spmm, spmm_transpose, Csr, HostCsr};
use synchgraph::kernels::layout::gather_rows;
use synchgraph::kernels::reduce::{reduce_rows, ReduceOp, ROW_CHUNK, SMALL_COLS};
use synchgraph::kernels::softmax::softmax_rows;
use synchgraph::Tensor;

#[test]
fn reduce_rows_workgroup_per_row_on_a_folded_grid() {
    // One workgroup per (row, chunk of ROW_CHUNK columns): 13 rows x 40 columns are 13
    // workgroups (7 x 2, one spare); 8 rows x 5,000 columns are 8 x 2 chunks = 16 workgroups
    // (6 x 3, two spare), then a second pass over the 2 partial sums of each row.
    // Tolerance: sum and mean 1e-6 n + 1e-5 |ref| for n terms in [-1, 1) (fp32 tree sums
    // against an f64 reference, as tests/kernels/reduce.rs); max exact.
    let g = folded_gpu();
    let mut rng = Rng(501);
    for (rows, cols) in [(13usize, 40usize), (8, 5000)] {
        assert!(cols > SMALL_COLS);
        assert_folded(&g, rows * cols.div_ceil(ROW_CHUNK), 1, 1);
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let t = Tensor::from_f32(&g, &[rows, cols], &x).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max] {
            let got = reduce_rows(&t, op).unwrap().to_f32().unwrap();
            let want: Vec<f32> = x
                .chunks(cols)
                .map(|row| match op {
                    ReduceOp::Max => row.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                    ReduceOp::Sum => row.iter().map(|&v| f64::from(v)).sum::<f64>() as f32,
                    ReduceOp::Mean => {
                        (row.iter().map(|&v| f64::from(v)).sum::<f64>() / cols as f64) as f32
                    }
                })
                .collect();
            let what = format!("reduce_rows {op:?} {rows}x{cols}");
            if op == ReduceOp::Max {
                assert_eq!(got, want, "{what}");
            } else {
                assert_close(&what, &got, &want, 1e-6 * cols as f32, 1e-5);
            }
        }
    }
}

#[test]
fn softmax_rows_workgroup_per_row_on_a_folded_grid() {
    // 45 rows of 33 columns (> SMALL_COLS: one workgroup per row): a 7 x 7 grid, four spare.
    // Tolerance as tests/kernels/softmax.rs: 1e-6 + 1e-4 |ref| (one exp, an fp32 sum of 33 terms and a
    // division against an f64 reference).
    let g = folded_gpu();
    let (rows, cols) = (45usize, 33usize);
    assert!(cols > SMALL_COLS);
    assert_folded(&g, rows, 1, 4);
    let mut rng = Rng(502);
    let x = rng.vec(rows * cols, -8.0, 8.0);
    let got = softmax_rows(&Tensor::from_f32(&g, &[rows, cols], &x).unwrap())
        .unwrap()
        .to_f32()
        .unwrap();
    let mut want = Vec::with_capacity(x.len());
    for row in x.chunks(cols) {
        let m = row
            .iter()
            .fold(f64::NEG_INFINITY, |a, &v| a.max(f64::from(v)));
        let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
        want.extend(row.iter().map(|&v| ((f64::from(v) - m).exp() / s) as f32));
    }
    assert_close("softmax_rows 45x33", &got, &want, 1e-6, 1e-4);
}

#[test]
fn gather_rows_on_a_folded_grid() {
    // 300 gathered rows of 9 values = 2,700 outputs, 11 workgroups of 256 (6 x 2, one spare);
    // every 13th index is past the 120 source rows and gives a zero row. A copy: exact.
    let g = folded_gpu();
    let (n, f, m) = (120usize, 9usize, 300usize);
    assert_folded(&g, m * f, 256, 1);
    let mut rng = Rng(503);
    let x = rng.vec(n * f, -1.0, 1.0);
    let idx: Vec<u32> = (0..m)
        .map(|i| {
            if i % 13 == 4 {
                (n + i) as u32
            } else {
                rng.below(n) as u32
            }
        })
        .collect();
    let got = gather_rows(
        &Tensor::from_f32(&g, &[n, f], &x).unwrap(),
        &Tensor::from_u32(&g, &[m], &idx).unwrap(),
    )
    .unwrap()
    .to_f32()
    .unwrap();
    let want: Vec<f32> = idx
        .iter()
        .flat_map(|&i| {
            let i = i as usize;
            if i < n {
                x[i * f..(i + 1) * f].to_vec()
            } else {
                vec![0.0; f]
            }
        })
        .collect();
    assert_eq!(got, want, "gather_rows");
}

/// y = A x (or Aᵀ x) in f64 from the host CSR, with Σ|terms| per output.
fn sparse_ref(a: &HostCsr, n: usize, m: usize, x: &[f32], f: usize, t: bool) -> Vec<(f64, f64)> {
    let rows = if t { m } else { n };
    let mut y = vec![(0.0, 0.0); rows * f];
    for r in 0..n {
        for k in a.row_ptr[r] as usize..a.row_ptr[r + 1] as usize {
            let c = a.col_idx[k] as usize;
            let (out, inp) = if t { (c, r) } else { (r, c) };
            for j in 0..f {
                let term = f64::from(a.values[k]) * f64::from(x[inp * f + j]);
                y[out * f + j].0 += term;
                y[out * f + j].1 += term.abs();
            }
        }
    }
    y
}

/// spmm (`false` in `dirs`) and spmm_transpose (`true`) of `a` on `g` against [`sparse_ref`]:
/// |got - want| <= 1e-6 + 2e-5 Σ|terms| per output (fp32 sums in row order against f64, as
/// tests/graphs/sparse.rs).
fn check(g: &synchgraph::Gpu, a: &Csr, f: usize, dirs: &[bool], rng: &mut Rng, what: &str) {
    let (n, m) = (a.n_rows, a.n_cols);
    for &t in dirs {
        let inner = if t { n } else { m };
        let x = rng.vec(inner * f, -1.0, 1.0);
        let xt = Tensor::from_f32(g, &[inner, f], &x).unwrap();
        let got = if t {
            spmm_transpose(a, &xt)
        } else {
            spmm(a, &xt)
        }
        .unwrap()
        .to_f32()
        .unwrap();
        let want = sparse_ref(&a.host, n, m, &x, f, t);
        assert_eq!(got.len(), want.len(), "{what} transpose {t}");
        for (i, (&v, &(w, mag))) in got.iter().zip(&want).enumerate() {
            let tol = 1e-6 + 2e-5 * mag;
            assert!(
                (f64::from(v) - w).abs() <= tol,
                "{what} transpose {t} [{i}]: got {v}, want {w} (tolerance {tol:e})"
            );
        }
    }
}

#[test]
fn spmm_flat_both_directions_on_a_folded_grid() {
    // A [70, 60] with about 6 entries per row, two empty rows (and so some empty columns):
    // the thread-per-output kernel, 64 outputs per workgroup. A x: 70 x 9 = 630 outputs, 10
    // workgroups (5 x 2); Aᵀ x (values through the transpose's permutation): 60 x 9 = 540, 9
    // workgroups (5 x 2, one spare).
    let g = folded_gpu();
    let (n, m, f) = (70usize, 60usize, 9usize);
    assert_folded(&g, n * f, 64, 0);
    assert_folded(&g, m * f, 64, 1);
    let mut rng = Rng(504);
    let triples: Vec<(u32, u32, f32)> = (0..420)
        .map(|_| {
            let r = match rng.below(n) {
                5 | 17 => 0,
                r => r,
            };
            (r as u32, rng.below(m) as u32, rng.uniform(-1.0, 1.0))
        })
        .collect();
    let a = Csr::from_host(&g, n, m, HostCsr::from_triples(n, triples)).unwrap();
    assert!(a.max_row_degree <= FLAT_MAX_DEGREE && a.max_col_degree <= FLAT_MAX_DEGREE);
    check(&g, &a, f, &[false, true], &mut rng, "flat");
}

#[test]
fn tiled_spmm_of_many_rows_on_a_folded_grid() {
    // The workgroup-per-(row, feature tile) kernel folded by its rows rather than by feature
    // tiles; f = 20 is one tile of 32. A [40, 300] with row 0 full (300 entries, above
    // FLAT_MAX_DEGREE) and a few entries in every other row: A x is 40 row workgroups (7 x 6,
    // two spare). B [300, 40] with column 0 full: Bᵀ x (values read through the transpose's
    // permutation) is 40 row workgroups too. (The other directions run the flat kernel over
    // more workgroups than the folded device's 49.)
    let g = folded_gpu();
    let mut rng = Rng(505);
    let f = 20usize;
    let (rows, wide) = (40usize, 300usize);
    assert_folded(&g, rows, 1, 2);
    let mut triples: Vec<(u32, u32, f32)> = (0..wide as u32)
        .map(|c| (0, c, rng.uniform(-1.0, 1.0)))
        .collect();
    for r in 1..rows as u32 {
        for _ in 0..4 {
            triples.push((r, rng.below(wide) as u32, rng.uniform(-1.0, 1.0)));
        }
    }
    let a = Csr::from_host(&g, rows, wide, HostCsr::from_triples(rows, triples)).unwrap();
    assert!(a.max_row_degree > FLAT_MAX_DEGREE);
    check(&g, &a, f, &[false], &mut rng, "tiled A x");
    let mut triples: Vec<(u32, u32, f32)> = (0..wide as u32)
        .map(|r| (r, 0, rng.uniform(-1.0, 1.0)))
        .collect();
    for _ in 0..500 {
        triples.push((
            rng.below(wide) as u32,
            rng.below(rows) as u32,
            rng.uniform(-1.0, 1.0),
        ));
    }
    let b = Csr::from_host(&g, wide, rows, HostCsr::from_triples(wide, triples)).unwrap();
    assert!(b.max_col_degree > FLAT_MAX_DEGREE);
    check(&g, &b, f, &[true], &mut rng, "tiled Bᵀ x");
}
