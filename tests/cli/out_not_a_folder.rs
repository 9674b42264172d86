//! An output path blocked by a file is reported as such. A `--out` that names an existing file
//! failed with "--out F: creating it: File exists", as if the folder were being made twice, and
//! a `--json` or `--record` file whose folder is a file named that folder as the flag's value
//! ("--json F: creating it: File exists" for `--json F/report.json`).

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn an_out_that_is_a_file_is_named_as_not_a_folder() {
    let d = scratch("out-not-a-folder", "train");
    let file = d.join("taken");
    write(&file, b"not a folder");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");
    let o = synchgraph()
        .args(["train", "lgrin", "--data", data, "--out", s(&file)])
        .output()
        .unwrap();
    fails_with(
        &o,
        &[&format!("--out {} exists and is not a folder", s(&file))],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("creating it"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_output_file_under_a_file_names_the_file_given_and_its_folder() {
    let d = scratch("out-not-a-folder", "json");
    let file = d.join("taken");
    write(&file, b"not a folder");
    let json = file.join("report.json");
    let o = synchgraph()
        .args(["bench", "--quick", "--filter", "add", "--json", s(&json)])
        .output()
        .unwrap();
    fails_with(
        &o,
        &[&format!(
            "--json {}: its folder {} exists and is not a folder",
            s(&json),
            s(&file)
        )],
    );
    let _ = std::fs::remove_dir_all(&d);
}
