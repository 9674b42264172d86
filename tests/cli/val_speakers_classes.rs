//! `--val-speakers` must not take away every training clip of a class the fold tests: the
//! model could never predict it. A speaker split already refuses a test class with no training
//! clip; the validation speakers are carved out afterwards, so the same check follows them, and
//! names the fold, the class and the flag before any fold trains.

use crate::common;

use common::cli::{fails_with, lgrin_args, npy_clips, s, scratch, synchgraph};

#[test]
fn validation_speakers_that_hold_a_tested_class_s_only_training_clips_are_refused() {
    // Test speaker 03 has sadness; of the training speakers only 09 has sadness clips, and 09
    // validates: the training part (08's three anger clips) has no sadness clip.
    let d = scratch("val-classes", "only-clips");
    let data = d.join("data");
    npy_clips(
        &data,
        &[
            ("anger", "03a01Wa"),
            ("sadness", "03a02Ta"),
            ("anger", "08a01Wa"),
            ("anger", "08a02Wb"),
            ("anger", "08a04Wc"),
            ("anger", "09a01Wb"),
            ("sadness", "09a02Tb"),
            ("sadness", "09a04Tc"),
        ],
    );
    let out = d.join("o");
    let run = |val: &str| {
        synchgraph()
            .args(lgrin_args(
                s(&data),
                s(&out),
                &[
                    "--epochs",
                    "1",
                    "--split",
                    "speaker",
                    "--test-speakers",
                    "03",
                    "--val-speakers",
                    val,
                ],
            ))
            .output()
            .unwrap()
    };
    let o = run("09");
    fails_with(&o, &["fold 1", "sadness", "--val-speakers"]);
    assert!(!out.join("metrics.json").exists());
    // Control: with 08 validating, 09 trains both classes and the run completes.
    let o = run("08");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("metrics.json").exists());
    let _ = std::fs::remove_dir_all(&d);
}
