//! The `command` entry of `metrics.json`: any command line is recorded, one whose arguments
//! are not valid UTF-8 included (it used to panic after the whole run), and quoted so that
//! arguments holding spaces read back as they were given.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::common;
use common::cli::{npy_dataset, s, scratch, succeeds, synchgraph};

#[test]
fn a_non_utf8_out_folder_is_recorded_not_a_panic() {
    let d = scratch("command-record", "non-utf8");
    let data = d.join("data");
    npy_dataset(&data, 3, 4);
    let mut out = d.clone().into_os_string().into_vec();
    out.extend_from_slice(b"/run \xff");
    let out = std::path::PathBuf::from(OsString::from_vec(out));
    let o = synchgraph()
        .args(["train", "lgrin", "--data", s(&data), "--batch", "2"])
        .args(["--iters-per-epoch", "1", "--nodes", "4", "--epochs", "1"])
        .args(["--folds", "2", "--hidden", "8", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    succeeds(&o, "train lgrin into a non-UTF-8 folder");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("metrics.json")).unwrap()).unwrap();
    let command = m["command"].as_str().unwrap();
    assert!(command.contains(" train lgrin "), "{command}");
    // The folder's name holds a space: quoted, it stays one argument.
    assert!(command.ends_with("/run \u{fffd}'"), "{command}");
    assert!(command.contains(&format!(" --out '{}", s(&d))), "{command}");
    let _ = std::fs::remove_dir_all(&d);
}
