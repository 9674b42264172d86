//! Shared helpers of the bench tests: a scratch path for a report, a saved report built from
//! rows and written there, and a `synchgraph bench` run that must succeed.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

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

/// A saved quick-bench report (schema 1) of elementwise rows given as (name, size, median ms,
/// spread), with fixed counts and a 10 GB/s bandwidth ceiling.
pub(crate) fn saved_report(rows: &[(&str, &str, f64, f64)]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(name, size, ms, spread)| {
            json!({
                "name": name, "family": "elementwise", "size": size, "bytes": 12u64 << 20,
                "flops": 1u64 << 20, "bound": "memory", "median_ms": ms, "min_ms": ms * 0.99,
                "spread": spread, "repetitions": 5, "gbs": 1.0, "gflops": 0.1, "fraction": 0.5,
                "timing": "timestamps"
            })
        })
        .collect();
    json!({
        "schema": 1,
        "adapter": {"name": "test", "driver": "d", "backend": "Vulkan", "device_type": "Cpu",
                    "software": true, "features": []},
        "note": null, "date": "2026-01-01T00:00:00Z", "command": "test", "mode": "quick",
        "warmup": 2, "ceilings": {"bandwidth_gbs": 10.0, "compute_gflops": null}, "rows": rows
    })
}

/// Write `v` as JSON to the scratch path `name` and return that path.
pub(crate) fn write(name: &str, v: &Value) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path
}
