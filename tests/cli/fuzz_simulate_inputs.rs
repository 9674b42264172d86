//! Mutation fuzzing of the input files of `synchgraph simulate` through the binary: the
//! `--features` CSV (one clip of 40 intensities per line, read by the command itself) and the
//! `--input-spikes` list, with `assets/snn/small.toml` (40 inputs, 1000 steps of 0.5 ms).
//!
//! The runs have no GPU adapter (`WGPU_BACKEND` names a backend this platform lacks), which
//! the command opens only after reading its inputs: a mutated file is either refused with a
//! message naming it and its line, or read, and then the run stops at the missing adapter.
//! Which of the two happens must agree with an independent reading of the file: a features
//! line of 40 finite intensities whose rates (x `network.rate_scale` 0.25) are within
//! [0, `network.max_rate_hz` 63.75], and a spike list the library's parser accepts for the
//! config's 40 inputs and 1000 steps.

use std::path::Path;

use synchgraph::features::text::text_lines;
use synchgraph::snn::encoding::SpikeList;

use crate::common::cli::{fails_with, run_for, s, scratch, ABSENT_BACKEND};
use crate::fuzz::{cases, shown, Mutator};

/// The small example config.
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn/small.toml");
/// Inputs and steps of that config's default run ((350 + 150) ms / 0.5 ms).
const N_IN: usize = 40;
const STEPS: usize = 1000;

/// Whether `simulate` should accept `bytes` as its `--features` file.
fn features_valid(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut clips = 0;
    for line in text_lines(text)
        .into_iter()
        .filter(|l| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split(',').collect();
        let good = |f: &&str| {
            f.trim()
                .parse::<f32>()
                .is_ok_and(|x| x.is_finite() && (0.0..=63.75).contains(&(f64::from(x) * 0.25)))
        };
        if fields.len() != N_IN || !fields.iter().all(good) {
            return false;
        }
        clips += 1;
    }
    clips > 0
}

/// Whether `simulate` should accept `bytes` as its `--input-spikes` file.
fn spikes_valid(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .is_ok_and(|t| SpikeList::from_csv(t, "x.csv", N_IN, STEPS, 0.5).is_ok())
}

/// Run `simulate` on the input file `input` (`flag` says which) without an adapter, and check
/// that it fails at the adapter when `valid`, else on the file.
fn check(case: usize, flag: &str, input: &Path, bytes: &[u8], valid: bool, record: &Path) {
    let args = [
        "simulate",
        "--config",
        CONFIG,
        flag,
        s(input),
        "--record",
        s(record),
    ];
    let out = run_for(&args, &[("WGPU_BACKEND", ABSENT_BACKEND)], 30);
    let err = String::from_utf8_lossy(&out.stderr);
    let ctx = format!("{flag} case {case}, input b\"{}\": {err}", shown(bytes));
    let at_adapter = err.contains("no GPU adapter");
    assert_eq!(at_adapter, valid, "{ctx}");
    fails_with(&out, &[]);
    if !valid {
        let name = input.file_name().unwrap().to_str().unwrap();
        assert!(err.contains(name), "error does not name the file: {ctx}");
    }
    assert!(!record.exists(), "a failed run left its record: {ctx}");
}

/// Mutated `--features` files: refused, naming the file, exactly when a line is not 40
/// intensities in range.
#[test]
fn mutated_features_files_are_read_as_written() {
    let d = scratch("fuzz-simulate", "features");
    let p = d.join("features.csv");
    let record = d.join("record.csv");
    let row = |k: usize| {
        let v: Vec<String> = (0..N_IN)
            .map(|i| format!("{}", (i * 7 + k * 3) % 250))
            .collect();
        v.join(",") + "\n"
    };
    let seed = format!("{}{}", row(0), row(1).replace(",1", ", 1.5"));
    assert!(features_valid(seed.as_bytes()));
    let mut m = Mutator::new(9);
    let (mut ok, mut bad) = (0, 0);
    for case in 0..cases(120) {
        let b = m.mutate(seed.as_bytes());
        std::fs::write(&p, &b).unwrap();
        let valid = features_valid(&b);
        check(case, "--features", &p, &b, valid, &record);
        if valid {
            ok += 1;
        } else {
            bad += 1;
        }
    }
    assert!(ok > 0 && bad > 0, "ok {ok}, bad {bad}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Mutated `--input-spikes` files: refused, naming the file, exactly when the library's
/// parser refuses them for the config's inputs and steps.
#[test]
fn mutated_spike_files_are_read_as_written() {
    let d = scratch("fuzz-simulate", "spikes");
    let p = d.join("spikes.csv");
    let record = d.join("record.csv");
    let mut seed = String::from("input_index,time_ms\n");
    for k in 0..20 {
        seed.push_str(&format!("{},{}\n", (k * 13) % N_IN, k as f64 * 24.5 + 0.5));
    }
    seed.push_str("39,499.5\n");
    assert!(spikes_valid(seed.as_bytes()));
    let mut m = Mutator::new(10);
    let (mut ok, mut bad) = (0, 0);
    for case in 0..cases(120) {
        let b = m.mutate(seed.as_bytes());
        std::fs::write(&p, &b).unwrap();
        let valid = spikes_valid(&b);
        check(case, "--input-spikes", &p, &b, valid, &record);
        if valid {
            ok += 1;
        } else {
            bad += 1;
        }
    }
    assert!(ok > 0 && bad > 0, "ok {ok}, bad {bad}");
    let _ = std::fs::remove_dir_all(&d);
}
