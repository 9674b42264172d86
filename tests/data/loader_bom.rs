//! Text files of the graph and digits data sets that start with a UTF-8 byte-order mark (as
//! Windows editors save them) read as the same files without one, as BVH, landmark and feature
//! CSVs already do. The mark used to stick to the first token: Cora's `# ... 1433 dims` header
//! was read as a node line (an error about a node id that printed as `#`), a split line became
//! the unknown split 'train' (printed so), and MUTAG's first graph id or label, and the digits'
//! first pixel, were "not a number" although they printed as one.

use std::path::{Path, PathBuf};

use synchgraph::data::digits;
use synchgraph::data::planetoid::Planetoid;
use synchgraph::data::tu::TuDataset;

const DATA: &str = "../shared/data";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-loader-bom-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Assert that two loads of a Planetoid data set hold the same sizes, features, labels, edges
/// and splits.
pub(crate) fn assert_same_planetoid(got: Planetoid, want: Planetoid) {
    assert_eq!(
        (got.num_nodes, got.num_features, got.num_classes),
        (want.num_nodes, want.num_features, want.num_classes)
    );
    assert_eq!(got.features, want.features);
    assert_eq!(got.labels, want.labels);
    assert_eq!(got.edges, want.edges);
    assert_eq!(
        (got.train, got.val, got.test),
        (want.train, want.val, want.test)
    );
}

/// Assert that two loads of a TU data set hold the same graphs, feature width and class values.
pub(crate) fn assert_same_tu(got: &TuDataset, want: &TuDataset) {
    assert_eq!(got.graphs, want.graphs);
    assert_eq!(got.num_features, want.num_features);
    assert_eq!(got.class_values, want.class_values);
}

/// Copy every `.txt` file of `from` into `to`, each with a byte-order mark in front.
fn copy_with_bom(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            let mut bytes = "\u{feff}".as_bytes().to_vec();
            bytes.extend(std::fs::read(&p).unwrap());
            std::fs::write(to.join(p.file_name().unwrap()), bytes).unwrap();
        }
    }
}

#[test]
fn cora_files_with_a_byte_order_mark_read_alike() {
    let src = Path::new(DATA).join("cora");
    let d = tmp("cora");
    copy_with_bom(&src, &d);
    let want = Planetoid::load(&src).unwrap();
    let got = Planetoid::load(&d).unwrap_or_else(|e| panic!("{e}"));
    assert_same_planetoid(got, want);
}

#[test]
fn mutag_files_with_a_byte_order_mark_read_alike() {
    let src = Path::new(DATA).join("tu/MUTAG");
    let d = tmp("mutag");
    copy_with_bom(&src, &d);
    let want = TuDataset::load(&src).unwrap();
    let got = TuDataset::load(&d).unwrap_or_else(|e| panic!("{e}"));
    assert_same_tu(&got, &want);
}

#[test]
fn digits_text_with_a_byte_order_mark_reads_alike() {
    let mut row: Vec<String> = (0..64).map(|k| (k % 17).to_string()).collect();
    row.push("7".into());
    let text = format!("{}\n", row.join(","));
    let want = digits::parse(&text, "plain").unwrap();
    let got = digits::parse(&format!("\u{feff}{text}"), "bom").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((got.images, got.labels), (want.images, want.labels));
}
