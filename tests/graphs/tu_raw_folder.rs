//! A TU data set in PyTorch Geometric's download layout, `NAME/raw/NAME_A.txt`, loads from the
//! `NAME` folder as from `raw/` itself, and `train gcn --data NAME` finds it.

use crate::common;

use std::path::Path;

use common::cli::{run_for, s, scratch, succeeds};
use common::fixtures::tu_pairs;
use synchgraph::data::tu::{tu_folder, TuDataset};

const MUTAG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");

/// MUTAG copied into `MUTAG/raw/` loads from `MUTAG/` with the same graphs and features, the
/// folder is resolved to `raw/`, and a folder with neither layout resolves to nothing.
#[test]
fn pyg_raw_layout_loads_like_the_flat_one() {
    let d = scratch("tu-raw", "mutag").join("MUTAG");
    let raw = d.join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    for e in std::fs::read_dir(MUTAG).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, raw.join(p.file_name().unwrap())).unwrap();
        }
    }
    assert_eq!(tu_folder(&d).as_deref(), Some(raw.as_path()));
    assert_eq!(
        tu_folder(Path::new(MUTAG)).as_deref(),
        Some(Path::new(MUTAG))
    );
    let flat = TuDataset::load(Path::new(MUTAG)).unwrap();
    let nested = TuDataset::load(&d).unwrap();
    assert_eq!(nested.graphs.len(), flat.graphs.len());
    assert_eq!(nested.num_features, flat.num_features);
    assert_eq!(nested.labels(), flat.labels());
    assert_eq!(tu_folder(&raw.join("nothing-here")), None);
}

/// `train gcn --data NAME` trains on `NAME/raw/`.
#[test]
fn train_gcn_finds_the_raw_folder() {
    let d = scratch("tu-raw", "cli");
    tu_pairs(&d.join("D/raw"), &[0, 1, 0, 1, 0, 1, 0, 1]);
    let (data, out) = (d.join("D"), d.join("o"));
    let args = [
        "train",
        "gcn",
        "--data",
        s(&data),
        "--folds",
        "2",
        "--epochs",
        "1",
        "--out",
        s(&out),
    ];
    succeeds(&run_for(&args, &[], 120), "train gcn on D/raw");
    assert!(out.join("metrics.json").is_file());
}
