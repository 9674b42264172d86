//! The library harness (`cargo bench -- --json FILE`, which has no CLI in front of it) checks
//! its report path before it measures anything, as `synchgraph bench` does: a `--json` in a
//! folder that does not exist yet made the run fail after its first row, and a `--json` that is
//! a folder failed there too, with a rename error instead of saying so.

use std::path::PathBuf;

use synchgraph::bench::{execute, BenchOptions};

use crate::common;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-json-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn options(json: PathBuf) -> BenchOptions {
    BenchOptions {
        quick: true,
        filter: Some("relu".into()),
        json: Some(json),
        command: "test".into(),
        ..BenchOptions::default()
    }
}

#[test]
fn a_report_in_a_new_folder_is_written() {
    let gpu = common::gpu();
    let path = scratch("new").join("deeper").join("report.json");
    let report = execute(&gpu, &options(path.clone()), &mut std::io::sink())
        .expect("the report's folder is made, as `synchgraph bench` makes it");
    assert!(report.complete);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"relu\""), "{text}");
}

#[test]
fn a_report_path_that_is_a_folder_is_refused_by_name() {
    let gpu = common::gpu();
    let dir = scratch("a-folder");
    std::fs::create_dir_all(&dir).unwrap();
    let err = execute(&gpu, &options(dir.clone()), &mut std::io::sink()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("--json") && text.contains("is a folder"),
        "{text}"
    );
}
