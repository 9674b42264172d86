//! TU loader: a `DS_node_attributes.txt` whose lines hold no numbers (only separators) is a
//! parse error naming the file and line, not a `copy_from_slice` panic when the data set has
//! no node labels.

use std::path::PathBuf;

use synchgraph::data::tu::TuDataset;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-r3-tu-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

#[test]
fn attribute_lines_without_numbers_are_refused() {
    let dir = scratch(
        "empty-attrs",
        &[
            ("DS_A.txt", "1, 2\n2, 1\n"),
            ("DS_graph_indicator.txt", "1\n1\n"),
            ("DS_graph_labels.txt", "1\n"),
            ("DS_node_attributes.txt", ",\n,\n"),
        ],
    );
    let r = std::panic::catch_unwind(|| TuDataset::load(&dir).map(|d| d.num_features));
    let r = r.expect("TuDataset::load panicked on attribute lines without numbers");
    let err = r.expect_err("attribute lines without numbers were accepted");
    let msg = err.to_string();
    assert!(msg.contains("DS_node_attributes.txt line 1"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn attributes_and_labels_still_load() {
    let dir = scratch(
        "attrs-ok",
        &[
            ("DS_A.txt", "1, 2\n2, 1\n"),
            ("DS_graph_indicator.txt", "1\n1\n2\n"),
            ("DS_graph_labels.txt", "-1\n1\n"),
            ("DS_node_labels.txt", "0\n3\n0\n"),
            ("DS_node_attributes.txt", "0.5, 1\n2,3\n-1, 0\n"),
        ],
    );
    let d = TuDataset::load(&dir).unwrap();
    assert_eq!(d.num_features, 4);
    assert_eq!(d.class_values, vec![-1, 1]);
    assert_eq!(d.labels(), vec![0, 1]);
    assert_eq!(
        d.graphs[0].features,
        vec![1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 2.0, 3.0]
    );
    assert_eq!(d.graphs[1].features, vec![1.0, 0.0, -1.0, 0.0]);
    assert!(d.graphs[1].edges.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
