//! Hostile inputs to `train synchgraph`, and negative flag values on every command: bad numbers,
//! one class, clip names of no known scheme, and negative values that must reach each option's
//! own check. Every case must end with a non-zero exit status (1 for a run-time error, 2 for a
//! command-line error), no panic or abort, and a message naming the problem, quickly: cases that
//! used to hang run under a time limit.

use crate::common;
use crate::hostile_support::{
    digits_gz, features_layout, run, small_snn_config, tmp, tone, wav_bytes,
};

use std::path::Path;

use common::cli::{fails_with, matrix, s, write};
use synchgraph::data::emotion_features::npy_bytes;

// ---------------------------------------------------------------- train synchgraph

/// Free Spoken Digit style clips: `<digit>_x_<n>.wav` at 8 kHz.
fn digit_clips(dir: &Path, digits: &[u32], per: usize) {
    for &g in digits {
        for k in 0..per {
            let w = wav_bytes(
                1,
                8000,
                &tone(2400, 10.0 + g as f64 * 7.0, (g * 10) as u64 + k as u64),
            );
            write(&dir.join(format!("{g}_x_{k}.wav")), w);
        }
    }
}

#[test]
fn negative_numbers_reach_the_value_checks() {
    // clap reads "-1" after a flag as another flag unless the argument allows negative
    // numbers; every float option does, so a negative value gets the option's own check.
    let d = tmp("negative");
    let clips = d.join("clips");
    digit_clips(&clips, &[0, 1], 3);
    let feats = d.join("feats");
    let good = npy_bytes(&matrix(6, 3, 1));
    features_layout(&feats, "npy", &good, &good);
    let digits = d.join("digits.csv.gz");
    digits_gz(&digits, 12);
    let config = d.join("small.toml");
    write(&config, small_snn_config());
    let (o, record) = (d.join("o"), d.join("r.csv"));
    let (clips, feats, digits, config, o, record) = (
        s(&clips),
        s(&feats),
        s(&digits),
        s(&config),
        s(&o),
        s(&record),
    );
    let lgrin = [
        "train", "lgrin", "--data", feats, "--folds", "2", "--out", o,
    ];
    let synch = ["train", "synchgraph", "--audio", clips, "--out", o];
    let stdp = ["train", "stdp", "--data", digits, "--out", o];
    let simulate = ["simulate", "--config", config, "--record", record];
    let cases: [(&[&str], &str, &str, &str); 9] = [
        (
            &lgrin,
            "--lr",
            "-0.5",
            "lr must be a positive finite number",
        ),
        (
            &lgrin,
            "--val-fraction",
            "-0.1",
            "val_fraction must be in [0, 0.9)",
        ),
        (
            &synch,
            "--window-ms",
            "-1",
            "synchrony window must be a finite number",
        ),
        (
            &synch,
            "--w-cross",
            "-1",
            "--w-cross must be a finite weight >= 0, got -1",
        ),
        (&synch, "--lr", "-1", "lr -1 > 0"),
        (
            &synch,
            "--dropout",
            "-0.5",
            "GCN dropout -0.5 must be in [0, 1)",
        ),
        (
            &stdp,
            "--test-fraction",
            "-0.3",
            "--test-fraction must be in (0, 1)",
        ),
        (&simulate, "--intensity", "-5", "rate -1.25 Hz outside"),
        (
            &simulate,
            "--duration-ms",
            "-5",
            "--duration-ms must be a positive number of ms",
        ),
    ];
    for (command, flag, value, needle) in cases {
        let mut args = command.to_vec();
        args.extend_from_slice(&[flag, value]);
        fails_with(&run(&args), &[needle]);
    }
}

#[test]
fn synchgraph_bad_numbers_names_and_one_class_are_refused_early() {
    let d = tmp("synchgraph");
    let ok = d.join("ok");
    digit_clips(&ok, &[0, 1], 3);
    let o = d.join("o");
    for (flag, value, needle) in [
        ("--epochs", "0", "--epochs must be at least 1"),
        ("--batch", "0", "--batch must be at least 1"),
        ("--w-cross", "NaN", "--w-cross"),
        // Audio only: there is no cross-modal link to weigh.
        ("--w-cross", "2", "--w-cross joins the two modalities"),
        // The GCN's settings are checked before any clip is simulated.
        ("--hidden", "0", "hidden width from 1 to"),
        ("--hidden", "4611686018427387904", "hidden width from 1 to"),
        ("--lr", "0", "lr 0 > 0"),
    ] {
        let out = run(&[
            "train",
            "synchgraph",
            "--audio",
            s(&ok),
            flag,
            value,
            "--out",
            s(&o),
        ]);
        fails_with(&out, &[needle]);
    }
    let one = d.join("one");
    digit_clips(&one, &[4], 6);
    let out = run(&[
        "train",
        "synchgraph",
        "--audio",
        s(&one),
        "--epochs",
        "1",
        "--out",
        s(&o),
    ]);
    fails_with(&out, &["one class", "at least two"]);
    // Names that follow neither scheme used to be labelled by their 6th character.
    let names = d.join("names");
    for (k, name) in [
        "take_a1", "take_b1", "take_a2", "take_b2", "take_a3", "take_b3",
    ]
    .iter()
    .enumerate()
    {
        write(
            &names.join(format!("{name}.wav")),
            wav_bytes(1, 8000, &tone(2400, 12.0, k as u64)),
        );
    }
    let out = run(&[
        "train",
        "synchgraph",
        "--audio",
        s(&names),
        "--epochs",
        "1",
        "--out",
        s(&o),
    ]);
    fails_with(&out, &["take_a1.wav", "EmoDB"]);
}
