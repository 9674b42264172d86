//! `synchgraph simulate` reads its input files whatever their line ends: a `--features` CSV or
//! an `--input-spikes` list with CR-only line ends (classic Mac OS, some exporters) or CRLF is
//! read as its LF twin, and a bad line is named by the same line number; a file that is not
//! UTF-8 is refused naming the line of its first bad byte.
//!
//! The runs have no GPU adapter (`WGPU_BACKEND` names a backend this platform lacks), which
//! the command opens only after reading its inputs: a file that was read stops the run at the
//! missing adapter.

use std::path::Path;

use crate::common::cli::{fails_with, run_for, s, scratch, write, ABSENT_BACKEND};

/// The small example config: 40 inputs, rates of intensity x 0.25 up to 63.75 Hz.
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn/small.toml");

/// Run `simulate` on `input` (`flag` says which kind) without an adapter; return its stderr
/// after checking that it failed cleanly without leaving a record.
fn simulate(flag: &str, input: &Path) -> String {
    let record = input.with_extension("record.csv");
    let args = [
        "simulate",
        "--config",
        CONFIG,
        flag,
        s(input),
        "--record",
        s(&record),
    ];
    let out = run_for(&args, &[("WGPU_BACKEND", ABSENT_BACKEND)], 30);
    fails_with(&out, &[]);
    assert!(!record.exists(), "a failed run left its record");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `lines` written with line end `end` to `dir/<name>-<end name>.csv`, for each line end; the
/// stderr of `simulate` on each, the file's name replaced by `FILE`.
fn runs(dir: &Path, flag: &str, name: &str, lines: &[String]) -> Vec<(&'static str, String)> {
    [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")]
        .into_iter()
        .map(|(end_name, end)| {
            let p = dir.join(format!("{name}-{end_name}.csv"));
            write(&p, lines.join(end) + end);
            let err = simulate(flag, &p).replace(s(&p), "FILE");
            (end_name, err)
        })
        .collect()
}

/// Every form's stderr equals the LF form's; return that.
fn same_as_lf(runs: &[(&str, String)]) -> String {
    for (end, err) in runs {
        assert_eq!(err, &runs[0].1, "{end} differs from lf");
    }
    runs[0].1.clone()
}

/// A line of 40 intensities.
fn features_line(k: usize) -> String {
    let v: Vec<String> = (0..40).map(|i| format!("{}", (i * 7 + k) % 250)).collect();
    v.join(",")
}

/// Features files of two clips are read in every line-end form (the run reaches the adapter),
/// and a bad value on line 3 is named on line 3 in every form.
#[test]
fn features_files_read_with_any_line_ends() {
    let d = scratch("simulate-line-ends", "features");
    let good = [features_line(0), String::new(), features_line(1)];
    let err = same_as_lf(&runs(&d, "--features", "good", &good));
    assert!(err.contains("no GPU adapter"), "{err}");
    let bad = [
        features_line(0),
        String::new(),
        features_line(1).replace(",8,", ",x,"),
    ];
    let err = same_as_lf(&runs(&d, "--features", "bad", &bad));
    assert!(err.contains("FILE line 3: input"), "{err}");
    assert!(err.contains("('x') is not a number"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Spike lists with a header are read in every line-end form, and an input out of range on
/// line 4 is named on line 4 in every form.
#[test]
fn spike_lists_read_with_any_line_ends() {
    let d = scratch("simulate-line-ends", "spikes");
    let good: Vec<String> = ["input_index,time_ms", "3,0.5", "39,12.5", "", "0,499.5"]
        .map(String::from)
        .to_vec();
    let err = same_as_lf(&runs(&d, "--input-spikes", "good", &good));
    assert!(err.contains("no GPU adapter"), "{err}");
    let mut bad = good.clone();
    bad[3] = "40,1.0".into();
    let err = same_as_lf(&runs(&d, "--input-spikes", "bad", &bad));
    assert!(err.contains("line 4: input index 40 >= 40 inputs"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Input files that are not UTF-8 (a Latin-1 byte on line 2) are refused naming their line,
/// for both kinds of input.
#[test]
fn inputs_that_are_not_utf8_name_their_line() {
    let d = scratch("simulate-line-ends", "latin1");
    let features = d.join("features.csv");
    write(
        &features,
        [
            features_line(0).as_bytes(),
            b"\n\xE9",
            features_line(1).as_bytes(),
            b"\n",
        ]
        .concat(),
    );
    let spikes = d.join("spikes.csv");
    write(&spikes, b"input_index,time_ms\n\xE93,0.5\n".as_slice());
    for (flag, p) in [("--features", &features), ("--input-spikes", &spikes)] {
        let err = simulate(flag, p);
        assert!(
            err.contains(s(p)) && err.contains("line 2") && err.contains("not UTF-8"),
            "{flag}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}
