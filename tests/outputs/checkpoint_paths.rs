//! Errors about a checkpoint read from a file name that file. `meta`, `get`, `upload` and
//! `load_params` on a checkpoint from `Checkpoint::load` (or `from_bytes` with a path) said
//! "checkpoint error in <checkpoint>: ...", leaving the user to guess which of several model
//! files lacked the key or held the wrong shape; a checkpoint built in memory still says
//! `<checkpoint>`, and two checkpoints of the same contents are equal wherever they came from.

use crate::common;

use std::path::{Path, PathBuf};

use common::gpu;
use synchgraph::autodiff::ParamStore;
use synchgraph::report::Checkpoint;
use synchgraph::{Error, Tensor};

/// A saved checkpoint of one tensor `w` [2] and one metadata key, at a path of its own.
fn saved(name: &str) -> (PathBuf, Checkpoint) {
    let dir = std::env::temp_dir().join(format!("sg-ckpt-paths-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    let mut ck = Checkpoint::new();
    ck.insert("w", &[2], vec![1.0, 2.0]).unwrap();
    ck.set_meta("kind", "test");
    ck.save(&path).unwrap();
    (path, ck)
}

/// `r` is a checkpoint error naming `path` and containing `needle`.
fn names_file<T: std::fmt::Debug>(r: synchgraph::Result<T>, path: &Path, needle: &str) {
    match r {
        Err(e @ Error::Checkpoint { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains(&path.display().to_string()) && text.contains(needle),
                "{text}"
            );
            assert!(!text.contains("<checkpoint>"), "{text}");
        }
        other => panic!("not a checkpoint error: {other:?}"),
    }
}

#[test]
fn lookups_in_a_loaded_checkpoint_name_its_file() {
    let (path, ck) = saved("lookups");
    let back = Checkpoint::load(&path).unwrap();
    assert_eq!(
        back, ck,
        "where a checkpoint came from is not part of its contents"
    );
    assert_eq!(back.source(), Some(path.as_path()));
    assert_eq!(ck.source(), None);
    names_file(
        back.meta("classes"),
        &path,
        "metadata key \"classes\" is missing",
    );
    names_file(back.get("b"), &path, "tensor \"b\" is missing");
    let bytes = std::fs::read(&path).unwrap();
    let mem = Checkpoint::from_bytes(&bytes, Path::new("mem.safetensors")).unwrap();
    names_file(mem.get("b"), Path::new("mem.safetensors"), "\"b\"");
    // A clone keeps the name of the file its contents came from.
    names_file(back.clone().meta("x"), &path, "\"x\"");
    // Built in memory: no file to name.
    let text = ck.meta("classes").unwrap_err().to_string();
    assert!(text.contains("<checkpoint>"), "{text}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_shape_mismatch_on_upload_names_the_file() {
    let g = gpu();
    let (path, _) = saved("upload");
    let back = Checkpoint::load(&path).unwrap();
    names_file(back.upload(&g, "w", &[3]), &path, "has shape [2]");
    let mut store = ParamStore::new();
    store.add(
        "w",
        Tensor::zeros(&g, &[2, 1], synchgraph::DType::F32).unwrap(),
        0.0,
    );
    names_file(back.load_params(&mut store), &path, "\"w\"");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
