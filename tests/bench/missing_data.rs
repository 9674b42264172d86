//! A bench row whose input data is missing here (`gcn_epoch_cora` without the Cora files) is
//! reported, not silently dropped: `--filter` may still name it (it is not refused as a typo),
//! `--list` says it would be skipped and why, and a run lists it under `skipped` in the JSON
//! and as `SKIPPED` in the table.

use std::path::PathBuf;
use std::process::{Command, Output};

use synchgraph::bench::BenchReport;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-r3-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `synchgraph bench ARGS` with the Cora folder pointed at a path that does not exist.
fn bench_without_cora(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .arg("bench")
        .args(args)
        .env("SYNCHGRAPH_CORA", "/nonexistent/review3/cora")
        .output()
        .unwrap()
}

#[test]
fn listing_a_row_without_its_data_names_it_and_the_reason() {
    let out = bench_without_cora(&["--quick", "--list", "--filter", "gcn_epoch_cora"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "the row exists, only its data is missing: {stderr}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("gcn_epoch_cora "))
        .unwrap_or_else(|| panic!("row not listed: {stdout}"));
    assert!(row.contains("e2e"), "{row}");
    assert!(
        stdout.contains("skipped") && stdout.contains("SYNCHGRAPH_CORA"),
        "the listing does not say the row would be skipped, and why: {stdout}"
    );
}

#[test]
fn a_run_lists_a_row_without_its_data_as_skipped() {
    let path = scratch("no-cora.json");
    let out = bench_without_cora(&[
        "--quick",
        "--filter",
        "gcn_epoch_cora",
        "--json",
        path.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("gcn_epoch_cora") && stdout.contains("SKIPPED"),
        "{stdout}"
    );
    let report = BenchReport::load(&path).unwrap();
    let ran: Vec<&str> = report.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ran, ["copy"]);
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, "gcn_epoch_cora");
    assert!(skipped[0].1.contains("SYNCHGRAPH_CORA"), "{skipped:?}");
    assert!(report.complete && report.failures.is_empty());
}

#[test]
fn a_row_without_its_data_is_not_mentioned_when_not_selected() {
    let out = bench_without_cora(&["--quick", "--list", "--filter", "relu"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stdout.contains("gcn_epoch_cora") && !stderr.contains("gcn_epoch_cora"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
}
