//! `metrics.json` marks a finished run, so every command that writes one writes it last, after
//! its checkpoint and every figure, and removes an old one before it writes anything. Each
//! command here runs at a tiny size with one of its figures made unwritable (a folder in its
//! place): the command must fail naming that figure and leave no metrics.json behind, neither a
//! new one nor a stale one from an earlier run.

use crate::common;

use std::path::Path;

use common::cli::{fails_with, lgrin_args, npy_dataset, run_for, s, scratch, succeeds};
use common::fixtures::{planetoid_files, PLANETOID_EDGES, PLANETOID_NODES, PLANETOID_SPLIT};
use synchgraph::snn::unsupervised::stdp_config;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");

/// What an earlier run left in the output folder.
const STALE: &str = "{\"stale\": true}";

/// Run `args` (which write into `out`) with `figure` in `out` replaced by a folder, and a stale
/// metrics.json beside it when `stale`: the command must fail naming the figure, and no
/// metrics.json may remain.
fn fails_without_metrics(args: &[&str], out: &Path, figure: &str, stale: bool) {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out.join(figure)).unwrap();
    if stale {
        std::fs::write(out.join("metrics.json"), STALE).unwrap();
    }
    let result = run_for(args, &[], 300);
    fails_with(&result, &[figure]);
    if let Ok(left) = std::fs::read(out.join("metrics.json")) {
        panic!(
            "{figure} could not be written, yet metrics.json {} ({args:?})",
            if left == STALE.as_bytes() {
                "survived from the earlier run"
            } else {
                "was written"
            }
        );
    }
}

#[test]
fn train_gcn_failing_its_figure_leaves_no_metrics() {
    let d = scratch("outputs", "gcn");
    let data = d.join("g");
    planetoid_files(&data, PLANETOID_NODES, PLANETOID_EDGES, PLANETOID_SPLIT);
    let out = d.join("o");
    let args = [
        "train",
        "gcn",
        "--data",
        s(&data),
        "--epochs",
        "1",
        "--out",
        s(&out),
    ];
    fails_without_metrics(&args, &out, "loss.png", true);
    fails_without_metrics(&args, &out, "loss.png", false);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn train_synchgraph_failing_a_figure_leaves_no_metrics() {
    let d = scratch("outputs", "synchgraph");
    let out = d.join("o");
    let args = [
        "train",
        "synchgraph",
        "--audio",
        EMODB,
        "--limit",
        "8",
        "--epochs",
        "1",
        "--seed",
        "3",
        "--out",
        s(&out),
    ];
    // The first figure with an old metrics.json in the folder, the last one without.
    fails_without_metrics(&args, &out, "loss.png", true);
    fails_without_metrics(&args, &out, "raster.png", false);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn train_stdp_failing_a_figure_leaves_no_metrics() {
    let d = scratch("outputs", "stdp");
    // The Diehl & Cook network for the 8x8 digits with short presentations, to keep it quick.
    let mut cfg = stdp_config(64, 8, 0);
    cfg.sim.sample_ms = 100.0;
    cfg.sim.rest_ms = 20.0;
    let config = d.join("stdp.toml");
    std::fs::write(&config, cfg.to_toml().unwrap()).unwrap();
    let digits = format!("{DATA}/digits");
    let out = d.join("o");
    let args = [
        "train",
        "stdp",
        "--data",
        &digits,
        "--config",
        s(&config),
        "--limit",
        "10",
        "--train-limit",
        "2",
        "--batch",
        "16",
        "--seed",
        "2",
        "--out",
        s(&out),
    ];
    fails_without_metrics(&args, &out, "confusion.png", true);
    fails_without_metrics(&args, &out, "weights.png", false);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn eval_failing_its_figure_leaves_no_metrics() {
    let d = scratch("outputs", "eval");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let model = d.join("model");
    let trained = run_for(
        &lgrin_args(s(&data), s(&model), &["--folds", "2", "--epochs", "1"]),
        &[],
        300,
    );
    succeeds(&trained, "train lgrin");
    let out = d.join("eval");
    let args = [
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        s(&out),
    ];
    fails_without_metrics(&args, &out, "confusion.png", true);
    fails_without_metrics(&args, &out, "confusion.png", false);
    // With the figure writable the same evaluation completes, metrics.json included.
    std::fs::remove_dir(out.join("confusion.png")).unwrap();
    succeeds(&run_for(&args, &[], 300), "eval");
    assert!(out.join("confusion.png").is_file());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("metrics.json")).unwrap()).unwrap();
    assert!(
        m.get("stale").is_none() && m.get("test_accuracy").is_some(),
        "{m}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
