//! Layout kernels against plain Rust references on random inputs.
//! Tolerance: transpose, gather, concat and slice are copies and must be bit-exact.
//! scatter_add_rows: |gpu - ref| <= 1e-6 * d + 1e-5 |ref| where d is the number of rows added
//! into an output row (fp32 sum of d terms of magnitude <= 1, reference in f64); it must also
//! equal, bit for bit, an f32 reference that adds in ascending source order (the documented
//! order), and two runs must agree bit for bit.

use crate::common;
use common::*;
use synchgraph::kernels::layout::{
    concat_cols, gather_rows, scatter_add_rows, slice_cols, transpose, ScatterPlan,
};
use synchgraph::{DType, Error, Tensor};

#[test]
fn transpose_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(41);
    for (r, c) in [
        (0, 3),
        (3, 0),
        (1, 1),
        (1, 7),
        (7, 1),
        (31, 33),
        (32, 32),
        (65, 100),
        (300, 17),
    ] {
        let x = rng.vec(r * c, -1.0, 1.0);
        let t = Tensor::from_f32(&gpu, &[r, c], &x).unwrap();
        let got = transpose(&t).unwrap();
        assert_eq!(got.shape(), &[c, r]);
        let want: Vec<f32> = (0..c * r).map(|i| x[(i % r) * c + i / r]).collect();
        assert_eq!(got.to_f32().unwrap(), want, "transpose {r}x{c}");
    }
    // u32 data moves bit for bit.
    let u: Vec<u32> = (0..6).map(|i| 0xffff_0000 + i).collect();
    let t = Tensor::from_u32(&gpu, &[2, 3], &u).unwrap();
    assert_eq!(
        transpose(&t).unwrap().to_u32().unwrap(),
        [u[0], u[3], u[1], u[4], u[2], u[5]]
    );
}

#[test]
fn gather_rows_matches_reference_and_zeroes_bad_indices() {
    let gpu = gpu();
    let mut rng = Rng(42);
    for (n, f, m) in [
        (0, 3, 4),
        (5, 3, 0),
        (1, 1, 1),
        (10, 7, 300),
        (300, 257, 40),
        (50, 0, 5),
    ] {
        let x = rng.vec(n * f, -1.0, 1.0);
        let idx: Vec<u32> = (0..m)
            .map(|i| {
                if i % 9 == 4 {
                    (n + i) as u32
                } else {
                    rng.below(n.max(1)) as u32
                }
            })
            .collect();
        let tx = Tensor::from_f32(&gpu, &[n, f], &x).unwrap();
        let ti = Tensor::from_u32(&gpu, &[m], &idx).unwrap();
        let got = gather_rows(&tx, &ti).unwrap();
        assert_eq!(got.shape(), &[m, f]);
        let want: Vec<f32> = (0..m * f)
            .map(|i| {
                let k = idx[i / f] as usize;
                if k < n {
                    x[k * f + i % f]
                } else {
                    0.0
                }
            })
            .collect();
        assert_eq!(got.to_f32().unwrap(), want, "gather n={n} f={f} m={m}");
    }
}

#[test]
fn gather_rows_over_65535_workgroups() {
    // 66,000 x 256 outputs = 66,000 workgroups of 256 threads: a 2-D grid of 33,000 x 2
    // (68 MB output). Random values and random indices, so that output rows r and r + 33,000
    // come from different source rows: a kernel that wrote row r + 33,000 from the wrong half of
    // the grid must fail.
    let gpu = gpu();
    let mut rng = Rng(46);
    let (n, f, m) = (1000, 256, 66_000);
    let x = rng.vec(n * f, -1.0, 1.0);
    let idx: Vec<u32> = (0..m).map(|_| rng.below(n) as u32).collect();
    let tx = Tensor::from_f32(&gpu, &[n, f], &x).unwrap();
    let ti = Tensor::from_u32(&gpu, &[m], &idx).unwrap();
    let got = gather_rows(&tx, &ti).unwrap().to_f32().unwrap();
    for (i, g) in got.iter().enumerate() {
        let want = x[idx[i / f] as usize * f + i % f];
        assert_eq!(*g, want, "gather at {i}");
    }
}

/// f32 reference adding in ascending source order (the documented order).
fn scatter_ref(src: &[f32], idx: &[u32], n: usize, f: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; n * f];
    for (i, &k) in idx.iter().enumerate() {
        if (k as usize) < n {
            for j in 0..f {
                out[k as usize * f + j] += src[i * f + j];
            }
        }
    }
    out
}

#[test]
fn scatter_add_rows_is_exact_in_source_order_and_deterministic() {
    let gpu = gpu();
    let mut rng = Rng(43);
    for (m, f, n) in [
        (0, 3, 4),
        (5, 3, 0),
        (1, 1, 1),
        (7, 2, 3),
        (1000, 5, 17),
        (700, 33, 400),
        (3000, 1, 2),
    ] {
        let src = rng.vec(m * f, -1.0, 1.0);
        let idx: Vec<u32> = (0..m)
            .map(|i| {
                if i % 13 == 6 {
                    (n + 2) as u32
                } else {
                    rng.below(n.max(1)) as u32
                }
            })
            .collect();
        let ts = Tensor::from_f32(&gpu, &[m, f], &src).unwrap();
        let ti = Tensor::from_u32(&gpu, &[m], &idx).unwrap();
        let got = scatter_add_rows(&ts, &ti, n).unwrap();
        assert_eq!(got.shape(), &[n, f]);
        let got = got.to_f32().unwrap();
        let what = format!("scatter m={m} f={f} n={n}");
        // f64 reference with the stated tolerance.
        let mut want = vec![0.0f64; n * f];
        let mut deg = vec![0usize; n];
        for (i, &k) in idx.iter().enumerate() {
            if (k as usize) < n {
                deg[k as usize] += 1;
                for j in 0..f {
                    want[k as usize * f + j] += f64::from(src[i * f + j]);
                }
            }
        }
        for (o, (g, w)) in got.iter().zip(&want).enumerate() {
            let tol = 1e-6 * deg[o / f.max(1)].max(1) as f64 + 1e-5 * w.abs();
            assert!((f64::from(*g) - w).abs() <= tol, "{what}[{o}]: {g} vs {w}");
        }
        assert_eq!(got, scatter_ref(&src, &idx, n, f), "{what}: source order");
        let again = scatter_add_rows(&ts, &ti, n).unwrap().to_f32().unwrap();
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            again.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{what}: determinism"
        );
    }
}

#[test]
fn scatter_plan_is_reusable_and_exposes_csr() {
    // Many destinations (n > 1024 exercises several scan steps) and repeated indices spread over
    // several fill steps.
    let gpu = gpu();
    let mut rng = Rng(45);
    let (m, n, f) = (5000, 3000, 3);
    let idx: Vec<u32> = (0..m).map(|_| rng.below(n + 10) as u32).collect();
    let ti = Tensor::from_u32(&gpu, &[m], &idx).unwrap();
    let plan = ScatterPlan::new(&ti, n).unwrap();
    assert_eq!((plan.sources(), plan.destinations()), (m, n));
    let offsets = plan.offsets().to_u32().unwrap();
    let perm = plan.perm().to_u32().unwrap();
    let mut want_off = vec![0u32];
    let mut want_perm = Vec::new();
    for r in 0..n {
        want_perm.extend((0..m as u32).filter(|&i| idx[i as usize] == r as u32));
        want_off.push(want_perm.len() as u32);
    }
    assert_eq!(offsets, want_off, "offsets");
    assert_eq!(&perm[..want_perm.len()], &want_perm[..], "perm");
    for round in 0..2 {
        let src = rng.vec(m * f, -1.0, 1.0);
        let ts = Tensor::from_f32(&gpu, &[m, f], &src).unwrap();
        let got = plan.scatter_add(&ts).unwrap().to_f32().unwrap();
        assert_eq!(got, scatter_ref(&src, &idx, n, f), "round {round}");
    }
    let wrong = Tensor::from_f32(&gpu, &[m - 1, f], &vec![0.0; (m - 1) * f]).unwrap();
    let e = plan.scatter_add(&wrong).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { op, .. } if op == "scatter_add_rows"),
        "{e}"
    );
}

/// The plan's offsets and permutation by a stable sort of (destination, source).
fn plan_ref(idx: &[u32], n: usize) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..idx.len() as u32)
        .filter(|&i| (idx[i as usize] as usize) < n)
        .collect();
    order.sort_by_key(|&i| idx[i as usize]);
    let mut offsets = vec![0u32; n + 1];
    for &i in &order {
        offsets[idx[i as usize] as usize + 1] += 1;
    }
    for r in 0..n {
        offsets[r + 1] += offsets[r];
    }
    (offsets, order)
}

#[test]
fn scatter_plan_groups_of_several_chunks() {
    // 300,000 destinations leave room for 13 groups of counters (FILL_COUNTERS / n), so the
    // 24 chunks of 6,000 sources fill as 12 groups of 2 chunks; a clustered index pattern puts
    // many sources of one destination in different chunks and groups. Exact.
    let gpu = gpu();
    let mut rng = Rng(47);
    let (m, n) = (6000usize, 300_000usize);
    assert!(
        n * 13 <= synchgraph::kernels::layout::FILL_COUNTERS
            && n * 14 > synchgraph::kernels::layout::FILL_COUNTERS
    );
    let idx: Vec<u32> = (0..m)
        .map(|i| match i % 3 {
            0 => rng.below(50) as u32,
            1 => rng.below(n + 7) as u32,
            _ => (n - 1 - rng.below(20)) as u32,
        })
        .collect();
    let ti = Tensor::from_u32(&gpu, &[m], &idx).unwrap();
    let plan = ScatterPlan::new(&ti, n).unwrap();
    let (want_off, want_perm) = plan_ref(&idx, n);
    assert_eq!(plan.offsets().to_u32().unwrap(), want_off, "offsets");
    let perm = plan.perm().to_u32().unwrap();
    assert_eq!(&perm[..want_perm.len()], &want_perm[..], "perm");
}

#[test]
fn concat_and_slice_round_trip() {
    let gpu = gpu();
    let mut rng = Rng(44);
    for rows in [0, 1, 5, 300] {
        let widths = [3, 0, 1, 130];
        let data: Vec<Vec<f32>> = widths
            .iter()
            .map(|&w| rng.vec(rows * w, -1.0, 1.0))
            .collect();
        let parts: Vec<Tensor> = widths
            .iter()
            .zip(&data)
            .map(|(&w, d)| Tensor::from_f32(&gpu, &[rows, w], d).unwrap())
            .collect();
        let refs: Vec<&Tensor> = parts.iter().collect();
        let cat = concat_cols(&refs).unwrap();
        let total: usize = widths.iter().sum();
        assert_eq!(cat.shape(), &[rows, total]);
        let mut want = Vec::new();
        for r in 0..rows {
            for (&w, d) in widths.iter().zip(&data) {
                want.extend_from_slice(&d[r * w..(r + 1) * w]);
            }
        }
        assert_eq!(cat.to_f32().unwrap(), want, "concat rows={rows}");
        let mut start = 0;
        for (&w, d) in widths.iter().zip(&data) {
            let s = slice_cols(&cat, start, start + w).unwrap();
            assert_eq!(s.shape(), &[rows, w]);
            assert_eq!(
                &s.to_f32().unwrap(),
                d,
                "slice rows={rows} {start}..{}",
                start + w
            );
            start += w;
        }
    }
}

#[test]
fn errors_name_the_op() {
    let gpu = gpu();
    let x = Tensor::from_f32(&gpu, &[2, 3], &[0.0; 6]).unwrap();
    let i = Tensor::from_u32(&gpu, &[2], &[0, 1]).unwrap();
    let bad_i = Tensor::from_u32(&gpu, &[3], &[0, 1, 2]).unwrap();
    let y = Tensor::from_f32(&gpu, &[3, 3], &[0.0; 9]).unwrap();
    let shape_errors = [
        (
            "scatter_add_rows",
            scatter_add_rows(&x, &bad_i, 4).unwrap_err(),
        ),
        ("concat_cols", concat_cols(&[&x, &y]).unwrap_err()),
        ("concat_cols", concat_cols(&[]).unwrap_err()),
        ("slice_cols", slice_cols(&x, 2, 4).unwrap_err()),
        ("transpose", transpose(&i).unwrap_err()),
    ];
    for (op, e) in shape_errors {
        assert!(
            matches!(&e, Error::Shape { op: o, .. } if o == op),
            "{op}: {e}"
        );
    }
    let dtype_errors = [
        ("gather_rows", gather_rows(&x, &x).unwrap_err()),
        ("scatter_add_rows", scatter_add_rows(&x, &x, 4).unwrap_err()),
        (
            "scatter_add_rows",
            scatter_add_rows(&i.reshape(&[2, 1]).unwrap(), &i, 4).unwrap_err(),
        ),
        (
            "concat_cols",
            concat_cols(&[&x, &Tensor::zeros(&gpu, &[2, 1], DType::U32).unwrap()]).unwrap_err(),
        ),
    ];
    for (op, e) in dtype_errors {
        assert!(
            matches!(&e, Error::DType { op: o, .. } if o == op),
            "{op}: {e}"
        );
    }
}

#[test]
fn layout_kernels_on_a_folded_grid() {
    // Tolerance: transpose, concat and slice are copies, exact. Scatter-add must equal, bit for
    // bit, the f32 sum in ascending source order (as in tests/kernels/layout.rs).
    let g = folded_gpu();
    let mut rng = Rng(105);
    // Transpose: one workgroup per 32 x 32 tile; 1 x 11 tiles fold to 6 x 2 (one spare) and
    // 10 x 1 tiles to 5 x 2.
    for (r, c) in [(29usize, 345usize), (300, 17)] {
        assert_folded(&g, r.div_ceil(32) * c.div_ceil(32), 1, 0);
        let x = rng.vec(r * c, -1.0, 1.0);
        let t = Tensor::from_f32(&g, &[r, c], &x).unwrap();
        let want: Vec<f32> = (0..c * r).map(|i| x[(i % r) * c + i / r]).collect();
        assert_eq!(
            transpose(&t).unwrap().to_f32().unwrap(),
            want,
            "transpose {r}x{c}"
        );
    }
    // copy_cols (through concat and slice): 131 rows x 20 and x 30 columns are 2,620 and 3,930
    // elements, 11 and 16 workgroups (6 x 2 and 6 x 3 grids, spare ones in both).
    let rows = 131;
    let widths = [20, 30];
    for w in widths {
        assert_folded(&g, rows * w, 256, 1);
    }
    let parts: Vec<Vec<f32>> = widths
        .iter()
        .map(|&w| rng.vec(rows * w, -1.0, 1.0))
        .collect();
    let tensors: Vec<Tensor> = widths
        .iter()
        .zip(&parts)
        .map(|(&w, d)| Tensor::from_f32(&g, &[rows, w], d).unwrap())
        .collect();
    let cat = concat_cols(&tensors.iter().collect::<Vec<_>>()).unwrap();
    let mut want = Vec::new();
    for r in 0..rows {
        for (&w, d) in widths.iter().zip(&parts) {
            want.extend_from_slice(&d[r * w..(r + 1) * w]);
        }
    }
    assert_eq!(cat.to_f32().unwrap(), want, "concat");
    assert_eq!(
        slice_cols(&cat, 20, 50).unwrap().to_f32().unwrap(),
        parts[1]
    );
    // Scatter: scatter_hist over 2,650 sources (11 workgroups), the fill in 11 workgroups (one
    // per chunk of 256 sources), scatter_sum over 350 x 9 = 3,150 outputs (13 workgroups), all
    // on a 7 x 2 grid; then scatter_group_prefix over 2,600 destinations (11 workgroups).
    for (m, n, f) in [(2650, 350, 9), (2800, 2600, 1)] {
        assert_folded(&g, m, 256, 1);
        assert_folded(&g, n * f, 256, 1);
        let idx: Vec<u32> = (0..m).map(|_| rng.below(n + 5) as u32).collect();
        let src = rng.vec(m * f, -1.0, 1.0);
        let ti = Tensor::from_u32(&g, &[m], &idx).unwrap();
        let plan = ScatterPlan::new(&ti, n).unwrap();
        let (want_off, want_perm) = plan_ref(&idx, n);
        assert_eq!(
            plan.offsets().to_u32().unwrap(),
            want_off,
            "offsets, n = {n}"
        );
        let perm = plan.perm().to_u32().unwrap();
        assert_eq!(&perm[..want_perm.len()], &want_perm[..], "perm, n = {n}");
        let ts = Tensor::from_f32(&g, &[m, f], &src).unwrap();
        let got = plan.scatter_add(&ts).unwrap().to_f32().unwrap();
        assert_eq!(got, scatter_ref(&src, &idx, n, f), "scatter_add, n = {n}");
    }
}
