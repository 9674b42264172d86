//! The kernel-family rows: the full plan has unique rows that all do work, every family row in
//! the quick run and at full size, and the graphs and synchrony counts the graph rows use.

use serde_json::{json, Value};

use crate::support::{bench, scratch};

#[test]
fn full_plan_has_unique_rows_with_work_and_all_matmul_transposes() {
    use synchgraph::bench::{all_cases, Bound, Sizes};
    let sizes = Sizes {
        quick: false,
        elements: 128 << 20,
        copy_bytes: 1 << 30,
        matmul: &[1024, 2048, 4096],
        neurons: 16 << 20,
        stdp: 4096,
        warmup: 3,
        repetitions: 20,
        timestamps: true,
    };
    let cases = all_cases(&sizes);
    let mut keys: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.name.clone(), c.size.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), cases.len(), "duplicate rows");
    assert!(cases[0].is_ceiling && cases[0].bytes == 2 << 30);
    for c in &cases {
        assert!(c.bytes + c.flops > 0, "{} does no work", c.name);
    }
    let matmuls: Vec<_> = cases.iter().filter(|c| c.family == "matmul").collect();
    assert!(matmuls.iter().all(|c| c.bound == Bound::Compute));
    assert_eq!(
        matmuls.len(),
        11,
        "3 sizes x nn, tn, nt, and 2 gradient shapes"
    );
    assert_eq!(matmuls[8].flops, 2 * 4096u64.pow(3));
    assert_eq!(matmuls[9].size, "90x66560x90");
    assert_eq!(matmuls[9].flops, 2 * 90 * 66560 * 90);
}

/// The kernel-family rows of the spiking network, graphs and optimizer: (name, family).
const FAMILY_ROWS: [(&str, &str); 10] = [
    ("lif_step", "snn"),
    ("poisson_encode", "snn"),
    ("synapse_propagate", "snn"),
    ("stdp_dense", "snn"),
    ("synchrony_graph", "graph"),
    ("spmm_random", "graph"),
    ("spmm_backward_random", "graph"),
    ("spmm_large", "graph"),
    ("spmm_backward_large", "graph"),
    ("adam_step", "adam"),
];

#[test]
fn quick_run_has_every_kernel_family_row_with_sane_fields() {
    let path = scratch("families.json");
    bench(&[
        "--quick",
        "--filter",
        "lif_step,poisson_encode,synapse_propagate,stdp_dense,synchrony_graph,spmm_,adam_step",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > FAMILY_ROWS.len(), "copy + the family rows");
    for (name, family) in FAMILY_ROWS {
        let r = rows
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("row {name} missing"));
        assert_eq!(r["family"], family, "{name}");
        assert!(!r["size"].as_str().unwrap().is_empty(), "{name}: size");
        assert_eq!(r["bound"], "memory", "{name}");
        let bytes = r["bytes"].as_u64().unwrap();
        let flops = r["flops"].as_u64().unwrap();
        assert!(
            bytes > 0 && flops > 0,
            "{name}: bytes {bytes} flops {flops}"
        );
        let ms = r["median_ms"].as_f64().unwrap();
        assert!(
            ms > 0.0 && r["min_ms"].as_f64().unwrap() <= ms,
            "{name}: times"
        );
        // GB/s and GFLOP/s are the counted work over the median time.
        let gbs = r["gbs"].as_f64().unwrap();
        let gflops = r["gflops"].as_f64().unwrap();
        assert!(
            (gbs - bytes as f64 / (ms * 1e6)).abs() <= 1e-9 * gbs.max(1.0),
            "{name}"
        );
        assert!((gflops - flops as f64 / (ms * 1e6)).abs() <= 1e-9 * gflops.max(1.0));
        let fraction = r["fraction"].as_f64().unwrap();
        assert!(
            fraction > 0.0 && fraction <= 1.5,
            "{name}: fraction {fraction}"
        );
        assert!(r["repetitions"].as_u64().unwrap() >= 3, "{name}");
        // Rows that gather (SpMM, propagation) report the gathered volume beside their bytes.
        if name.starts_with("spmm_") || name == "synapse_propagate" {
            let gathered = r["metrics"]["gathered_bytes"].as_f64().unwrap();
            let per_s = r["metrics"]["gathered_bytes_per_s"].as_f64().unwrap();
            assert!(gathered > 0.0, "{name}: gathered_bytes");
            assert!(
                (per_s - gathered / (ms / 1e3)).abs() <= 1e-9 * per_s,
                "{name}"
            );
        }
    }
}

#[test]
fn full_plan_has_every_kernel_family_row_at_full_size() {
    use synchgraph::bench::{all_cases, Sizes};
    let sizes = Sizes {
        quick: false,
        elements: 128 << 20,
        copy_bytes: 1 << 30,
        matmul: &[1024, 2048, 4096],
        neurons: 16 << 20,
        stdp: 4096,
        warmup: 3,
        repetitions: 20,
        timestamps: true,
    };
    let cases = all_cases(&sizes);
    let find = |n: &str| cases.iter().find(|c| c.name == n).unwrap();
    for (name, family) in FAMILY_ROWS {
        assert_eq!(find(name).family, family);
    }
    let lif = find("lif_step");
    assert_eq!(lif.size, "16M neurons");
    assert_eq!((lif.bytes, lif.flops), (40 << 24, 18 << 24));
    // 16M rates and ring flags, plus one stream id per clip of 64 inputs.
    assert_eq!(
        find("poisson_encode").bytes,
        (8 << 24) + 4 * (16 << 20) / 64
    );
    assert_eq!(find("stdp_dense").size, "4096x4096");
    assert_eq!(find("spmm_random").size, "128K nodes 1152K nnz x 64");
    assert_eq!(find("spmm_large").size, "1M nodes 16M nnz x 64");
    let adam = find("adam_step");
    assert_eq!(adam.size, "128M params / 16 tensors");
    assert_eq!(adam.bytes, 28 << 27);
    let snn = find("snn_second");
    assert_eq!(
        (snn.family, snn.size.as_str()),
        ("e2e", "8K clips x 128+40+40 1 s")
    );
    assert!(snn.counted.is_some() && snn.runs == Some((2, 10)));
    // The spike-independent part: 2000 steps x 8192 clips x (8*128 + 80*40 + 8*208 + 40) bytes,
    // plus the four weight matrices read once (128 x 40 and three 40 x 40).
    assert_eq!(
        snn.bytes,
        2000 * 8192 * (1024 + 3200 + 1664 + 40) + 4 * (128 * 40 + 3 * 40 * 40)
    );
    // SpMM counts the feature matrix once; the rows gathered per entry are a separate count.
    use synchgraph::graph::spmm::{spmm_bytes, spmm_gathered_bytes};
    let (n, nnz, f) = (131_072usize, (1 << 20) + 131_072usize, 64usize);
    let spmm = find("spmm_random");
    assert_eq!(spmm.bytes, (4 * ((n + 1) + 2 * nnz + n * f + n * f)) as u64);
    assert_eq!(spmm.bytes, spmm_bytes(nnz, n, f) as u64);
    assert_eq!(
        spmm.counts,
        [("gathered_bytes", spmm_gathered_bytes(nnz, f))]
    );
    assert_eq!(spmm_gathered_bytes(nnz, f), (4 * nnz * f) as f64);
    assert_eq!(
        find("spmm_backward_random").bytes,
        spmm.bytes + 4 * nnz as u64
    );
    // Propagation reads each named weight row once (all 4096 at full size) and gathers
    // 1024 clips x 205 rows of 4096.
    use synchgraph::bench::cases_snn::synapse_rows_read;
    assert_eq!(synapse_rows_read(1024, 4096, 205, 0), 4096);
    let prop = find("synapse_propagate");
    assert_eq!(
        prop.bytes,
        4 * 4096 * 4096 + 4 * (1024 * 205 + 1024) + 32 * 1024 * 4096
    );
    assert_eq!(
        prop.counts,
        [("gathered_bytes", 4.0 * (1024 * 205 * 4096) as f64)]
    );
}

#[test]
fn synchrony_row_counts_the_edges_the_gpu_builds() {
    use synchgraph::bench::cases_graph::{
        synchrony_counts, synchrony_spikes, SYNC_DURATION_MS, SYNC_NEURONS,
    };
    use synchgraph::graph::synchrony::{build, Layer, SynchronyConfig};
    let gpu = synchgraph::Gpu::open_default().unwrap();
    let spikes = synchrony_spikes(3, 77);
    let config = SynchronyConfig::default();
    let (pairs, edges) = synchrony_counts(&spikes, config.window_ms);
    let layer = Layer {
        clips: 3,
        neurons: SYNC_NEURONS,
        audio_neurons: SYNC_NEURONS / 2,
        duration_ms: SYNC_DURATION_MS,
    };
    let g = build(&gpu, &spikes, &layer, &config).unwrap();
    assert_eq!(g.edges as u64, edges);
    assert!(
        pairs >= edges / 2,
        "every edge comes from at least one examined pair"
    );
}

#[test]
fn spmm_bench_graphs_have_the_announced_shape() {
    use synchgraph::bench::cases_graph::{random_graph, regular_graph};
    let g = random_graph(100, 700, 3);
    assert_eq!(g.row_ptr.len(), 101);
    assert_eq!(g.col_idx.len(), 800, "edges plus one self loop per node");
    for r in 0..100 {
        let row = &g.col_idx[g.row_ptr[r] as usize..g.row_ptr[r + 1] as usize];
        assert!(row.contains(&(r as u32)) && row.windows(2).all(|w| w[0] <= w[1]));
        let sum: f32 = g.values[g.row_ptr[r] as usize..g.row_ptr[r + 1] as usize]
            .iter()
            .sum();
        assert!((sum - 1.0).abs() < 1e-5);
    }
    let g = regular_graph(50, 4, 9);
    assert_eq!((g.row_ptr[50], g.col_idx.len()), (200, 200));
    assert!(g.col_idx.iter().all(|&c| c < 50));
}
