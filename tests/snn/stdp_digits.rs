//! Diehl & Cook unsupervised STDP on the 8x8 digits: label assignment and vote classification on
//! hand-made responses, input checks, and a CI-sized `synchgraph train stdp` run on real data.

use crate::common;

use std::process::Command;

use synchgraph::snn::unsupervised::{
    assign_labels, classify, respond, sample_rates, stdp_config, train,
};

#[test]
fn neurons_get_their_strongest_class_and_votes_follow() {
    // Neuron 0 fires for class 1, neuron 1 for class 0, neuron 2 for class 2 (mean counts).
    let counts = vec![vec![0, 5, 0], vec![9, 0, 1], vec![1, 4, 0], vec![0, 0, 7]];
    let labels = vec![0, 1, 0, 2];
    let a = assign_labels(&counts, &labels, 3).unwrap();
    assert_eq!(a, vec![Some(1), Some(0), Some(2)]);
    let pred = classify(&[vec![0, 3, 0], vec![4, 0, 0], vec![0, 1, 6]], &a, 3).unwrap();
    assert_eq!(pred, vec![0, 1, 2]);
}

#[test]
fn silent_neurons_stay_unassigned_and_classes_vote_by_their_mean() {
    // Neurons 2 and 3 never fire: they get no class and do not dilute any class's vote.
    let a = assign_labels(&[vec![4, 0, 0, 0], vec![0, 2, 0, 0]], &[0, 1], 2).unwrap();
    assert_eq!(a, vec![Some(0), Some(1), None, None]);
    // Class 0 (one neuron, 3 spikes) beats class 1 (one neuron, 2 spikes).
    assert_eq!(classify(&[vec![3, 2, 0, 0]], &a, 2).unwrap(), vec![0]);
    // Unbalanced classes: a class's mean is over its own images (class 0 has three, class 1
    // one) and a vote is the mean over a class's neurons (class 1 has three neurons).
    let counts = vec![
        vec![6, 0, 0, 0],
        vec![0, 0, 0, 0],
        vec![0, 0, 0, 0],
        vec![1, 2, 2, 2],
    ];
    let a = assign_labels(&counts, &[0, 0, 0, 1], 2).unwrap();
    // Neuron 0: class 0 mean 2 (6 over 3 images) against class 1's 1: class 0.
    assert_eq!(a, vec![Some(0), Some(1), Some(1), Some(1)]);
    // Class 0 votes 3 / 1 neuron = 3; class 1 votes (2 + 2 + 2) / 3 = 2; a sum would say 6.
    assert_eq!(classify(&[vec![3, 2, 2, 2]], &a, 2).unwrap(), vec![0]);
}

#[test]
fn bad_counts_labels_and_assignments_are_refused() {
    let msg = |r: synchgraph::Result<Vec<Option<usize>>>| r.unwrap_err().to_string();
    let counts = vec![vec![1, 0], vec![0, 1]];
    assert!(msg(assign_labels(&counts, &[0, 2], 2)).contains("label 2"));
    assert!(msg(assign_labels(&counts, &[0], 2)).contains("1 labels for 2 samples"));
    assert!(msg(assign_labels(&[vec![1, 0], vec![1]], &[0, 1], 2)).contains("sample 1 has 1"));
    let a = vec![Some(0), Some(3)];
    let e = classify(&counts, &a, 2).unwrap_err().to_string();
    assert!(e.contains("class 3"), "{e}");
    let e = classify(&[vec![1, 0, 0]], &[Some(0), None], 2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("sample 0 has 3"), "{e}");
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
    // Raises scale every rate in proportion (Diehl & Cook): two raises at the default gain of
    // 0.5 double the rates, and a zero input stays silent. (This used to pin the old flat
    // raise, +32 intensity units per raise to lit inputs only: (100 + 64) * 0.25 Hz.)
    let r = sample_rates(&cfg, &[0.0, 100.0], 2).unwrap();
    assert_eq!(r[0], 0.0);
    assert!((r[1] - 100.0 * 0.25 * 2.0).abs() < 1e-4);
}

/// Neurons that fire about as fast as the model allows: a one-step refractory period (free
/// again on the step after a spike), resting above threshold with a 1 ms membrane constant, no
/// adaptive threshold.
fn fast_firing_config() -> synchgraph::snn::config::Config {
    let mut cfg = stdp_config(16, 4, 3);
    cfg.sim.sample_ms = 40.0;
    for g in [&mut cfg.exc, &mut cfg.inh] {
        g.refractory_ms = cfg.sim.dt_ms;
        g.v_rest = -40.0;
        g.v_reset = -65.0;
        g.v_thresh = -52.0;
        g.theta_offset = 0.0;
        g.theta_init = 0.0;
        g.theta_plus = 0.0;
        g.tau_ms = 1.0;
    }
    cfg.validate().unwrap();
    cfg
}

#[test]
fn one_step_refractory_periods_fit_the_spike_record() {
    // The records of `train` and `present` were sized for refractory periods of 4 steps or
    // more, so a valid config of 1-step periods overflowed them ("raise the record capacity",
    // which no caller could do). They are now sized by `Config::spike_bound`.
    let cfg = fast_firing_config();
    let steps = u64::from(cfg.steps(cfg.sim.sample_ms));
    assert_eq!(cfg.spike_bound(steps), 2 * (steps + 1));
    let g = common::gpu();
    let samples: Vec<Vec<f32>> = (0..3)
        .map(|k| (0..16).map(|i| ((i * 37 + k * 11) % 256) as f32).collect())
        .collect();
    let learned = train(&g, &cfg, &samples, &[0, 1], 1, || {}).unwrap();
    assert!(
        learned.train_spikes > 2 * 4 * steps / 4,
        "the neurons fire faster than every 4 steps: {} spikes",
        learned.train_spikes
    );
    let counts = respond(&g, &cfg, &learned, &samples, 3).unwrap();
    assert_eq!(counts.len(), 3);
    // Never more than one spike per step: a one-step refractory period frees a neuron on the
    // step after its spike, as in Brian. (This used to say one per 2 steps, when the period
    // held a neuron one step too long; from its reset potential a neuron here still needs
    // about two steps to climb back over threshold, but only the period is a guarantee.)
    for c in counts.iter().flatten() {
        assert!(u64::from(*c) <= steps && *c > 0, "{counts:?}");
    }
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
    let digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    common::assert_run_metrics(&m, true, Some(&digits), 12);
    assert_eq!(m["test_images"], 12);
    assert_eq!(m["config"]["network"]["neurons_per_modality"], 10);
    assert!(
        m["train_spikes"].as_u64().unwrap() >= 8 * 5,
        "too few spikes: {m}"
    );
    assert!(m["test_spikes"].as_u64().unwrap() > 0);
    for f in ["model.safetensors", "confusion.png", "weights.png"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
}
