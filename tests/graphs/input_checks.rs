//! Inputs the graph module must refuse with a typed error (or, for the low-level host helpers,
//! with the panic their docs promise), plus regressions for cases found correct: SpMM and its
//! transpose on rectangular matrices with unsorted, repeated columns and hub rows / columns on
//! both kernels (also on a folded grid), and block-diagonal batches of 0- and 1-node graphs.

use crate::common;

use std::sync::Arc;

use common::{folded_gpu, gpu, Rng};
use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
use synchgraph::graph::{batch_graphs, spmm, spmm_transpose, Csr, HostCsr};
use synchgraph::{Error, Gpu, Tensor};

/// A second device, distinct from [`common::gpu`].
fn other_gpu() -> Gpu {
    Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

fn another_gpu_error<T: std::fmt::Debug>(r: synchgraph::Result<T>, what: &str) {
    match r {
        Err(e @ Error::InvalidInput(_)) => {
            assert!(e.to_string().contains("another GPU"), "{what}: {e}");
        }
        other => panic!("{what}: expected an InvalidInput naming another GPU, got {other:?}"),
    }
}

#[test]
fn batch_whose_node_count_overflows_is_an_error() {
    let g = gpu();
    let none: Vec<(u32, u32)> = vec![];
    let e = batch_graphs(&g, &[(1, &none), (usize::MAX, &none)], false, false).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(e.to_string().contains("exceed the u32 range"), "{e}");
}

#[test]
fn batches_of_zero_and_one_node_graphs() {
    let g = gpu();
    let none: Vec<(u32, u32)> = vec![];
    let looped: Vec<(u32, u32)> = vec![(0, 0)];
    let pair: Vec<(u32, u32)> = vec![(1, 0)];
    let graphs: [(usize, &[(u32, u32)]); 5] =
        [(1, &none), (0, &none), (1, &looped), (2, &pair), (0, &none)];
    let b = batch_graphs(&g, &graphs, true, true).unwrap();
    assert_eq!(b.offsets_host, vec![0, 1, 1, 2, 4, 4]);
    assert_eq!(b.offsets.to_u32().unwrap(), b.offsets_host);
    assert_eq!((b.num_graphs(), b.num_nodes()), (5, 4));
    #[rustfmt::skip]
    let want = vec![
        1.0, 0.0, 0.0, 0.0,
        0.0, 1.0, 0.0, 0.0,
        0.0, 0.0, 1.0, 1.0,
        0.0, 0.0, 1.0, 1.0,
    ];
    assert_eq!(b.csr.host.to_dense(4), want);
    let one = batch_graphs(&g, &[(1, &looped)], false, false).unwrap();
    assert_eq!(one.csr.host.to_dense(1), vec![1.0]);
    let x = Tensor::from_f32(&g, &[1, 3], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!(
        spmm(&one.csr, &x).unwrap().to_f32().unwrap(),
        [1.0, 2.0, 3.0]
    );
}

#[test]
fn with_values_from_another_gpu_is_an_error() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2), (2, 0)], None, false, false).unwrap();
    let v = Tensor::from_f32(&other_gpu(), &[3], &[2.0, 3.0, 4.0]).unwrap();
    another_gpu_error(a.with_values(v), "with_values");
}

#[test]
fn with_values_of_another_shape_than_nnz_is_an_error() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2), (2, 0)], None, false, false).unwrap();
    let v = Tensor::from_f32(&g, &[1, 3], &[2.0, 3.0, 4.0]).unwrap();
    let e = a.with_values(v).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    assert!(e.to_string().contains("[1, 3]"), "{e}");
}

#[test]
fn spmm_of_an_operand_on_another_gpu_is_an_error() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2), (2, 0)], None, false, false).unwrap();
    let x = Tensor::from_f32(&other_gpu(), &[3, 1], &[1.0, 10.0, 100.0]).unwrap();
    another_gpu_error(spmm(&a, &x), "spmm");
    another_gpu_error(spmm_transpose(&a, &x), "spmm_transpose");
}

#[test]
fn gcn_normalized_of_an_edited_inconsistent_matrix_is_an_error() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2), (2, 0)], None, false, false).unwrap();
    // The fields are public: a host copy whose offsets run past its entries.
    let mut b = a.clone();
    b.host = Arc::new(HostCsr {
        row_ptr: vec![0, 1, 2, 5],
        col_idx: vec![1, 2, 0],
        values: vec![1.0; 3],
    });
    let e = b.gcn_normalized().unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(e.to_string().contains("inconsistent CSR"), "{e}");
    // A size that no longer matches the host copy's offsets.
    let mut c = a.clone();
    (c.n_rows, c.n_cols) = (5, 5);
    let e = c.gcn_normalized().unwrap_err();
    assert!(e.to_string().contains("inconsistent CSR"), "{e}");
    // A column outside the square.
    let mut d = a.clone();
    d.host = Arc::new(HostCsr {
        row_ptr: vec![0, 1, 2, 3],
        col_idx: vec![1, 7, 0],
        values: vec![1.0; 3],
    });
    let e = d.gcn_normalized().unwrap_err();
    assert!(e.to_string().contains("column 7"), "{e}");
    // The unedited matrix still normalises.
    assert_eq!(a.gcn_normalized().unwrap().nnz(), 6);
}

#[test]
#[should_panic(expected = "row offsets")]
fn row_indices_panics_on_offsets_past_the_entries() {
    let h = HostCsr {
        row_ptr: vec![0, 1, 5],
        col_idx: vec![0, 1],
        values: vec![1.0, 1.0],
    };
    let _ = h.row_indices();
}

#[test]
#[should_panic(expected = "row offsets")]
fn row_indices_panics_on_decreasing_offsets() {
    let h = HostCsr {
        row_ptr: vec![0, 2, 1, 2],
        col_idx: vec![0, 1],
        values: vec![1.0, 1.0],
    };
    let _ = h.row_indices();
}

/// f64 reference of A·X (or Aᵀ·X) from a dense copy: (value, Σ|terms|) per output.
fn reference(d: &[f32], n: usize, m: usize, x: &[f32], f: usize, t: bool) -> Vec<(f64, f64)> {
    let (rows, inner) = if t { (m, n) } else { (n, m) };
    let mut out = vec![(0.0, 0.0); rows * f];
    for i in 0..rows {
        for j in 0..inner {
            let a = f64::from(if t { d[j * m + i] } else { d[i * m + j] });
            for c in 0..f {
                let v = a * f64::from(x[j * f + c]);
                out[i * f + c].0 += v;
                out[i * f + c].1 += v.abs();
            }
        }
    }
    out
}

/// Rows of random entries with unsorted, possibly repeated columns; optionally a hub row and a
/// hub column of more than [`FLAT_MAX_DEGREE`] entries.
fn random_host(rng: &mut Rng, n: usize, m: usize, hub_row: bool, hub_col: bool) -> HostCsr {
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n];
    for _ in 0..2 * n {
        rows[rng.below(n)].push(rng.below(m) as u32);
    }
    if hub_row {
        rows[n - 1].extend((0..FLAT_MAX_DEGREE + 9).map(|_| rng.below(m) as u32));
    }
    if hub_col {
        for i in 0..FLAT_MAX_DEGREE + 9 {
            rows[i % n].push(0);
        }
    }
    let col_idx: Vec<u32> = rows.iter().flatten().copied().collect();
    let mut row_ptr = vec![0u32];
    for r in &rows {
        row_ptr.push(row_ptr[row_ptr.len() - 1] + r.len() as u32);
    }
    HostCsr {
        row_ptr,
        values: rng.vec(col_idx.len(), -1.0, 1.0),
        col_idx,
    }
}

/// Tolerance per output: 1e-6 + 2e-5 Σ|terms| (f32 sums in another order than the f64 one).
fn check_rectangular(g: &Gpu, sizes: &[(usize, usize)], widths: &[usize]) {
    let mut rng = Rng(41);
    for &(n, m) in sizes {
        for (hub_row, hub_col) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Csr::from_host(g, n, m, random_host(&mut rng, n, m, hub_row, hub_col)).unwrap();
            // A hub takes the workgroup-per-row kernel (with one row or column, both do).
            assert!(!hub_row || a.max_row_degree > FLAT_MAX_DEGREE);
            assert!(!hub_col || a.max_col_degree > FLAT_MAX_DEGREE);
            let d = a.host.to_dense(m);
            for &f in widths {
                for t in [false, true] {
                    let inner = if t { n } else { m };
                    let x = rng.vec(inner * f, -1.0, 1.0);
                    let xt = Tensor::from_f32(g, &[inner, f], &x).unwrap();
                    let y = if t {
                        spmm_transpose(&a, &xt)
                    } else {
                        spmm(&a, &xt)
                    };
                    let y = y.unwrap().to_f32().unwrap();
                    let want = reference(&d, n, m, &x, f, t);
                    assert_eq!(y.len(), want.len());
                    for (i, (&got, &(w, mag))) in y.iter().zip(&want).enumerate() {
                        assert!(
                            (f64::from(got) - w).abs() <= 1e-6 + 2e-5 * mag,
                            "{n}x{m} hubs {hub_row}/{hub_col} transposed {t} f={f} [{i}]: \
                             got {got}, want {w}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn rectangular_spmm_with_unsorted_columns_and_hubs_matches_a_reference() {
    check_rectangular(
        &gpu(),
        &[(5, 400), (400, 5), (1, 300), (300, 1)],
        &[1, 17, 33, 65],
    );
}

#[test]
fn rectangular_spmm_with_hubs_matches_a_reference_on_a_folded_grid() {
    check_rectangular(&folded_gpu(), &[(5, 40), (12, 1), (1, 40)], &[1, 15, 33]);
}
