//! `train lgrin` errors of the split flags name the flag the user gave: `--folds 0` or `1` is
//! refused before any clip is read (like the other settings that do not depend on the data),
//! and a speaker choice the data cannot take (every speaker tested, every training speaker
//! validating, the default test speakers absent) names `--test-speakers` or `--val-speakers`.

use crate::common;

use std::path::Path;

use common::cli::{fails_with, lgrin_args, npy_clips, npy_dataset, s, scratch, synchgraph, write};

/// A features layout of EmoDB-named clips (speakers 03 and 08, two classes, two clips each).
fn two_speaker_features(dir: &Path) {
    npy_clips(
        dir,
        &[
            ("anger", "03a01Wa"),
            ("anger", "03a02Wb"),
            ("anger", "08a01Wa"),
            ("anger", "08a01Wc"),
            ("sadness", "03a02Ta"),
            ("sadness", "03a05Tc"),
            ("sadness", "08a02Tb"),
            ("sadness", "08a04Tb"),
        ],
    );
}

#[test]
fn a_fold_count_below_two_is_refused_before_the_clips_are_read() {
    let d = scratch("clitrain", "folds-early");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    write(&data.join("a/clip1.npy"), b"not a npy file");
    let out = d.join("o");
    for k in ["0", "1"] {
        let o = synchgraph()
            .args(lgrin_args(
                s(&data),
                s(&out),
                &["--folds", k, "--epochs", "1"],
            ))
            .output()
            .unwrap();
        fails_with(&o, &[&format!("--folds {k}"), "at least 2"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("clip1.npy"),
            "the clips were read first: {err}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn speaker_choices_the_data_cannot_take_name_their_flag() {
    let d = scratch("clitrain", "speaker-flags");
    let data = d.join("data");
    two_speaker_features(&data);
    let out = d.join("o");
    let run = |extra: &[&str]| {
        let mut a = vec!["--epochs", "1"];
        a.extend_from_slice(extra);
        synchgraph()
            .args(lgrin_args(s(&data), s(&out), &a))
            .output()
            .unwrap()
    };
    // Every speaker tested: no training side.
    fails_with(
        &run(&["--split", "speaker", "--test-speakers", "03,08"]),
        &["--test-speakers 03,08", "training or the test side empty"],
    );
    // The default test speakers are not in these data: the message says where 13 came from.
    fails_with(
        &run(&["--split", "speaker"]),
        &[
            "--test-speakers 13,14 (the default)",
            "'13' is not in the data",
        ],
    );
    // The only training speaker held out for validation: nothing left to train on.
    fails_with(
        &run(&[
            "--split",
            "speaker",
            "--test-speakers",
            "08",
            "--val-speakers",
            "03",
        ]),
        &["--val-speakers 03", "leave no training clips"],
    );
    assert!(!out.join("metrics.json").exists());
}

#[test]
fn a_late_fold_left_with_one_training_clip_is_refused_before_any_fold_trains() {
    // Fold 1 tests 08 and trains on 03; fold 2 tests 03 and, with 09 validating, trains on the
    // one clip of 08: refused up front, not after fold 1 has trained.
    let d = scratch("clitrain", "late-fold");
    let data = d.join("data");
    npy_clips(
        &data,
        &[
            ("anger", "03a01Wa"),
            ("sadness", "03a02Ta"),
            ("anger", "08a01Wa"),
            ("anger", "09a01Wb"),
            ("sadness", "09a02Tb"),
        ],
    );
    let out = d.join("o");
    let o = synchgraph()
        .args(lgrin_args(
            s(&data),
            s(&out),
            &[
                "--epochs",
                "1",
                "--split",
                "speaker",
                "--test-speakers",
                "08/03",
                "--val-speakers",
                "09",
            ],
        ))
        .output()
        .unwrap();
    fails_with(&o, &["fold 2", "1 training clip", "at least 2"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("fold 1: test accuracy"),
        "fold 1 trained: {err}"
    );
    assert!(!out.join("metrics.json").exists());
}

#[test]
fn too_few_clips_for_the_default_folds_name_the_default() {
    // No --folds given: the 5 folds the message names are the default's, and it says so.
    let d = scratch("clitrain", "default-folds");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let out = d.join("o");
    let o = synchgraph()
        .args(lgrin_args(s(&data), s(&out), &["--epochs", "1"]))
        .output()
        .unwrap();
    fails_with(&o, &["--folds 5 (the default)", "4 clips"]);
    assert!(!out.exists());
}
