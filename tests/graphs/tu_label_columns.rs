//! TU node labels in several columns (the TU collection's Cuneiform lists two categorical
//! labels per node): each column is one-hot encoded on its own and the blocks are placed side
//! by side, before the attributes, as PyTorch Geometric reads them; one column reads as before.

use std::path::PathBuf;

use synchgraph::data::tu::TuDataset;
use synchgraph::Error;

/// A fresh scratch folder holding `files`.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-tu-columns-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

/// Load the data set of `files` from a scratch folder `name`, removing the folder after.
fn load(name: &str, files: &[(&str, &str)]) -> Result<TuDataset, Error> {
    let d = scratch(name, files);
    let r = TuDataset::load(&d);
    let _ = std::fs::remove_dir_all(&d);
    r
}

const A: (&str, &str) = ("C_A.txt", "1, 2\n2, 1\n3, 4\n4, 3\n");
const IND: (&str, &str) = ("C_graph_indicator.txt", "1\n1\n2\n2\n");
const GL: (&str, &str) = ("C_graph_labels.txt", "0\n1\n");

/// Two label columns (values {1, 2} and {7, 8, 9}) give a 2 + 3 wide one-hot block per node,
/// followed by the attributes.
#[test]
fn every_label_column_is_one_hot_encoded() {
    let labels = ("C_node_labels.txt", "1, 7\n2, 7\n1, 8\n2, 9\n");
    let d = load("two", &[A, IND, GL, labels]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.num_features, 5);
    assert_eq!(
        d.graphs[0].features,
        [[1., 0., 1., 0., 0.], [0., 1., 1., 0., 0.]].concat()
    );
    assert_eq!(
        d.graphs[1].features,
        [[1., 0., 0., 1., 0.], [0., 1., 0., 0., 1.]].concat()
    );
    let attrs = ("C_node_attributes.txt", "0.5\n1.5\n2.5\n3.5\n");
    let d = load("attrs", &[A, IND, GL, labels, attrs]).unwrap();
    assert_eq!(d.num_features, 6);
    assert_eq!(d.graphs[1].features[6..], [0., 1., 0., 0., 1., 3.5]);
}

/// A line with another number of label columns than the first is a parse error naming it.
#[test]
fn a_line_with_another_column_count_is_refused() {
    let labels = ("C_node_labels.txt", "1, 7\n2, 7\n1\n2, 9\n");
    match load("ragged", &[A, IND, GL, labels]) {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 3, "{message}");
            assert!(
                message.contains("1 node labels, earlier lines have 2"),
                "{message}"
            );
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}
