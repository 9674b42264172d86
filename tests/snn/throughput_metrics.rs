//! The simulated-time throughput that `train stdp` and `train synchgraph` write to metrics.json
//! counts every presentation the network simulated, raised re-presentations included.

use std::path::Path;
use std::process::Command;

fn run(args: &[&str], out: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap());
    std::fs::remove_dir_all(out).unwrap();
    m.unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs(),
        "{what}: metrics.json says {got}, the run simulated {want}"
    );
}

#[test]
fn stdp_throughput_counts_raised_presentations() {
    // Every raise presents the image again for sim.sample_ms: 4 images and 4 raises are 8
    // presentations, not 4 (the metric counted the images only).
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/digits");
    let out = std::env::temp_dir().join(format!("sg-stdp-rate-{}", std::process::id()));
    let m = run(
        &[
            "train",
            "stdp",
            "--data",
            data,
            "--neurons",
            "5",
            "--limit",
            "8",
            "--train-limit",
            "4",
        ],
        &out,
    );
    let raises = m["input_raises"].as_u64().unwrap();
    assert!(raises > 0, "the run needs raised presentations: {m}");
    let presented =
        (m["stdp_images"].as_u64().unwrap() * m["epochs"].as_u64().unwrap() + raises) as f64;
    let sample_s = m["config"]["sim"]["sample_ms"].as_f64().unwrap() / 1000.0;
    close(
        "stdp_simulated_s_per_wall_s",
        m["stdp_simulated_s_per_wall_s"].as_f64().unwrap(),
        presented * sample_s / m["stdp_wall_s"].as_f64().unwrap(),
    );
}

#[test]
fn synchgraph_throughput_counts_raised_presentations() {
    // Diehl & Cook's input scale of 0.25 Hz per unit leaves clips short of spikes: they are
    // presented again, and that simulated time counts.
    let audio = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/fsdd/recordings"
    );
    let out = std::env::temp_dir().join(format!("sg-synch-rate-{}", std::process::id()));
    let m = run(
        &[
            "train",
            "synchgraph",
            "--audio",
            audio,
            "--limit",
            "6",
            "--epochs",
            "1",
            "--rate-scale",
            "0.25",
        ],
        &out,
    );
    let raises = m["input_raises"].as_u64().unwrap();
    assert!(raises > 0, "the run needs raised presentations: {m}");
    let presented = (m["clips"].as_u64().unwrap() + raises) as f64;
    let sample_s = m["config"]["snn"]["sim"]["sample_ms"].as_f64().unwrap() / 1000.0;
    close(
        "simulated_s_per_wall_s",
        m["simulated_s_per_wall_s"].as_f64().unwrap(),
        presented * sample_s / m["wall_s"]["simulate"].as_f64().unwrap(),
    );
}
