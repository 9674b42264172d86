//! CSR construction, GCN normalisation, SpMM and its transpose against sparse f64 Rust
//! references. SpMM tolerance per output element: |got - want| <= 1e-6 + 2e-5 * Σ|terms|, where
//! want is the f64 sum and Σ|terms| the sum of |a_ij * x_jc| over the row's entries. f32 sums of
//! n terms in a different order err by at most about n * 6e-8 * Σ|terms| (in practice far less,
//! since each row is split over several lanes), so the bound scales with the magnitudes summed
//! and a hub node with thousands of terms of mixed sign is judged fairly.

use crate::common;

use common::{assert_close, gpu, Rng};
use synchgraph::graph::spmm::FLAT_MAX_DEGREE;
use synchgraph::graph::{batch_graphs, spmm, spmm_bytes, spmm_transpose, Csr, HostCsr};
use synchgraph::{Error, Tensor};

const ATOL: f64 = 1e-6;
const RTOL_TERMS: f64 = 2e-5;

/// Sparse f64 reference of A·X for A [n, m] given as host CSR: (values, Σ|terms|) per output.
fn sparse_mm(a: &HostCsr, n: usize, x: &[f32], f: usize) -> (Vec<f64>, Vec<f64>) {
    let mut y = vec![0.0f64; n * f];
    let mut mag = vec![0.0f64; n * f];
    for i in 0..n {
        for k in a.row_ptr[i] as usize..a.row_ptr[i + 1] as usize {
            let v = f64::from(a.values[k]);
            let c = a.col_idx[k] as usize;
            for j in 0..f {
                let t = v * f64::from(x[c * f + j]);
                y[i * f + j] += t;
                mag[i * f + j] += t.abs();
            }
        }
    }
    (y, mag)
}

/// Host CSR of Aᵀ (for the reference of the transpose product).
fn host_transpose(a: &HostCsr, n_cols: usize) -> HostCsr {
    let n_rows = a.row_ptr.len() - 1;
    let mut triples = Vec::with_capacity(a.nnz());
    for r in 0..n_rows {
        for k in a.row_ptr[r] as usize..a.row_ptr[r + 1] as usize {
            triples.push((a.col_idx[k], r as u32, a.values[k]));
        }
    }
    HostCsr::from_triples(n_cols, triples)
}

fn assert_terms_close(what: &str, got: &[f32], want: &[f64], mag: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, ((&g, &w), &m)) in got.iter().zip(want).zip(mag).enumerate() {
        let tol = ATOL + RTOL_TERMS * m;
        assert!(
            (f64::from(g) - w).abs() <= tol,
            "{what}[{i}]: got {g}, want {w} (tolerance {tol:e} from Σ|terms| = {m})"
        );
    }
}

/// Check A·X and Aᵀ·G against the sparse f64 reference.
fn check_spmm(what: &str, a: &Csr, f: usize, rng: &mut Rng) {
    let g = gpu();
    let n = a.n_rows;
    let x = rng.vec(a.n_cols * f, -1.0, 1.0);
    let xt = Tensor::from_f32(&g, &[a.n_cols, f], &x).unwrap();
    let y = spmm(a, &xt).unwrap();
    assert_eq!(y.shape(), &[n, f]);
    let (want, mag) = sparse_mm(&a.host, n, &x, f);
    assert_terms_close(
        &format!("{what} spmm f={f}"),
        &y.to_f32().unwrap(),
        &want,
        &mag,
    );
    let gr = rng.vec(n * f, -1.0, 1.0);
    let gt = Tensor::from_f32(&g, &[n, f], &gr).unwrap();
    let yt = spmm_transpose(a, &gt).unwrap();
    assert_eq!(yt.shape(), &[a.n_cols, f]);
    let at = host_transpose(&a.host, a.n_cols);
    let (want_t, mag_t) = sparse_mm(&at, a.n_cols, &gr, f);
    assert_terms_close(
        &format!("{what} spmm_t f={f}"),
        &yt.to_f32().unwrap(),
        &want_t,
        &mag_t,
    );
}

fn random_edges(rng: &mut Rng, n: usize, m: usize) -> Vec<(u32, u32)> {
    (0..m)
        .map(|_| (rng.below(n) as u32, rng.below(n) as u32))
        .collect()
}

#[test]
fn random_graphs_match_reference_for_many_feature_widths() {
    let g = gpu();
    let mut rng = Rng(1);
    // n not a multiple of any workgroup size; isolated nodes appear with few edges.
    for (n, m) in [(1, 1), (7, 3), (257, 400), (1000, 5000)] {
        let edges = random_edges(&mut rng, n, m);
        let w = rng.vec(m, 0.1, 2.0);
        let a = Csr::from_edges(&g, n, &edges, Some(&w), false, false).unwrap();
        for f in [1, 5, 16, 33, 64, 130] {
            check_spmm(&format!("n={n}"), &a, f, &mut rng);
        }
    }
}

#[test]
fn duplicates_self_loops_and_symmetry() {
    let g = gpu();
    let edges = [(0, 1), (0, 1), (1, 2), (2, 2), (3, 0)];
    let w = [1.0, 2.0, 0.5, 4.0, 1.5];
    let a = Csr::from_edges(&g, 5, &edges, Some(&w), false, false).unwrap();
    assert_eq!(a.nnz(), 4, "duplicate (0,1) merged");
    let d = a.host.to_dense(5);
    assert_eq!(d[1], 3.0, "weights of duplicates are summed");
    let u = Csr::from_edges(&g, 5, &edges, None, true, true).unwrap();
    let d = u.host.to_dense(5);
    assert_eq!(d[1], 1.0, "unweighted duplicates stay 1");
    assert_eq!(d[5], 1.0, "(1,0) mirrored");
    assert_eq!(d[3 * 5 + 3], 1.0, "self loop added");
    assert_eq!(d[2 * 5 + 2], 1.0, "existing self loop kept at 1");
    assert_eq!(d[4 * 5 + 4], 1.0, "isolated node gets a loop");
    for i in 0..5 {
        for j in 0..5 {
            assert_eq!(d[i * 5 + j], d[j * 5 + i], "symmetric at {i},{j}");
        }
    }
    let mut rng = Rng(2);
    check_spmm("dup", &u, 16, &mut rng);
}

#[test]
fn high_degree_node_and_empty_rows() {
    let g = gpu();
    let n = 6000;
    // Node 0 has 5000 neighbours; node 5 has 5000 in-edges (both directions use the
    // workgroup-per-row kernel); many rows are empty.
    let mut edges: Vec<(u32, u32)> = (1..=5000).map(|j| (0, j)).collect();
    edges.extend((10..5010).map(|j| (j, 5)));
    let mut rng = Rng(3);
    let w = rng.vec(edges.len(), -1.0, 1.0);
    let a = Csr::from_edges(&g, n, &edges, Some(&w), false, false).unwrap();
    // Every tile width of the workgroup-per-row kernel: 16 (1, 16), 32 (17, 24, 32), 64 (64,
    // 100, over two tiles).
    for f in [1, 16, 17, 24, 32, 64, 100] {
        check_spmm("hub", &a, f, &mut rng);
    }
}

#[test]
fn empty_graph_gives_zeros() {
    let g = gpu();
    let a = Csr::from_edges(&g, 10, &[], None, false, false).unwrap();
    assert_eq!(a.nnz(), 0);
    let x = Tensor::from_f32(&g, &[10, 3], &[1.0; 30]).unwrap();
    assert_eq!(spmm(&a, &x).unwrap().to_f32().unwrap(), vec![0.0; 30]);
    assert_eq!(
        spmm_transpose(&a, &x).unwrap().to_f32().unwrap(),
        vec![0.0; 30]
    );
    let z = Csr::from_edges(&g, 0, &[], None, true, true).unwrap();
    let x0 = Tensor::from_f32(&g, &[0, 4], &[]).unwrap();
    assert_eq!(spmm(&z, &x0).unwrap().shape(), &[0, 4]);
}

#[test]
fn more_than_65535_row_workgroups() {
    let g = gpu();
    let n = 70_000;
    let mut edges: Vec<(u32, u32)> = (0..n as u32).map(|i| (i, (i * 7 + 3) % n as u32)).collect();
    let a = Csr::from_edges(&g, n, &edges, None, true, false).unwrap();
    assert!(a.max_row_degree <= FLAT_MAX_DEGREE);
    let mut rng = Rng(4);
    // Thread-per-output kernel: 70,000 x 64 outputs / 64 per workgroup = 70,000 workgroups.
    check_spmm("70k flat", &a, 64, &mut rng);
    // A hub row selects the workgroup-per-row kernel: 70,000 row workgroups.
    edges.extend((1..=FLAT_MAX_DEGREE as u32 + 10).map(|j| (0, j * 13)));
    let hub = Csr::from_edges(&g, n, &edges, None, true, false).unwrap();
    assert!(hub.max_row_degree > FLAT_MAX_DEGREE);
    check_spmm("70k hub", &hub, 2, &mut rng);
}

#[test]
fn gcn_normalisation_matches_reference() {
    let g = gpu();
    let mut rng = Rng(5);
    let n = 300;
    let edges = random_edges(&mut rng, n, 900);
    let a = Csr::from_edges(&g, n, &edges, None, false, true).unwrap();
    let norm = a.gcn_normalized().unwrap();
    let mut d = a.host.to_dense(n);
    for i in 0..n {
        d[i * n + i] += 1.0;
    }
    let deg: Vec<f32> = (0..n).map(|i| d[i * n..(i + 1) * n].iter().sum()).collect();
    let want: Vec<f32> = (0..n * n)
        .map(|k| d[k] / (deg[k / n].sqrt() * deg[k % n].sqrt()))
        .collect();
    let got_dense = norm.host.to_dense(n);
    assert_close("gcn host", &got_dense, &want, 1e-6, 1e-5);
    let gpu_vals = norm.values.to_f32().unwrap();
    assert_eq!(gpu_vals, norm.host.values);
    check_spmm("gcn", &norm, 32, &mut rng);
}

#[test]
fn rectangular_and_batched() {
    let g = gpu();
    let e1: Vec<(u32, u32)> = vec![(0, 1), (1, 2)];
    let e2: Vec<(u32, u32)> = vec![];
    let e3: Vec<(u32, u32)> = vec![(0, 3), (3, 1)];
    let b = batch_graphs(&g, &[(3, &e1), (2, &e2), (4, &e3)], true, true).unwrap();
    assert_eq!(b.offsets_host, vec![0, 3, 5, 9]);
    assert_eq!(b.offsets.to_u32().unwrap(), vec![0, 3, 5, 9]);
    assert_eq!(b.num_graphs(), 3);
    let d = b.csr.host.to_dense(9);
    assert_eq!(d[5 * 9 + 8], 1.0, "graph 3 edge (0,3) shifted to (5,8)");
    assert_eq!(d[8 * 9 + 5], 1.0, "and mirrored");
    assert_eq!(d[2 * 9 + 5], 0.0, "no edges across graphs");
    let mut rng = Rng(6);
    check_spmm("batch", &b.csr, 8, &mut rng);
    let bad = batch_graphs(&g, &[(2, &e1)], false, false).unwrap_err();
    assert!(bad.to_string().contains("graph 0"), "{bad}");
    // Node ids past the u32 range are refused before any edge is shifted (the shift of the
    // second graph's edge would overflow).
    let far: Vec<(u32, u32)> = vec![(1_500_000_000, 0)];
    let e0: Vec<(u32, u32)> = vec![];
    let bad = batch_graphs(
        &g,
        &[(3_000_000_000, &e0), (2_000_000_000, &far)],
        false,
        false,
    )
    .unwrap_err();
    assert!(bad.to_string().contains("exceed the u32 range"), "{bad}");
}

#[test]
fn edge_to_missing_node_is_an_error() {
    let g = gpu();
    let err = Csr::from_edges(&g, 3, &[(0, 1), (2, 3)], None, false, false).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(err.to_string().contains("edge 1 (2 -> 3)"), "{err}");
    let a = Csr::from_edges(&g, 3, &[(0, 1)], None, false, false).unwrap();
    let x = Tensor::from_f32(&g, &[4, 2], &[0.0; 8]).unwrap();
    assert!(matches!(spmm(&a, &x), Err(Error::Shape { .. })));
    assert!(spmm_bytes(10, 5, 4) > 0.0);
}

#[test]
fn gcn_normalisation_of_a_larger_graph_matches_an_f64_reference() {
    // 2,100 rows and about 5,000 entries of A + I. Each value of D^-1/2 (A + I) D^-1/2 (computed
    // on the host in f32 and uploaded) against an f64 reference from the host CSR of A, to
    // 1e-6 + 1e-5 |ref| (an f32 degree sum of a few positive terms, a square root and two
    // products).
    let g = gpu();
    let mut rng = Rng(7);
    let n = 2100;
    let edges = random_edges(&mut rng, n, 1500);
    let w = rng.vec(edges.len(), 0.1, 2.0);
    let a = Csr::from_edges(&g, n, &edges, Some(&w), false, true).unwrap();
    let norm = a.gcn_normalized().unwrap();
    let at = |r: usize, c: u32| -> f64 {
        let (s, e) = (a.host.row_ptr[r] as usize, a.host.row_ptr[r + 1] as usize);
        match a.host.col_idx[s..e].binary_search(&c) {
            Ok(k) => f64::from(a.host.values[s + k]),
            Err(_) => 0.0,
        }
    };
    let deg: Vec<f64> = (0..n)
        .map(|r| {
            let (s, e) = (a.host.row_ptr[r] as usize, a.host.row_ptr[r + 1] as usize);
            a.host.values[s..e]
                .iter()
                .map(|&v| f64::from(v))
                .sum::<f64>()
                + 1.0
        })
        .collect();
    let got = norm.values.to_f32().unwrap();
    let mut want = Vec::with_capacity(got.len());
    for r in 0..n {
        for k in norm.host.row_ptr[r] as usize..norm.host.row_ptr[r + 1] as usize {
            let c = norm.host.col_idx[k];
            let v = at(r, c) + if c as usize == r { 1.0 } else { 0.0 };
            want.push((v / (deg[r].sqrt() * deg[c as usize].sqrt())) as f32);
        }
    }
    assert_close("gcn values", &got, &want, 1e-6, 1e-5);
}
