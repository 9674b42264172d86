//! Diehl & Cook unsupervised STDP on the 8x8 digits: label assignment and vote classification on
//! hand-made responses, input checks, and a CI-sized `synchgraph train stdp` run on real data.

use std::process::Command;

use synchgraph::snn::unsupervised::{assign_labels, classify, sample_rates, stdp_config};

#[test]
fn neurons_get_their_strongest_class_and_votes_follow() {
    // Neuron 0 fires for class 1, neuron 1 for class 0, neuron 2 for class 2 (mean counts).
    let counts = vec![vec![0, 5, 0], vec![9, 0, 1], vec![1, 4, 0], vec![0, 0, 7]];
    let labels = vec![0, 1, 0, 2];
    let a = assign_labels(&counts, &labels, 3);
    assert_eq!(a, vec![1, 0, 2]);
    let pred = classify(&[vec![0, 3, 0], vec![4, 0, 0], vec![0, 1, 6]], &a, 3);
    assert_eq!(pred, vec![0, 1, 2]);
}

#[test]
fn bad_intensities_are_refused() {
    let cfg = stdp_config(4, 2, 0);
    assert!(sample_rates(&cfg, &[], 0)
        .unwrap_err()
        .to_string()
        .contains("empty clip"));
    let e = sample_rates(&cfg, &[1.0, f32::NAN, 0.0, 2.0], 0).unwrap_err();
    assert!(e.to_string().contains("input 1"), "{e}");
    // A raise adds intensity_step to lit inputs only.
    let r = sample_rates(&cfg, &[0.0, 100.0], 2).unwrap();
    assert_eq!(r[0], 0.0);
    assert!((r[1] - (100.0 + 64.0) * 0.25).abs() < 1e-4);
}

#[test]
fn train_stdp_on_a_slice_of_digits_writes_metrics() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/digits");
    let out = std::env::temp_dir().join(format!("synchgraph-stdp-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args([
            "train",
            "stdp",
            "--data",
            data,
            "--neurons",
            "10",
            "--seed",
            "3",
        ])
        .args([
            "--limit",
            "40",
            "--train-limit",
            "8",
            "--batch",
            "16",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let acc = m["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(m["test_images"], 12);
    assert!(
        m["train_spikes"].as_u64().unwrap() >= 8 * 5,
        "too few spikes: {m}"
    );
    assert!(m["test_spikes"].as_u64().unwrap() > 0);
    for f in ["model.safetensors", "confusion.png", "weights.png"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
}
