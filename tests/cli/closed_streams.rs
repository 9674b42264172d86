//! Standard streams whose reader went away. A closed standard error (`synchgraph ... 2>&1 |
//! head -1`) does not end a run with a panic: progress lines, warnings and the profile table
//! are dropped, the outputs are written, and a failure still exits with status 1. A closed standard output
//! ends `bench` quietly, as it ends every other command (`synchgraph bench --list | head -1`
//! used to fail with a broken-pipe error).

use std::process::{Output, Stdio};

use crate::common;
use common::cli::{s, scratch, synchgraph};

/// The standard stream whose reader goes away.
#[derive(Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

/// Run `synchgraph` with `args`, the `closed` stream a pipe whose reading end is closed at once.
fn run_with_closed(closed: Closed, args: &[&str]) -> Output {
    let mut child = synchgraph()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    match closed {
        Closed::Stdout => drop(child.stdout.take()),
        Closed::Stderr => drop(child.stderr.take()),
    }
    child.wait_with_output().unwrap()
}

/// Run `synchgraph` with `args`, its standard error closed (see [`run_with_closed`]).
fn run_with_closed_stderr(args: &[&str]) -> Output {
    run_with_closed(Closed::Stderr, args)
}

/// Run `synchgraph` with `args`, its standard output closed (see [`run_with_closed`]).
fn run_with_closed_stdout(args: &[&str]) -> Output {
    run_with_closed(Closed::Stdout, args)
}

fn config() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn/small.toml").to_string()
}

#[test]
fn a_run_whose_stderr_is_closed_writes_its_outputs() {
    let d = scratch("closed-stderr", "run");
    let record = d.join("spikes.csv");
    let cfg = config();
    let o = run_with_closed_stderr(&[
        "simulate",
        "--config",
        &cfg,
        "--duration-ms",
        "50",
        "--profile",
        "--record",
        s(&record),
    ]);
    assert!(o.status.success(), "exit {:?}", o.status.code());
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.starts_with("group,neuron,time_ms\n"), "{text}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_failure_whose_stderr_is_closed_exits_with_status_1() {
    let d = scratch("closed-stderr", "failure");
    let o = run_with_closed_stderr(&[
        "simulate",
        "--config",
        s(&d.join("missing.toml")),
        "--record",
        s(&d.join("spikes.csv")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bench_ends_quietly_when_its_stdout_is_closed() {
    let o = run_with_closed_stdout(&["bench", "--list", "--quick", "--filter", "lif_step"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "exit {:?}: {err}", o.status.code());
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn an_lgrin_run_whose_stderr_is_closed_writes_its_outputs() {
    let d = scratch("closed-stderr", "lgrin");
    let data = d.join("data");
    common::cli::npy_dataset(&data, 4, 3);
    let out = d.join("out");
    let o = run_with_closed_stderr(&common::cli::lgrin_args(
        s(&data),
        s(&out),
        &["--folds", "2", "--epochs", "1"],
    ));
    assert!(o.status.success(), "exit {:?}", o.status.code());
    assert!(out.join("metrics.json").is_file());
    let _ = std::fs::remove_dir_all(&d);
}
