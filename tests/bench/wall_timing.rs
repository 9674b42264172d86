//! By host wall clock (`bench --wall`) the `snn_second` row times only its run, from the first
//! step to idle: the record's readback and the spike count after it are outside the timed
//! region, so the row's median time is the median of the run's own wall times (`wall_ms`).

use std::process::Command;

use serde_json::Value;

#[test]
fn snn_second_by_wall_clock_leaves_the_readback_and_count_out() {
    let dir = std::env::temp_dir().join(format!("synchgraph-bench-wall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("snn_second_wall.json");
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args([
            "bench",
            "--quick",
            "--wall",
            "--filter",
            "snn_second",
            "--json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "snn_second")
        .expect("snn_second row");
    assert_eq!(row["timing"], "wall");
    let median_ms = row["median_ms"].as_f64().unwrap();
    let wall_ms = row["metrics"]["wall_ms"].as_f64().unwrap();
    assert!(wall_ms > 0.0);
    // The same three times, once in nanoseconds and once in seconds.
    assert!(
        (median_ms - wall_ms).abs() <= 1e-9 * wall_ms,
        "median {median_ms} ms against the run's own {wall_ms} ms"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
