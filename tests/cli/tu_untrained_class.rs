//! `train gcn` on a TU data set refuses a fold whose test graphs include a class that none of
//! its training graphs has (a class of one graph): the model could never predict it, so the
//! fold's accuracy would measure nothing about that class. The error names the class and fold.

use crate::common;

use common::cli::{fails_with, run_for, s, scratch, succeeds};
use common::fixtures::tu_pairs;

/// A class of one graph is refused by name; with four graphs of it the same run trains.
#[test]
fn a_class_without_training_graphs_is_named() {
    let d = scratch("tu-untrained", "one-graph");
    let data = d.join("tu");
    tu_pairs(&data, &[0, 1, 0, 1, 0, 1, 0, 1, 7]);
    let args = |data: &std::path::Path, out: &std::path::Path| {
        vec![
            "train".to_string(),
            "gcn".into(),
            "--data".into(),
            s(data).into(),
            "--folds".into(),
            "2".into(),
            "--epochs".into(),
            "1".into(),
            "--out".into(),
            s(out).into(),
        ]
    };
    let out = d.join("o");
    let a = args(&data, &out);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    fails_with(
        &run_for(&a, &[], 120),
        &["class 7", "no training graph has"],
    );
    assert!(!out.join("metrics.json").exists());

    let data2 = d.join("tu2");
    tu_pairs(&data2, &[0, 1, 0, 1, 0, 1, 0, 1, 7, 7, 7, 7]);
    let out2 = d.join("o2");
    let a = args(&data2, &out2);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    succeeds(
        &run_for(&a, &[], 120),
        "train gcn with two graphs per class",
    );
}
