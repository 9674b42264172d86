//! `eval` and `predict` take the folder `train lgrin` wrote as `--model`; naming its checkpoint
//! file instead is an error that says so and names the folder to give, not an I/O error about
//! `model.safetensors/model.safetensors` not being a directory.

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn a_model_flag_naming_the_checkpoint_file_asks_for_its_folder() {
    let d = scratch("model-flag-file", "file");
    let file = d.join("model/model.safetensors");
    write(&file, b"unused: the flag is refused first");
    write(&d.join("clips/a/x.npy"), b"unused");
    let folder = d.join("model");
    let out = d.join("scores");
    let eval = synchgraph()
        .args(["eval", "--model", s(&file), "--data", s(&d.join("clips"))])
        .args(["--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&eval, &["--model", "is a file", s(&folder)]);
    assert!(!out.exists(), "eval left {out:?} behind");
    let predict = synchgraph()
        .args(["predict", "--model", s(&file), s(&d.join("clips/a/x.npy"))])
        .output()
        .unwrap();
    fails_with(&predict, &["--model", "is a file", s(&folder)]);
    let _ = std::fs::remove_dir_all(&d);
}
