//! Loader and split checks: TU graph-indicator errors name the real line (blank lines
//! counted), a Planetoid nodes file without feature dims is refused, and `train_val_split`
//! with a validation fraction of 0 gives an empty validation part (as documented).

use std::path::PathBuf;

use synchgraph::data::planetoid::Planetoid;
use synchgraph::data::split::train_val_split;
use synchgraph::data::tu::TuDataset;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-review-data-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

#[test]
fn tu_graph_indicator_errors_name_the_file_line() {
    // Node 2 (graph 2) is on line 4 after two blank lines; the labels list one graph only.
    let dir = scratch(
        "tu-lines",
        &[
            ("DS_A.txt", "1, 1\n"),
            ("DS_graph_indicator.txt", "1\n\n\n2\n"),
            ("DS_graph_labels.txt", "1\n"),
        ],
    );
    let err = TuDataset::load(&dir).unwrap_err().to_string();
    assert!(err.contains("DS_graph_indicator.txt line 4"), "{err}");
    assert!(err.contains("graph id 2"), "{err}");
}

fn planetoid(name: &str, nodes: &str) -> PathBuf {
    scratch(
        name,
        &[
            ("toy.nodes.txt", nodes),
            ("toy.edges.txt", "0 1\n"),
            ("toy.split.txt", "train 0\nval 1\ntest 2\n"),
        ],
    )
}

#[test]
fn planetoid_without_feature_dims_is_refused() {
    for (name, nodes) in [
        ("planetoid-no-features", "0 0 0\n1 1 0\n2 0 0\n"),
        (
            "planetoid-zero-dims",
            "# toy, 0 dims\n0 0 0\n1 1 0\n2 0 0\n",
        ),
    ] {
        let err = Planetoid::load(&planetoid(name, nodes))
            .unwrap_err()
            .to_string();
        assert!(err.contains("toy.nodes.txt"), "{name}: {err}");
        assert!(err.contains("no feature"), "{name}: {err}");
    }
    // One listed feature index is enough.
    let ok = Planetoid::load(&planetoid("planetoid-one", "0 0 1 0\n1 1 0\n2 0 0\n")).unwrap();
    assert_eq!(ok.num_features, 1);
}

#[test]
fn train_val_split_with_no_validation_fraction_keeps_everything_for_training() {
    let labels = [0u32, 0, 0, 1, 1, 1];
    let all: Vec<usize> = (0..6).collect();
    let (train, val) = train_val_split(&all, &labels, 0.0, 7).unwrap();
    assert_eq!(train, all);
    assert!(val.is_empty());
    // A positive fraction takes at least one item of each class of two or more.
    let (train, val) = train_val_split(&all, &labels, 0.01, 7).unwrap();
    assert_eq!((train.len(), val.len()), (4, 2));
    // A positive fraction that cannot give a validation item, or leaves no training item, is
    // refused.
    assert!(train_val_split(&[0], &labels, 0.5, 0).is_err());
    assert!(train_val_split(&[0, 3], &labels, 0.5, 0).is_err());
    assert!(train_val_split(&all, &labels, 1.0, 0).is_err());
}

#[test]
fn train_val_split_never_sends_a_whole_class_to_validation() {
    // Class 2 has one item; at a fraction of 0.5 it rounds to one validation item, which would
    // leave the class with no training item. It stays in training.
    let labels = [0u32, 0, 0, 0, 1, 1, 1, 1, 2];
    let all: Vec<usize> = (0..9).collect();
    for seed in 0..4 {
        let (train, val) = train_val_split(&all, &labels, 0.5, seed).unwrap();
        assert!(
            train.contains(&8),
            "seed {seed}: class 2's only item left training"
        );
        assert!(!val.contains(&8));
        assert_eq!((train.len(), val.len()), (5, 4), "seed {seed}");
    }
    // A class of two at a fraction above one half keeps one item in training.
    let (train, val) = train_val_split(&[0, 1], &[0, 0], 0.9, 3).unwrap();
    assert_eq!((train.len(), val.len()), (1, 1));
}
