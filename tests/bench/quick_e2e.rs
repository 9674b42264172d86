//! The end-to-end rows: `snn_second` with its counted work and metrics, and the training-epoch
//! rows (`lgrin_epoch`, `gcn_epoch_cora`) with the products they count.

use serde_json::{json, Value};
use synchgraph::bench::BenchReport;

use crate::support::{bench, scratch};

/// The `snn_second` quick row: counted work and every end-to-end metric, per run, per second
/// and per wall second.
#[test]
fn quick_run_has_the_snn_second_row_with_complete_metrics() {
    let path = scratch("snn_second.json");
    bench(&[
        "--quick",
        "--filter",
        "snn_second",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let r = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "snn_second")
        .expect("snn_second row");
    assert_eq!(r["family"], "e2e");
    assert_eq!(r["size"], "4 clips x 128+40+40 1 s");
    assert_eq!(r["repetitions"], 3);
    let (bytes, flops) = (r["bytes"].as_u64().unwrap(), r["flops"].as_u64().unwrap());
    let fixed = 2000 * 4 * (1024 + 3200 + 1664 + 40);
    assert!(bytes > fixed, "spike traffic counted: {bytes}");
    assert!(flops > 2000 * 4 * (36 * 40 + 2 * 128), "{flops}");
    let ms = r["median_ms"].as_f64().unwrap();
    let gbs = r["gbs"].as_f64().unwrap();
    assert!((gbs - bytes as f64 / (ms * 1e6)).abs() <= 1e-9 * gbs.max(1.0));
    let fraction = r["fraction"].as_f64().unwrap();
    assert!(fraction > 0.0 && fraction <= 1.5, "fraction {fraction}");
    let m = &r["metrics"];
    let get = |k: &str| {
        m[k].as_f64()
            .unwrap_or_else(|| panic!("metric {k} missing: {m}"))
    };
    assert_eq!(get("simulated_s"), 1.0);
    assert_eq!(get("neuron_updates"), (2000 * 4 * 80) as f64);
    assert_eq!(get("input_updates"), (2000 * 4 * 128) as f64);
    let wall_s = get("wall_ms") / 1e3;
    assert!(wall_s > 0.0);
    for k in [
        "simulated_s",
        "neuron_updates",
        "input_updates",
        "synaptic_events",
        "spikes",
        "input_spikes",
    ] {
        let per_run = get(k);
        assert!(per_run > 0.0, "{k}: {per_run}");
        let per_s = get(&format!("{k}_per_s"));
        assert!(
            (per_s - per_run / (ms / 1e3)).abs() <= 1e-9 * per_s,
            "{k}_per_s"
        );
        let per_wall = get(&format!("{k}_per_wall_s"));
        assert!(
            (per_wall - per_run / wall_s).abs() <= 1e-9 * per_wall,
            "{k}_per_wall_s"
        );
    }
    // Every input spike reaches at least one excitatory neuron, so events outnumber spikes.
    assert!(get("synaptic_events") > get("input_spikes"));
    BenchReport::load(&path).unwrap();
}

#[test]
fn snn_second_counts_fan_out_spikes_and_expected_inputs() {
    use synchgraph::bench::cases_e2e::{
        fan_out, input_expectation, snn_second_config, tally, NEURONS_PER_MODALITY, WINDOW,
    };
    use synchgraph::snn::network::Weights;
    let cfg = snn_second_config();
    cfg.validate().unwrap();
    let (n_in, n_e) = (128, 40);
    let (fin, fexc, finh) = fan_out(&Weights::build(&cfg), n_in, n_e);
    // Windows: every excitatory neuron sees WINDOW.0 inputs of its own modality.
    assert_eq!(fin.iter().sum::<u32>() as usize, n_e * WINDOW.0);
    assert_eq!((fin[0], fin[25], fin[63]), (1, 13, 1));
    // Exc: its inhibitory partner and the 20 neurons of the other modality; inh: 19 others.
    assert!(fexc.iter().all(|&f| f as usize == 1 + NEURONS_PER_MODALITY));
    assert!(finh.iter().all(|&f| f as usize == NEURONS_PER_MODALITY - 1));
    // Record entries (group, neuron, step): two exc spikes of clip 0 in one step, one inh spike
    // of clip 1.
    let raw = [0, 3, 100, 0, 5, 100, 1, 40 + 7, 101];
    let t = tally(&raw, n_e, 100, 2000, 2, (&fexc, &finh)).unwrap();
    assert_eq!(t.spikes, [2, 1]);
    assert_eq!(t.active, [1, 1]);
    assert_eq!(t.events, 2 * 21 + 19);
    assert!(tally(&[2, 0, 100], n_e, 100, 2000, 2, (&fexc, &finh)).is_err());
    assert!(tally(&[0, 0, 99], n_e, 100, 2000, 2, (&fexc, &finh)).is_err());
    // One input at 100 Hz for 2000 steps of 0.5 ms: 100 expected spikes.
    let mut rates = vec![0.0f32; n_in];
    rates[0] = 100.0;
    let [spikes, active, events] = input_expectation(&rates, n_in, &fin, 2000, 0.5);
    assert!((spikes - 100.0).abs() < 1e-9 && (active - 100.0).abs() < 1e-9);
    assert!((events - 100.0 * f64::from(fin[0])).abs() < 1e-9);
}

/// The training-epoch rows: `lgrin_epoch` always, `gcn_epoch_cora` where the Cora files are
/// found (`cora_dir`), each with its counts and sane fields.
#[test]
fn quick_run_has_the_training_epoch_rows() {
    use synchgraph::bench::cases_train::cora_dir;
    let path = scratch("train.json");
    bench(&[
        "--quick",
        "--filter",
        "gcn_epoch_cora,lgrin_epoch,matmul_nn",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let rows = v["rows"].as_array().unwrap();
    let find = |n: &str| rows.iter().find(|r| r["name"] == n);
    let check = |r: &Value, bound: &str, counts: &[(&str, f64)]| {
        let name = &r["name"];
        assert_eq!(r["family"], "e2e", "{name}");
        assert_eq!(r["bound"], bound, "{name}");
        assert!(r["bytes"].as_u64().unwrap() > 0 && r["flops"].as_u64().unwrap() > 0);
        let ms = r["median_ms"].as_f64().unwrap();
        assert!(ms > 0.0 && r["min_ms"].as_f64().unwrap() <= ms, "{name}");
        let fraction = r["fraction"].as_f64().unwrap();
        assert!(
            fraction > 0.0 && fraction <= 1.5,
            "{name}: fraction {fraction}"
        );
        assert!(r["repetitions"].as_u64().unwrap() >= 3, "{name}");
        for (k, want) in counts {
            assert_eq!(r["metrics"][k].as_f64(), Some(*want), "{name}: {k}");
            let per_s = r["metrics"][format!("{k}_per_s")].as_f64().unwrap();
            assert!(
                (per_s - want / (ms / 1e3)).abs() <= 1e-9 * per_s,
                "{name}: {k}_per_s"
            );
        }
    };
    let lgrin = find("lgrin_epoch").expect("lgrin_epoch row");
    assert_eq!(lgrin["size"], "4 graphs x 90 x 136 b 2");
    check(lgrin, "compute", &[("graphs", 4.0), ("steps", 2.0)]);
    assert!(lgrin["metrics"]["graphs_per_wall_s"].as_f64().unwrap() > 0.0);
    match cora_dir() {
        Ok(_) => {
            let gcn = find("gcn_epoch_cora").expect("gcn_epoch_cora row");
            assert_eq!(gcn["size"], "2708 nodes 1433 feats h 16");
            check(gcn, "memory", &[("epochs", 1.0), ("nodes", 2708.0)]);
        }
        Err(why) => {
            eprintln!("gcn_epoch_cora not checked: {why}");
            assert!(find("gcn_epoch_cora").is_none());
        }
    }
}

#[test]
fn lgrin_epoch_counts_the_dense_products() {
    use synchgraph::bench::cases_train::{lgrin_config, lgrin_forward_flops, lgrin_step_flops};
    use synchgraph::models::lgrin::LgrinConfig;
    let c = lgrin_config(128);
    // Layer 0 (136 -> 128 and 64, MLP hidden 66 and 50), layer 1 (328 -> 128 and 64, hidden
    // 114 and 98), each with one adjacency product shared by its two branches, classifier
    // 3 x 520 -> 512 -> 8, for 128 graphs of 90 nodes.
    let (m, b) = (90u64, 128u64);
    let adj = |w: u64| 2 * m * m * b * w;
    let g = |w: u64, o: u64| {
        let k = (w + o) / 4;
        2 * m * b * w * k + 2 * m * b * k * o
    };
    let want = adj(136)
        + g(136, 128)
        + g(136, 64)
        + adj(328)
        + g(328, 128)
        + g(328, 64)
        + 2 * b * 1560 * 512
        + 2 * b * 512 * 8;
    assert_eq!(lgrin_forward_flops(&c, 128), want);
    // A training step: twice the forward for the backward, less one product for the first
    // adjacency product (its input, the normalised features, needs no gradient: dA only).
    assert_eq!(lgrin_step_flops(&c, 128), 3 * want - adj(136));
    // With A fixed, no adjacency product needs dA: layer 0's needs nothing, layer 1's dH only,
    // and layer 0's aggregation needs no gradient, so the first linear map of each of its two
    // branches (136 -> 66 and 136 -> 50) computes its weight gradient only.
    let fixed = LgrinConfig {
        learned_a: false,
        ..c.clone()
    };
    let first = |k: u64| 2 * m * b * 136 * k;
    assert_eq!(
        lgrin_step_flops(&fixed, 128),
        3 * want - 2 * adj(136) - adj(328) - first(66) - first(50)
    );
}

#[test]
fn gcn_epoch_counts_every_product_of_forward_and_backward() {
    // The two-layer GCN's products, listed one by one (X sparse n x f with nnz_x entries, Â
    // with nnz_a, hidden h, classes c). Forward: X W1, Â (X W1), H W2, Â (H W2). Backward:
    // Âᵀ G2, G W2ᵀ and Hᵀ G (dense), Âᵀ G1, Xᵀ G1 (the input needs no gradient).
    use synchgraph::bench::cases_train::{gcn_epoch_gathered_bytes, gcn_epoch_work};
    let (nnz_x, nnz_a, n, f, h, c) = (49_216, 13_264, 2708, 1433, 16, 7);
    let forward = 2 * nnz_x * h + 2 * nnz_a * h + 2 * n * h * c + 2 * nnz_a * c;
    let backward = 2 * nnz_a * c + 2 * (2 * n * h * c) + 2 * nnz_a * h + 2 * nnz_x * h;
    // (entries, output rows, rows of the gathered operand, width): each SpMM reads the sparse
    // operand's offsets, columns and values, the gathered operand once and writes its output; the
    // backward's three (the last) run as transposes and also read the permutation, 4 B an entry.
    let products = [
        (nnz_x, n, f, h), // X W1: W1 has f rows
        (nnz_a, n, n, h),
        (nnz_a, n, n, c),
        (nnz_a, n, n, c),
        (nnz_a, n, n, h),
        (nnz_x, f, n, h), // Xᵀ G1: f output rows, G1 has n rows
    ];
    let bytes: usize = products
        .iter()
        .enumerate()
        .map(|(k, &(z, rows, m, w))| {
            let permutation = if k >= 3 { 4 * z } else { 0 };
            4 * ((rows + 1) + 2 * z + z.min(m) * w + rows * w) + permutation
        })
        .sum();
    assert_eq!(
        gcn_epoch_work(nnz_x, nnz_a, (n, f), h, c),
        (bytes as u64, (forward + backward) as u64)
    );
    let gathered: usize = products.iter().map(|&(z, _, _, w)| 4 * z * w).sum();
    assert_eq!(
        gcn_epoch_gathered_bytes(nnz_x, nnz_a, h, c),
        gathered as f64
    );
}
