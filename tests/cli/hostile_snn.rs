//! Hostile inputs to the spiking network (`simulate`, `train stdp`): configs that overflow or hold
//! NaN, networks over the device limit, durations out of range, and bad STDP numbers.
//! Every case must end with a non-zero exit status (1 for a run-time error, 2 for a command-line
//! error), no panic or abort, and a message naming the problem, quickly: cases that used to hang
//! run under a time limit.

use crate::common;
use crate::hostile_support::{digits_gz, run, small_snn_config, tmp};

use common::cli::{fails_with, run_for, s, write};

// ---------------------------------------------------------------- spiking network

#[test]
fn snn_config_overflow_tiny_dt_and_nan_threshold_are_refused() {
    let d = tmp("snn-config");
    let base = small_snn_config();
    for (name, from, to, needle) in [
        (
            "stride",
            "stride = 1",
            "stride = 9223372036854775807",
            "window 11 with stride",
        ),
        ("dt", "dt_ms = 0.5", "dt_ms = 1e-300", "steps"),
        (
            "theta",
            "theta_init = 20.0",
            "theta_init = nan",
            "exc.theta_init",
        ),
    ] {
        assert!(base.contains(from));
        let cfg = d.join(format!("{name}.toml"));
        write(&cfg, base.replacen(from, to, 1));
        let out = run(&[
            "simulate",
            "--config",
            s(&cfg),
            "--record",
            s(&d.join("r.csv")),
        ]);
        fails_with(&out, &["config error", needle]);
    }
}

#[test]
fn snn_over_the_device_limit_is_refused_not_an_abort() {
    let d = tmp("snn-size");
    let cfg = small_snn_config()
        .replace("inputs_per_modality = 20", "inputs_per_modality = 10000000")
        .replace("neurons_per_modality = 10", "neurons_per_modality = 100")
        .replace("window = 11", "window = 0")
        .replace("stride = 1", "stride = 0");
    let p = d.join("big.toml");
    write(&p, cfg);
    let out = run(&[
        "simulate",
        "--config",
        s(&p),
        "--duration-ms",
        "1",
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["input weights", "over this device's limit"]);
    digits_gz(&d.join("digits.csv.gz"), 6);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&d.join("digits.csv.gz")),
        "--neurons",
        "100000000",
        "--out",
        s(&d.join("o")),
    ]);
    fails_with(&out, &["input weights", "over this device's limit"]);
}

#[test]
fn simulate_duration_beyond_the_step_counter_or_below_one_step_is_refused() {
    let d = tmp("snn-duration");
    let cfg = d.join("small.toml");
    write(&cfg, small_snn_config());
    let out = run_for(
        &[
            "simulate",
            "--config",
            s(&cfg),
            "--duration-ms",
            "1e11",
            "--record",
            s(&d.join("r.csv")),
        ],
        &[],
        30,
    );
    fails_with(&out, &["--duration-ms", "steps"]);
    let out = run(&[
        "simulate",
        "--config",
        s(&cfg),
        "--duration-ms",
        "0.1",
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["--duration-ms", "shorter than one step"]);
}

#[test]
fn stdp_bad_numbers_and_a_contradicting_config_are_refused() {
    let d = tmp("stdp");
    let data = d.join("digits.csv.gz");
    digits_gz(&data, 8);
    let out_dir = d.join("o");
    for (flag, value, needle) in [
        ("--epochs", "0", "--epochs must be at least 1"),
        ("--batch", "0", "--batch must be at least 1"),
        ("--train-limit", "0", "--train-limit must be at least 1"),
        ("--limit", "1", "--limit must be at least 2"),
    ] {
        let out = run(&[
            "train",
            "stdp",
            "--data",
            s(&data),
            "--neurons",
            "4",
            flag,
            value,
            "--out",
            s(&out_dir),
        ]);
        fails_with(&out, &[needle]);
    }
    // One image cannot be split into training and test images.
    let one = d.join("one.csv.gz");
    digits_gz(&one, 1);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&one),
        "--neurons",
        "4",
        "--out",
        s(&out_dir),
    ]);
    fails_with(&out, &["1 image(s)", "need at least 2"]);
    // 64 inputs and 10 neurons in the config, 4 asked for on the command line.
    let cfg = small_snn_config()
        .replace("modalities = 2", "modalities = 1")
        .replace("inputs_per_modality = 20", "inputs_per_modality = 64")
        .replace("window = 11", "window = 0")
        .replace("stride = 1", "stride = 0")
        .replace("    0.0,\n    5.0,\n", "    0.0,\n");
    let p = d.join("digits10.toml");
    write(&p, cfg);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&data),
        "--neurons",
        "4",
        "--config",
        s(&p),
        "--limit",
        "4",
        "--out",
        s(&out_dir),
    ]);
    fails_with(&out, &["--neurons 4", "10 excitatory neurons"]);
}
