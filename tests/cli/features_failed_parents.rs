//! A `synchgraph features` export that fails (its data folder missing, or a clip unreadable)
//! into a new nested `--out` leaves none of the parent folders it made for `--out`; parents
//! that existed before stay.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::cli::{fails_with, npy_dataset, run_for, s, scratch, succeeds, write};

/// `synchgraph features --data data --out out --nodes 4`.
fn export(data: &Path, out: &Path) -> Output {
    run_for(
        &[
            "features",
            "--data",
            s(data),
            "--out",
            s(out),
            "--nodes",
            "4",
        ],
        &[],
        120,
    )
}

#[test]
fn a_failed_export_leaves_no_parent_folders_it_made() {
    let d = scratch("features-failed-parents", "nested");
    let new = d.join("new");
    let out = new.join("deep/export");

    let o = export(&d.join("no-such-data"), &out);
    fails_with(&o, &["no-such-data"]);
    assert!(!new.exists(), "the failed export left {}", new.display());

    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    write(&data.join("b/clip1.npy"), b"not a npy file");
    let o = export(&data, &out);
    fails_with(&o, &["clip1.npy"]);
    assert!(!new.exists(), "the failed export left {}", new.display());

    // A parent that was there before stays.
    std::fs::create_dir_all(&new).unwrap();
    let o = export(&data, &out);
    fails_with(&o, &["clip1.npy"]);
    assert!(new.is_dir());
    assert!(
        !new.join("deep").exists(),
        "the failed export left new/deep"
    );

    // A readable data folder is exported there.
    npy_dataset(&data, 2, 4);
    succeeds(&export(&data, &out), "features");
    assert!(out.join("a/clip0.npy").is_file());
    let _ = std::fs::remove_dir_all(&d);
}
