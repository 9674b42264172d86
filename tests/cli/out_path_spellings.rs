//! Output paths spelled with a trailing `/` or `/.`: a new `features --out` folder named
//! `new/.` (the finished export was renamed to a path that did not exist yet), and an output
//! file named `x.csv/` (the run opened the GPU and did all its work before the write failed).

use crate::common;

use common::cli::{fails_with, npy_dataset, run_for, s, scratch, succeeds};

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> std::path::PathBuf {
    scratch("out-spellings", name)
}

/// `features --out DIR/new/.` writes the export to `DIR/new` and leaves no work folder.
#[test]
fn features_out_ending_in_dot_names_the_new_folder() {
    let d = tmp("features-dot");
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let out = format!("{}/new/.", s(&d));
    let run = run_for(
        &[
            "features",
            "--data",
            s(&data),
            "--nodes",
            "4",
            "--out",
            &out,
        ],
        &[],
        120,
    );
    succeeds(&run, "features --out new/.");
    assert!(d.join("new/features.json").is_file());
    let hidden: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
}

/// `simulate --record x.csv/` and `bench --json x.json/` are refused before the GPU opens,
/// naming the flag, and leave no folder behind.
#[test]
fn an_output_file_ending_in_a_slash_is_refused_before_the_work() {
    let d = tmp("file-slash");
    let record = format!("{}/rec/x.csv/", s(&d));
    let json = format!("{}/bench/x.json/", s(&d));
    let runs = [
        vec![
            "simulate",
            "--config",
            "assets/snn/small.toml",
            "--duration-ms",
            "10",
            "--record",
            &record,
        ],
        vec!["bench", "--quick", "--filter", "add", "--json", &json],
    ];
    for (args, flag) in runs.iter().zip(["--record", "--json"]) {
        let out = run_for(args, &[], 120);
        fails_with(&out, &[flag, "name a file"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("adapter:"), "the GPU was opened first: {err}");
    }
    assert!(!d.join("rec").exists() && !d.join("bench").exists());
}

/// `features --out` named by bytes that are not UTF-8 writes the export under exactly that
/// name, not under a name with U+FFFD in place of the bad bytes.
#[cfg(unix)]
#[test]
fn features_out_that_is_not_utf8_keeps_its_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let d = tmp("features-non-utf8");
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let out = d.join(OsStr::from_bytes(b"new\xff"));
    let status = common::cli::synchgraph()
        .args(["features", "--data", s(&data), "--nodes", "4", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(out.join("features.json").is_file(), "no export at {out:?}");
}
