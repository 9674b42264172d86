//! Hostile settings given to `train lgrin`: bad numbers refused before training (and before the
//! clips are read), the classifier width and dropout applied, one class, and contradicting split
//! flags. Every case must end with a non-zero exit status (1 for a run-time error, 2 for a
//! command-line error), no panic or abort, and a message naming the problem, quickly: cases that
//! used to hang run under a time limit.

use crate::common;
use crate::hostile_support::{features_run, run, tmp};

use std::path::Path;

use common::cli::{fails_with, lgrin_args, npy_dataset, s};

// ---------------------------------------------------------------- train lgrin

#[test]
fn lgrin_bad_numbers_are_refused_before_training() {
    let d = tmp("lgrin-numbers");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let o = d.join("o");
    for (extra, needle) in [
        (
            &["--folds", "2", "--epochs", "0"][..],
            "epochs must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--lr", "inf"][..],
            "lr must be a positive finite",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--lr-step", "0"][..],
            "lr_step must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--limit", "0"][..],
            "--limit must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--nodes", "1"][..],
            "nodes must be at least 2",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--threads", "0"][..],
            "--threads must be at least 1",
        ),
        (
            &[
                "--folds",
                "2",
                "--epochs",
                "1",
                "--model",
                "gcn-baseline",
                "--fixed-p",
            ][..],
            "the GCN baseline has none of those parts",
        ),
        (
            &[
                "--folds",
                "2",
                "--epochs",
                "1",
                "--model",
                "gcn-baseline",
                "--no-inception",
            ][..],
            "the GCN baseline has none of those parts",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--hidden", "0"][..],
            "hidden must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--dropout", "1"][..],
            "dropout must be in [0, 1), got 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--dropout", "-0.1"][..],
            "dropout must be in [0, 1), got -0.1",
        ),
    ] {
        let out = run(&lgrin_args(s(&data), s(&o), extra));
        fails_with(&out, &[needle]);
        assert!(!o.join("metrics.json").exists(), "{extra:?} wrote metrics");
    }
    // The settings are checked before the clips are read: a bad setting is named even when a
    // clip is broken, and no output folder is made.
    let broken = d.join("broken");
    std::fs::create_dir_all(broken.join("a")).unwrap();
    std::fs::create_dir_all(broken.join("b")).unwrap();
    std::fs::write(broken.join("a/x.npy"), b"not an npy file").unwrap();
    std::fs::write(broken.join("b/y.npy"), b"not an npy file").unwrap();
    let o2 = d.join("o2");
    let out = run(&lgrin_args(
        s(&broken),
        s(&o2),
        &["--folds", "2", "--epochs", "0"],
    ));
    fails_with(&out, &["epochs must be at least 1"]);
    assert!(!o2.exists());
}

#[test]
fn lgrin_classifier_width_and_dropout_are_applied() {
    // The classifier is Linear(pooled, hidden) + PReLU(hidden) + Linear(hidden, classes), so each
    // unit of hidden width holds pooled + 1 (bias) + 1 (PReLU) + classes parameters. Here 4
    // features give a final width of 4 + 2 x (128 + 64) = 388 and pooled = 3 x 388 = 1164.
    let d = tmp("lgrin-head");
    let data = d.join("data");
    npy_dataset(&data, 3, 4);
    let config = |o: &Path, extra: &[&str]| {
        let mut a = vec!["--folds", "3", "--epochs", "1"];
        a.extend_from_slice(extra);
        let out = run(&lgrin_args(s(&data), s(o), &a));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(o.join("metrics.json")).unwrap())
                .unwrap();
        let c = &m["config"];
        (
            m["parameters"].as_u64().unwrap(),
            c["hidden"].as_u64().unwrap(),
            c["dropout"].as_f64().unwrap(),
        )
    };
    let (default_params, hidden, dropout) = config(&d.join("default"), &[]);
    assert_eq!((hidden, dropout), (512, 0.5));
    let (params, hidden, dropout) =
        config(&d.join("small"), &["--hidden", "16", "--dropout", "0.25"]);
    assert_eq!((hidden, dropout), (16, 0.25));
    assert_eq!(default_params - params, (512 - 16) * (1164 + 1 + 1 + 2));
}

#[test]
fn lgrin_training_on_one_class_names_it() {
    let d = tmp("lgrin-one-class");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    std::fs::remove_dir_all(data.join("b")).unwrap();
    let o = d.join("o");
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--folds", "2", "--epochs", "1"],
    ));
    fails_with(&out, &["holds 1 class (a)", "training needs at least 2"]);
    // Extracting the features of one class is fine.
    let out = features_run(&data, &d.join("f"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn lgrin_contradicting_split_flags_are_refused() {
    let d = tmp("lgrin-split");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let o = d.join("o");
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--folds", "2", "--epochs", "1", "--test-speakers", "03"],
    ));
    fails_with(&out, &["--test-speakers", "--folds"]);
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--split", "loso", "--epochs", "1"],
    ));
    fails_with(&out, &["names no speakers"]);
    // Both choose the validation clips: one would be ignored.
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &[
            "--folds",
            "2",
            "--epochs",
            "1",
            "--val-fraction",
            "0.3",
            "--val-speakers",
            "03",
        ],
    ));
    fails_with(
        &out,
        &["--val-fraction", "cannot be used with", "--val-speakers"],
    );
}
