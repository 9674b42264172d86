//! Sizes, counts and seeds at the edge of their types: a node count, class label or node-label
//! vocabulary too large to hold is refused with a message naming the flag or file, seeds near
//! `u64::MAX` train as any other, and products of counts never overflow. Every refusal is a
//! non-zero exit (1 or 2) with no panic or abort.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cli::{
    fails_with, lgrin_args, matrix, npy_dataset, run_for, s, scratch, succeeds, synchgraph, write,
};
use common::fixtures::{
    planetoid_files, tu_pairs as tu, PLANETOID_EDGES, PLANETOID_NODES, PLANETOID_SPLIT,
};
use synchgraph::data::emotion::load_clips;
use synchgraph::features::frames::group_frames;
use synchgraph::models::lgrin::LgrinConfig;
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// `u64::MAX` (and `usize::MAX` on 64-bit hosts) as a flag value.
const MAX: &str = "18446744073709551615";

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    scratch("limits", name)
}

fn run(args: &[&str]) -> Output {
    run_for(args, &[], 120)
}

/// The Planetoid text files of a six-node graph whose node 1 has label `label`.
fn planetoid(dir: &Path, label: &str) {
    let nodes = PLANETOID_NODES.replacen("1 1 1 2", &format!("1 {label} 1 2"), 1);
    planetoid_files(dir, &nodes, PLANETOID_EDGES, PLANETOID_SPLIT);
}

// ---------------------------------------------------------------- node counts

#[test]
fn nodes_flag_beyond_the_limit_is_refused_not_an_abort() {
    let d = tmp("nodes-flag");
    let data = d.join("data");
    npy_dataset(&data, 2, 8);
    for nodes in [MAX, "2000000000", "10001"] {
        let o = d.join("f");
        let out = run(&[
            "features",
            "--data",
            s(&data),
            "--out",
            s(&o),
            "--nodes",
            nodes,
        ]);
        fails_with(
            &out,
            &[
                &format!("--nodes {nodes} is over the limit of 10000"),
                "nodes per clip",
            ],
        );
        let o = d.join("l");
        let out = run(&lgrin_args(
            s(&data),
            s(&o),
            &["--folds", "2", "--epochs", "1", "--nodes", nodes],
        ));
        fails_with(&out, &[&format!("--nodes {nodes} is over the limit")]);
        assert!(!o.exists(), "--nodes {nodes}: the output folder was made");
    }
    // The limit itself is fine: short clips are padded cyclically.
    let out = run(&[
        "features",
        "--data",
        s(&data),
        "--out",
        s(&d.join("ok")),
        "--nodes",
        "10000",
    ]);
    succeeds(&out, "--nodes 10000");
}

#[test]
fn export_with_an_unusable_node_count_names_its_index() {
    let d = tmp("export-nodes");
    let data = d.join("data");
    npy_dataset(&data, 2, 8);
    let export = d.join("export");
    let out = run(&[
        "features",
        "--data",
        s(&data),
        "--out",
        s(&export),
        "--nodes",
        "4",
    ]);
    succeeds(&out, "the export");
    let index = export.join("features.json");
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&index).unwrap()).unwrap();
    assert_eq!(original["settings"]["nodes"], 4);
    // 1 is refused as `--nodes 1` is; the others are more nodes than a clip may have.
    for nodes in ["1", "10001", "2000000000", MAX] {
        let mut meta = original.clone();
        meta["settings"]["nodes"] = nodes.parse::<u64>().unwrap().into();
        std::fs::write(&index, meta.to_string()).unwrap();
        let needles = [
            "features.json",
            &format!("'settings.nodes' is {nodes}, not a node count from 2 to 10000"),
        ];
        let o = d.join("again");
        let out = run(&["features", "--data", s(&export), "--out", s(&o)]);
        fails_with(&out, &needles);
        // Training on the export without --nodes takes the export's count.
        let o = d.join("model");
        let out = run(&[
            "train",
            "lgrin",
            "--data",
            s(&export),
            "--batch",
            "2",
            "--iters-per-epoch",
            "1",
            "--folds",
            "2",
            "--epochs",
            "1",
            "--out",
            s(&o),
        ]);
        fails_with(&out, &needles);
        assert!(!o.join("metrics.json").exists());
    }
}

#[test]
fn group_frames_refuses_a_node_count_it_cannot_hold() {
    let m = matrix(5, 64, 1);
    for nodes in [usize::MAX, usize::MAX / 64 + 1, 2_000_000_000, 10_001] {
        let e = group_frames(&m, nodes).expect_err(&format!("{nodes} nodes"));
        assert!(e.to_string().contains("nodes"), "{e}");
    }
    let g = group_frames(&m, 10_000).unwrap();
    assert_eq!((g.rows, g.cols), (10_000, 64));
    assert_eq!(g.row(9_999), m.row(9_999 % 5));
}

#[test]
fn lgrin_config_refuses_nodes_and_step_counts_it_cannot_hold() {
    let mut c = LgrinConfig::reference(4, 2);
    c.nodes = 10_001;
    let e = c.validate().unwrap_err().to_string();
    assert!(e.contains("nodes must be at most 10000"), "{e}");
    c.nodes = 10_000;
    c.validate().unwrap();
    c.iters_per_epoch = usize::MAX;
    c.epochs = 2;
    let e = c.validate().unwrap_err().to_string();
    assert!(e.contains("iters_per_epoch x epochs"), "{e}");
    assert!(e.contains("overflows"), "{e}");
    c.epochs = 1;
    c.validate().unwrap();
}

#[test]
fn lgrin_config_refuses_a_bad_decay_factor_or_weight_decay() {
    // A negative StepLR factor would train uphill after the first decay; a NaN weight decay
    // would turn every weight into NaN.
    for gamma in [0.0, -0.5, f32::NAN, f32::INFINITY] {
        let mut c = LgrinConfig::reference(4, 2);
        c.lr_gamma = gamma;
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("lr_gamma must be a positive finite"),
            "{gamma}: {e}"
        );
    }
    for wd in [-1e-4, f32::NAN, f32::INFINITY] {
        let mut c = LgrinConfig::reference(4, 2);
        c.weight_decay = wd;
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("weight_decay must be a finite number >= 0"),
            "{wd}: {e}"
        );
    }
    let mut c = LgrinConfig::reference(4, 2);
    c.lr_gamma = 1.0;
    c.weight_decay = 5e-4;
    c.validate().unwrap();
}

#[test]
fn lgrin_steps_beyond_the_step_counter_are_refused_before_the_features() {
    let d = tmp("lgrin-steps");
    let data = d.join("data");
    npy_dataset(&data, 2, 8);
    let o = d.join("o");
    let mut args = lgrin_args(s(&data), s(&o), &["--folds", "2", "--epochs", "2"]);
    // Replace the helper's `--iters-per-epoch 1`.
    let at = args.iter().position(|a| *a == "--iters-per-epoch").unwrap();
    args[at + 1] = MAX;
    let out = run(&args);
    fails_with(&out, &["iters_per_epoch x epochs", "overflows"]);
    assert!(!o.exists());
}

// ---------------------------------------------------------------- graph data

#[test]
fn tu_node_label_vocabulary_too_large_for_dense_features_is_refused() {
    // One graph of 200 000 nodes, each with its own label: a dense one-hot matrix of 4e10
    // values (160 GB), which used to abort on the allocation.
    let d = tmp("tu-node-labels");
    let n = 200_000usize;
    let mut ind = String::with_capacity(2 * n);
    let mut nl = String::with_capacity(8 * n);
    for v in 0..n {
        ind.push_str("1\n");
        nl.push_str(&format!("{v}\n"));
    }
    write(&d.join("D_A.txt"), "1, 2\n2, 1\n");
    write(&d.join("D_graph_indicator.txt"), ind);
    write(&d.join("D_graph_labels.txt"), "0\n");
    write(&d.join("D_node_labels.txt"), nl);
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&d),
        "--epochs",
        "1",
        "--out",
        s(&d.join("o")),
    ]);
    fails_with(
        &out,
        &[
            "D_node_labels.txt",
            "200000 distinct node labels",
            "dense feature values",
        ],
    );
}

#[test]
fn planetoid_label_beyond_the_node_count_names_its_line() {
    let d = tmp("planetoid-label");
    for label in ["2147483647", "6"] {
        let data = d.join(format!("g{label}"));
        planetoid(&data, label);
        let out = run(&[
            "train",
            "gcn",
            "--data",
            s(&data),
            "--epochs",
            "1",
            "--out",
            s(&d.join("o")),
        ]);
        fails_with(
            &out,
            &[
                "g.nodes.txt line 2",
                &format!("label {label} out of range"),
                "below the node count (6 nodes)",
            ],
        );
    }
    // The largest label a six-node graph may have trains.
    let data = d.join("g5");
    planetoid(&data, "5");
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&data),
        "--epochs",
        "1",
        "--out",
        s(&d.join("o5")),
    ]);
    succeeds(&out, "label 5 of 6 nodes");
}

// ---------------------------------------------------------------- seeds

#[test]
fn the_largest_seed_trains_like_any_other() {
    let d = tmp("seed-max");
    let out = run(&["demo", "--size", "64", "--seed", MAX]);
    succeeds(&out, "demo");

    let graphs = d.join("tu");
    tu(&graphs, &[0, 1, 0, 1, 0, 1, 0, 1]);
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&graphs),
        "--folds",
        "2",
        "--runs",
        "2",
        "--epochs",
        "1",
        "--seed",
        MAX,
        "--out",
        s(&d.join("tu-out")),
    ]);
    succeeds(&out, "train gcn (TU)");

    let cites = d.join("planetoid");
    planetoid(&cites, "1");
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&cites),
        "--runs",
        "2",
        "--epochs",
        "1",
        "--seed",
        MAX,
        "--out",
        s(&d.join("planetoid-out")),
    ]);
    succeeds(&out, "train gcn (Planetoid)");

    let clips = d.join("clips");
    npy_dataset(&clips, 2, 8);
    let out = run(&lgrin_args(
        s(&clips),
        s(&d.join("lgrin-out")),
        &["--folds", "2", "--epochs", "1", "--seed", MAX],
    ));
    succeeds(&out, "train lgrin");
    // Each fold's seed wraps around: fold 1 of seed u64::MAX is seed 0.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("lgrin-out/metrics.json")).unwrap())
            .unwrap();
    assert_eq!(m["config"]["seed"], 0, "{}", m["config"]);
}

#[test]
fn synchgraph_with_the_largest_seed_trains() {
    let d = tmp("synchgraph-seed");
    let (audio, images) = (format!("{DATA}/fsdd/recordings"), format!("{DATA}/digits"));
    let out = run_for(
        &[
            "train",
            "synchgraph",
            "--audio",
            &audio,
            "--images",
            &images,
            "--modality",
            "both",
            "--limit",
            "6",
            "--epochs",
            "1",
            "--seed",
            MAX,
            "--out",
            s(&d.join("o")),
        ],
        &[],
        300,
    );
    succeeds(&out, "train synchgraph --seed u64::MAX");
}

#[test]
fn synchgraph_gcn_takes_the_largest_seed_and_refuses_an_absurd_width() {
    let gpu = common::gpu();
    let cfg = GcnConfig {
        hidden: 4,
        seed: u64::MAX,
        ..GcnConfig::default()
    };
    Gcn::new(&gpu, &cfg, 3, 2).unwrap();
    for hidden in [usize::MAX / 2, usize::MAX] {
        let cfg = GcnConfig {
            hidden,
            ..GcnConfig::default()
        };
        assert!(Gcn::new(&gpu, &cfg, 3, 2).is_err(), "hidden {hidden}");
    }
}

// ---------------------------------------------------------------- products of counts

#[test]
fn gcn_runs_times_folds_beyond_usize_does_not_panic() {
    // `--runs u64::MAX` runs until stopped: the run is killed once its second fold is done.
    let d = tmp("gcn-runs");
    let graphs = d.join("tu");
    tu(&graphs, &[0, 1, 0, 1, 0, 1, 0, 1]);
    let o = d.join("o");
    let mut child = synchgraph()
        .args([
            "train",
            "gcn",
            "--data",
            s(&graphs),
            "--folds",
            "2",
            "--runs",
            MAX,
            "--epochs",
            "1",
            "--out",
            s(&o),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = Arc::new(Mutex::new(String::new()));
    let reader = {
        let err = Arc::clone(&err);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut e = err.lock().unwrap();
                e.push_str(&line);
                e.push('\n');
            }
        })
    };
    let start = Instant::now();
    let exited = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if err.lock().unwrap().contains("run 0 fold 1:")
            || start.elapsed() > Duration::from_secs(120)
        {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    let err = err.lock().unwrap();
    assert!(exited.is_none(), "exited with {exited:?}; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("run 0 fold 1:"), "{err}");
}

// ---------------------------------------------------------------- speaker lists

#[test]
fn an_empty_validation_speaker_list_is_named() {
    let d = tmp("val-speakers");
    let data = d.join("data");
    npy_dataset(&data, 2, 8);
    let o = d.join("o");
    for list in [",", "", " , "] {
        let out = run(&lgrin_args(
            s(&data),
            s(&o),
            &["--folds", "2", "--epochs", "1", "--val-speakers", list],
        ));
        fails_with(
            &out,
            &[&format!("--val-speakers '{list}' names no speaker id")],
        );
        assert!(!o.exists());
    }
    // The library call says so too, on a layout that has speakers.
    let list = load_clips(Path::new(&format!("{DATA}/emodb/wav")), None).unwrap();
    let train: Vec<usize> = (0..list.clips.len()).collect();
    let e = list
        .speaker_validation_split(&train, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no validation speaker named"), "{e}");
}
