//! Finite-difference checks of the seeded dropout mask, SpMM and row indexing that
//! tests/autodiff/grad.rs, lgrin_ops.rs and sparse_op.rs do not make (tests/autodiff/coverage.rs
//! names them in `GRAD_COVERAGE`). Each uses `common::grad` (the tape's forward against a plain
//! Rust f64 reference, its GPU gradient of loss = Σ w ⊙ op(inputs) against central finite
//! differences of that reference, tolerances in that module's docs):
//! - `Tape::dropout` itself (the seeded mask path, not only `dropout_with_mask`), and the x
//!   gradient of an SpMM through `Tape::sparse_dropout` (the sparse values are constants);
//! - SpMM with a hub row and column, so forward and backward take the workgroup-per-row kernel;
//! - `gather_rows` on rank-1 and rank-3 inputs (the backward folds trailing dimensions) with an
//!   out-of-range index (a zero row, no gradient), `scatter_add_rows` with one (dropped).

use crate::common;

use common::grad::{check, check_mode, input};
use common::{gpu, Rng};
use synchgraph::autodiff::Tape;
use synchgraph::graph::{Csr, HostCsr};
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
