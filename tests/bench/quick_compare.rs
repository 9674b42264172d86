//! `--compare` and `--from`: a row twice as slow is flagged and one 1 % slower is not, old rows
//! the new run failed or skipped are listed, rows timed differently are marked, and two saved
//! reports compare without a device.

use std::process::Command;

use serde_json::{json, Value};
use synchgraph::bench::compare::{compare, Verdict};
use synchgraph::bench::BenchReport;

use crate::support::{bench, saved_report, write};

/// A saved report of 1M-element rows given as (name, median ms, spread).
fn report(rows: &[(&str, f64, f64)]) -> Value {
    let rows: Vec<_> = rows
        .iter()
        .map(|&(n, ms, sp)| (n, "1M f32", ms, sp))
        .collect();
    saved_report(&rows)
}

#[test]
fn compare_flags_a_doubled_time_and_not_a_one_percent_change() {
    let old = write(
        "old.json",
        &report(&[("add", 1.0, 0.01), ("relu", 1.0, 0.01), ("mul", 1.0, 0.01)]),
    );
    let new = write(
        "new.json",
        &report(&[("add", 2.0, 0.01), ("relu", 1.01, 0.01), ("cast", 1.0, 0.0)]),
    );
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    let verdict = |n: &str| c.rows.iter().find(|r| r.name == n).unwrap().verdict;
    assert_eq!(verdict("add"), Verdict::Slower);
    assert_eq!(verdict("relu"), Verdict::Same);
    assert_eq!(verdict("cast"), Verdict::New);
    assert_eq!(c.regressions().count(), 1);
    // A wide spread widens the noise: 2x with 40 % spread is within 3 x 40 %.
    let noisy = write("noisy.json", &report(&[("add", 2.0, 0.4)]));
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&noisy).unwrap(),
    );
    assert_eq!(c.rows[0].verdict, Verdict::Same);
}

#[test]
fn compare_lists_old_rows_the_new_run_failed_or_skipped() {
    // "mul" was skipped (time budget) and "relu" failed in the new run; "cast" was not selected
    // and is not listed. The old times of the two are shown with the reason, not dropped.
    let old = write(
        "unmeasured-old.json",
        &report(&[
            ("add", 1.0, 0.01),
            ("relu", 1.0, 0.01),
            ("mul", 2.0, 0.01),
            ("cast", 1.0, 0.01),
        ]),
    );
    let mut new = report(&[("add", 1.0, 0.01)]);
    new["skipped"] = json!([{"name": "mul", "size": "1M f32", "reason": "time budget spent"}]);
    new["failures"] = json!([{"name": "relu", "size": "1M f32", "error": "out of memory"}]);
    let new = write("unmeasured-new.json", &new);
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    let listed: Vec<(&str, f64, &str)> = c
        .unmeasured
        .iter()
        .map(|u| (u.name.as_str(), u.old_ms, u.why.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("relu", 1.0, "failed: out of memory"),
            ("mul", 2.0, "skipped: time budget spent")
        ]
    );
    let text = c.to_string();
    assert!(
        text.contains("NOT MEASURED (skipped: time budget spent)")
            && text.contains("2 row(s) of the old report not measured in this run"),
        "{text}"
    );
}

#[test]
fn compare_marks_rows_timed_differently() {
    use synchgraph::bench::Timing;
    let old = write("timed-old.json", &report(&[("add", 1.0, 0.01)]));
    let mut wall = report(&[("add", 1.0, 0.01), ("relu", 1.0, 0.01)]);
    wall["rows"][0]["timing"] = json!("wall");
    let new = write("timed-new.json", &wall);
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    assert_eq!(c.rows[0].timings, Some((Timing::Wall, Timing::Timestamps)));
    assert_eq!(
        c.rows[1].timings, None,
        "a new row has nothing to differ from"
    );
    let text = c.to_string();
    let add = text.lines().find(|l| l.starts_with("add")).unwrap();
    assert!(
        add.contains("timed by wall clock here, timestamps there"),
        "{add}"
    );
    assert!(!text
        .lines()
        .any(|l| l.starts_with("relu") && l.contains("timed by")));
}

#[test]
fn two_saved_reports_compare_without_a_device() {
    let old = write("saved-old.json", &report(&[("add", 1.0, 0.01)]));
    let new = write("saved-new.json", &report(&[("add", 3.0, 0.01)]));
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", new.to_str().unwrap()])
        .args(["--compare", old.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("compared with"), "{stdout}");
    assert!(!stdout.contains("different adapters"), "{stdout}");
    let add = stdout.lines().find(|l| l.starts_with("add")).unwrap();
    assert!(add.contains("3.00"), "{add}");
    // Reports of two adapters compare devices, and the output says so.
    let mut other = report(&[("add", 0.5, 0.01)]);
    other["adapter"]["name"] = json!("another GPU");
    let other = write("saved-other.json", &other);
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", other.to_str().unwrap()])
        .args(["--compare", old.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("(another GPU, ")
            && stdout.contains("different adapters: another GPU / test"),
        "{stdout}"
    );
    assert!(!stdout.contains("different backends"), "{stdout}");
    // --from needs --compare, and a missing file is named.
    let alone = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", new.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!alone.status.success());
    let missing = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", "no-such-report.json", "--compare"])
        .arg(&old)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && stderr.contains("no-such-report.json"),
        "{stderr}"
    );
}

#[test]
fn compare_flag_prints_the_ratio_per_row() {
    // An old report claiming relu took a nanosecond: the real run must be flagged slower.
    let old = write("fast.json", &report(&[("relu", 1e-6, 0.0)]));
    let out = bench(&[
        "--quick",
        "--filter",
        "relu",
        "--compare",
        old.to_str().unwrap(),
    ]);
    let line = out
        .lines()
        .find(|l| l.starts_with("relu") && l.contains("SLOWER"))
        .unwrap_or_else(|| panic!("no flagged relu row:\n{out}"));
    assert!(line.contains("1M f32"), "{line}");
    assert!(out.contains("1 row(s) slower than the noise"), "{out}");
    // The old report's adapter ("test") is not this one.
    assert!(
        out.contains("this run (") && out.contains("(test, 2026-01-01T00:00:00Z)"),
        "{out}"
    );
    assert!(out.contains("different adapters: "), "{out}");
    assert!(out.contains("different drivers: "), "{out}");
}
