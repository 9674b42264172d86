//! Hostile paths and messages: output paths checked before the work (and never over the data),
//! I/O errors reported once, an unknown backend named, and a demo of zero elements.
//! Every case must end with a non-zero exit status (1 for a run-time error, 2 for a command-line
//! error), no panic or abort, and a message naming the problem, quickly: cases that used to hang
//! run under a time limit.

use crate::common;
use crate::hostile_support::{features_run, run, small_snn_config, tmp};

use std::path::Path;

use common::cli::{fails_with, lgrin_args, npy_dataset, run_for, s, write};

// ---------------------------------------------------------------- paths

#[test]
fn features_written_over_their_own_data_folder_are_refused() {
    let d = tmp("features-self");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let before = std::fs::read(data.join("a/clip0.npy")).unwrap();
    let out = features_run(&data, &data, &[]);
    fails_with(&out, &["--out", "is the --data folder"]);
    assert_eq!(std::fs::read(data.join("a/clip0.npy")).unwrap(), before);
}

#[test]
fn output_paths_are_checked_before_the_work() {
    // A data folder whose second clip is broken: an output path that cannot be written must be
    // named before any clip is read (it used to fail only after the extraction, or, for
    // `simulate --record`, after the whole simulation).
    let d = tmp("out-paths");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    write(&data.join("a/clip1.npy"), b"not a npy file");
    let file = d.join("a-file");
    write(&file, b"x");
    let lgrin = lgrin_args(s(&data), s(&file), &["--folds", "2", "--epochs", "1"]);
    let features = ["features", "--data", s(&data), "--out", s(&file)];
    for args in [&lgrin[..], &features[..]] {
        let out = run(args);
        fails_with(&out, &["--out", "a-file"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("clip1.npy"),
            "{args:?}: the data was read first: {err}"
        );
    }
    let config = d.join("small.toml");
    write(&config, small_snn_config());
    let simulate = |record: &Path| {
        run(&[
            "simulate",
            "--config",
            s(&config),
            "--record",
            s(record),
            "--duration-ms",
            "5",
        ])
    };
    fails_with(&simulate(&d), &["--record", "is a folder"]);
    let bench = run(&["bench", "--quick", "--filter", "relu", "--json", s(&d)]);
    fails_with(&bench, &["--json", "is a folder"]);
    // A record in a folder that does not exist yet is written there.
    let nested = d.join("new/folder/r.csv");
    let out = simulate(&nested);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(nested.is_file());
}

// ---------------------------------------------------------------- messages

#[test]
fn io_errors_are_reported_once() {
    let d = tmp("io");
    let out = run(&[
        "simulate",
        "--config",
        s(&d.join("missing.toml")),
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["missing.toml", "No such file or directory"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn an_unknown_backend_is_named() {
    let out = run_for(&["devices"], &[("WGPU_BACKEND", "bogus")], 60);
    fails_with(&out, &["WGPU_BACKEND", "'bogus'", "vulkan"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Backends(0x0)"));
}

#[test]
fn demo_of_zero_elements_is_refused() {
    let out = run(&["demo", "--size", "0"]);
    fails_with(&out, &["--size must be at least 1"]);
}
