//! A `train gcn`, `train synchgraph`, `train stdp` or `train lgrin` run that fails after
//! making its `--out` folder removes that folder (and the parents it made) again while it is
//! empty, as `eval` does: a refused training constant or an unreadable data folder used to leave an empty
//! output folder behind.

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn a_gcn_constant_refused_by_the_training_leaves_no_out_folder() {
    let d = scratch("failed-run-folders", "gcn");
    let cora = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora");
    let out = d.join("made").join("out");
    let o = synchgraph()
        .args(["train", "gcn", "--data", cora, "--epochs", "1", "--lr", "0"])
        .args(["--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&o, &["lr > 0"]);
    assert!(!d.join("made").exists(), "left {}", out.display());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_synchgraph_audio_folder_without_clips_leaves_no_out_folder() {
    let d = scratch("failed-run-folders", "synchgraph");
    write(&d.join("audio").join("notes.txt"), b"no clips here");
    let out = d.join("made").join("out");
    let o = synchgraph()
        .args(["train", "synchgraph", "--audio", s(&d.join("audio"))])
        .args(["--epochs", "1", "--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&o, &[]);
    assert!(!d.join("made").exists(), "left {}", out.display());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_existing_out_folder_is_kept_when_a_run_fails() {
    let d = scratch("failed-run-folders", "existing");
    let cora = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora");
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let o = synchgraph()
        .args(["train", "gcn", "--data", cora, "--epochs", "1", "--lr", "0"])
        .args(["--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&o, &["lr > 0"]);
    assert!(out.is_dir(), "removed the existing {}", out.display());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_lgrin_data_folder_that_cannot_be_read_leaves_no_out_folder() {
    let d = scratch("failed-run-folders", "lgrin");
    let out = d.join("made").join("out");
    let o = synchgraph()
        .args(common::cli::lgrin_args(
            s(&d.join("missing")),
            s(&out),
            &["--epochs", "1"],
        ))
        .output()
        .unwrap();
    fails_with(&o, &["missing"]);
    assert!(!d.join("made").exists(), "left {}", out.display());
    let _ = std::fs::remove_dir_all(&d);
}
