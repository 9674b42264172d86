//! What `train lgrin` and `train synchgraph` check before the feature extraction (minutes on a
//! full data set): the test and validation speakers, checked on the clip list, and the adapter.
//! A mistyped `--test-speakers` or `--val-speakers`, or a machine without a GPU adapter, used
//! to be reported only after every clip's features were extracted.

use crate::common;

use std::path::Path;

use common::cli::{fails_with, lgrin_args, run_for, s, scratch, write, ABSENT_BACKEND};

/// The bundled EmoDB example copied to `dir`, plus a clip of speaker 14 whose bytes are no WAV:
/// extracting its features fails, so a run that extracts before checking the split says so.
fn emodb_with_a_broken_clip(dir: &Path) {
    for e in std::fs::read_dir("assets/examples/emodb").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "wav") {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    write(&dir.join("14a07Wa.wav"), b"not a wav file");
}

/// A speaker that is not in the data, named as a test or a validation speaker, is refused by
/// its flag before any clip is read for its features.
#[test]
fn unknown_speakers_are_refused_before_the_features_are_extracted() {
    let d = scratch("checks-first", "speakers");
    let data = d.join("data");
    emodb_with_a_broken_clip(&data);
    let o = d.join("o");
    for (extra, needle) in [
        (
            &["--split", "speaker", "--test-speakers", "99"][..],
            "--test-speakers 99",
        ),
        (
            &[
                "--split",
                "speaker",
                "--test-speakers",
                "14",
                "--val-speakers",
                "77",
            ][..],
            "--val-speakers 77",
        ),
    ] {
        let out = run_for(&lgrin_args(s(&data), s(&o), extra), &[], 120);
        fails_with(&out, &[needle]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("14a07Wa"),
            "features were extracted first: {err}"
        );
    }
    assert!(!o.exists(), "a refused run left its --out folder");
}

/// Without an adapter, both trainers stop with the adapter error before reading any clip's
/// features, and leave no --out folder.
#[test]
fn a_missing_adapter_is_reported_before_the_features_are_extracted() {
    let d = scratch("checks-first", "adapter");
    let data = d.join("data");
    emodb_with_a_broken_clip(&data);
    let o = d.join("o");
    let lgrin = lgrin_args(
        s(&data),
        s(&o),
        &["--split", "speaker", "--test-speakers", "14"],
    );
    let synch = ["train", "synchgraph", "--audio", s(&data), "--out", s(&o)];
    for args in [&lgrin[..], &synch[..]] {
        let out = run_for(args, &[("WGPU_BACKEND", ABSENT_BACKEND)], 120);
        fails_with(&out, &["no GPU adapter found"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("14a07Wa"),
            "features were extracted first: {err}"
        );
        assert!(!o.exists(), "a refused run left its --out folder");
    }
}
