//! `train gcn` on a TU data set (k-fold graph classification) writes the run layout plainly in
//! metrics.json: top-level `runs` is `--runs` (repetitions of the whole cross-validation) and
//! `folds` is `--folds`, never their product; `per_run` keeps one entry per (run, fold).

use crate::common;

use common::cli::{run_for, s, scratch, succeeds};
use common::fixtures::tu_pairs;

/// Two runs of a three-fold cross-validation: `runs` 2, `folds` 3, six `per_run` entries.
#[test]
fn runs_counts_repetitions_not_folds() {
    let d = scratch("gcn-metrics-runs", "tu");
    let data = d.join("tu");
    tu_pairs(&data, &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    let out = d.join("o");
    let args = [
        "train",
        "gcn",
        "--data",
        s(&data),
        "--runs",
        "2",
        "--folds",
        "3",
        "--epochs",
        "1",
        "--hidden",
        "4",
        "--out",
        s(&out),
    ];
    succeeds(&run_for(&args, &[], 120), "train gcn, 2 runs x 3 folds");
    let text = std::fs::read_to_string(out.join("metrics.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["runs"], 2, "top-level runs is --runs: {m}");
    assert_eq!(m["folds"], 3, "top-level folds is --folds: {m}");
    assert_eq!(m["config"]["runs"], 2);
    let per_run = m["per_run"].as_array().unwrap();
    assert_eq!(per_run.len(), 6, "one entry per run and fold");
    let pairs: Vec<(u64, u64)> = per_run
        .iter()
        .map(|e| (e["run"].as_u64().unwrap(), e["fold"].as_u64().unwrap()))
        .collect();
    assert_eq!(pairs, [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]);
    let _ = std::fs::remove_dir_all(&d);
}
