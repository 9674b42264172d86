//! Folders of the graph data sets skip hidden files (`._cora.nodes.txt`, the AppleDouble files
//! macOS leaves beside every file it copies to a FAT or network drive), as the clip lists and
//! frame folders do: such a file is no second data set, and the folder reads as the one it
//! holds.

use std::path::{Path, PathBuf};

use synchgraph::data::planetoid::{find_nodes_file, Planetoid};
use synchgraph::data::tu::{find_prefix, TuDataset};

use crate::loader_bom::{assert_same_planetoid, assert_same_tu};

const DATA: &str = "../shared/data";

/// AppleDouble header bytes: what a `._name` file starts with.
const APPLE_DOUBLE: &[u8] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ";

/// A fresh copy of the `.txt` files of `from`, each with an AppleDouble `._` file beside it.
fn copy_with_apple_double(from: &Path, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-hidden-graph-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(&p, d.join(&file)).unwrap();
            std::fs::write(d.join(format!("._{file}")), APPLE_DOUBLE).unwrap();
        }
    }
    d
}

#[test]
fn a_planetoid_folder_with_apple_double_files_reads_as_its_data_set() {
    let src = Path::new(DATA).join("cora");
    let d = copy_with_apple_double(&src, "cora");
    assert_eq!(find_nodes_file(&d), Some(d.join("cora.nodes.txt")));
    let got = Planetoid::load(&d).unwrap_or_else(|e| panic!("{e}"));
    let want = Planetoid::load(&src).unwrap();
    assert_eq!(got.name, "cora");
    assert_same_planetoid(got, want);
}

#[test]
fn a_tu_folder_with_apple_double_files_reads_as_its_data_set() {
    let src = Path::new(DATA).join("tu").join("MUTAG");
    let d = copy_with_apple_double(&src, "mutag");
    assert_eq!(find_prefix(&d).as_deref(), Some("MUTAG"));
    let got = TuDataset::load(&d).unwrap_or_else(|e| panic!("{e}"));
    let want = TuDataset::load(&src).unwrap();
    assert_eq!(got.name, "MUTAG");
    assert_same_tu(&got, &want);
}
