//! `eval` with a `--model` folder whose checkpoint cannot be loaded fails with a checkpoint
//! error and leaves no `--out` folder behind (it used to create an empty one first).

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn a_corrupt_model_leaves_no_out_folder() {
    let d = scratch("eval-bad-model", "corrupt");
    write(
        &d.join("model/model.safetensors"),
        b"not a checkpoint at all",
    );
    write(
        &d.join("clips/03a01Wa.wav"),
        b"unused: the model fails first",
    );
    let out = d.join("scores");
    let o = synchgraph()
        .args(["eval", "--model", s(&d.join("model"))])
        .args(["--data", s(&d.join("clips")), "--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&o, &["checkpoint error"]);
    assert!(!out.exists(), "eval left {out:?} behind");
    let _ = std::fs::remove_dir_all(&d);
}
