//! Shared helpers of the quick bench tests (`quick_*.rs`): a scratch path for a report and a
//! `synchgraph bench` run that must succeed.

use std::path::PathBuf;
use std::process::Command;

/// A path named `name` in this test run's scratch folder.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `synchgraph bench` with `args`, asserts that it succeeded, and returns its stdout.
pub(crate) fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .arg("bench")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
