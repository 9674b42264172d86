//! Graph data loaders on the real shared data (Cora, MUTAG) and on broken files the tests write,
//! plus the stratified splits.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use synchgraph::data::planetoid::Planetoid;
use synchgraph::data::split::{complement, stratified_kfold, train_val_split};
use synchgraph::data::tu::TuDataset;
use synchgraph::Error;

const CORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora");
const MUTAG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");

/// A fresh scratch folder holding the given files (the counter keeps folders of tests running
/// in parallel apart).
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let k = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("synchgraph-data-{}-{k}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for (f, text) in files {
        fs::write(dir.join(f), text).unwrap();
    }
    dir
}

const NODES: &str = "# id label nnz idx (4 dims)\n0 0 1 0\n1 1 2 1 3\n2 -1 0\n3 1 1 2\n";
const EDGES: &str = "# u v\n0 1\n1 2\n2 3\n";
const SPLIT: &str = "train 0\nval 3\ntest 1\n";

fn planetoid(nodes: &str, edges: &str, split: &str) -> Result<Planetoid, Error> {
    let dir = scratch(
        &format!("p{}", nodes.len() * 31 + edges.len() * 7 + split.len()),
        &[
            ("toy.nodes.txt", nodes),
            ("toy.edges.txt", edges),
            ("toy.split.txt", split),
        ],
    );
    let r = Planetoid::load(&dir);
    let _ = fs::remove_dir_all(&dir);
    r
}

#[test]
fn cora_loads_with_the_public_split() {
    let d = Planetoid::load(Path::new(CORA)).unwrap();
    assert_eq!(d.name, "cora");
    assert_eq!(d.num_nodes, 2708);
    assert_eq!(d.num_features, 1433);
    assert_eq!(d.num_classes, 7);
    assert_eq!(d.edges.len(), 5278);
    assert_eq!((d.train.len(), d.val.len(), d.test.len()), (140, 500, 1000));
    assert_eq!(d.labels[0], Some(3));
    let row0: f32 = d.features[..1433].iter().sum();
    assert_eq!(row0, 9.0, "node 0 has 9 nonzero features");
    let norm = d.row_normalized_features();
    let s: f32 = norm[..1433].iter().sum();
    assert!((s - 1.0).abs() < 1e-6);
}

#[test]
fn toy_planetoid_and_its_errors() {
    let d = planetoid(NODES, EDGES, SPLIT).unwrap();
    assert_eq!((d.num_nodes, d.num_features, d.num_classes), (4, 4, 2));
    assert_eq!(d.labels[2], None);
    assert_eq!(d.labels_or_zero(), vec![0, 1, 0, 1]);
    assert_eq!(d.features[4 + 3], 1.0);

    // Edge to a node that does not exist.
    let e = planetoid(NODES, "0 1\n1 9\n", SPLIT).unwrap_err();
    assert!(matches!(e, Error::Parse { line: 2, .. }), "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    // Label out of range.
    let e = planetoid("0 -3 0\n1 0 0\n", "0 1\n", "train 1\nval 1\ntest 1\n").unwrap_err();
    assert!(e.to_string().contains("label -3 out of range"), "{e}");
    // Feature index beyond the declared width.
    let e = planetoid("# (2 dims)\n0 0 1 5\n", "", "train 0\nval 0\ntest 0\n").unwrap_err();
    assert!(e.to_string().contains("feature index 5"), "{e}");
    // Empty split.
    let e = planetoid(NODES, EDGES, "train 0 1\nval\ntest 0\n").unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    assert!(e.to_string().contains("val split"), "{e}");
    // Split node without a label.
    let e = planetoid(NODES, EDGES, "train 2\nval 3\ntest 0\n").unwrap_err();
    assert!(e.to_string().contains("node 2 has no label"), "{e}");
    // Broken line.
    let e = planetoid("0 1 3 4\n", EDGES, SPLIT).unwrap_err();
    assert!(e.to_string().contains("announces 3 features"), "{e}");
    // Missing file.
    let dir = scratch(
        "missing",
        &[("toy.nodes.txt", NODES), ("toy.split.txt", SPLIT)],
    );
    let e = Planetoid::load(&dir).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("toy.edges.txt"), "{e}");
    let _ = fs::remove_dir_all(&dir);
    let e = Planetoid::load(Path::new("/nonexistent/planetoid")).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
}

#[test]
fn planetoid_header_fixes_the_width_through_punctuation() {
    // Cora's header reads "... binary 0/1, 1433 dims; label -1 = unlabeled": the width token is
    // "dims;". Here the features use only indices < 3, so only the header can give 6.
    let nodes = "# id label nnz idx (binary 0/1, 6 dims; x)\n0 0 1 0\n1 1 2 1 2\n2 -1 0\n3 1 1 2\n";
    let d = planetoid(nodes, EDGES, SPLIT).unwrap();
    assert_eq!(
        d.num_features, 6,
        "from the '6 dims;' header, not the largest index + 1"
    );
    assert_eq!(d.features.len(), 4 * 6);
    assert_eq!(d.features[6 + 2], 1.0);
    let d = planetoid(
        "# 6 dims; x\n0 0 1 0\n1 1 1 2\n2 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2\n",
    )
    .unwrap();
    assert_eq!(d.num_features, 6);
}

#[test]
fn planetoid_feature_index_past_the_header_width_is_an_error() {
    // An index at or past the declared width is an error naming the file and the line.
    let e = planetoid(
        "# 6 dims; x\n0 0 1 0\n1 1 2 1 6\n2 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2\n",
    )
    .unwrap_err();
    assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("toy.nodes.txt"), "{msg}");
    assert!(
        msg.contains("feature index 6 out of range for 6 dims"),
        "{msg}"
    );
    // Index 5 is the last column the header allows.
    let d = planetoid(
        "# 6 dims; x\n0 0 1 5\n1 1 0\n2 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2\n",
    )
    .unwrap();
    assert_eq!((d.num_features, d.features[5]), (6, 1.0));
}

#[test]
fn planetoid_repeated_split_line_is_an_error() {
    let e = planetoid(NODES, EDGES, "train 0\nval 3\ntrain 0\ntest 1\n").unwrap_err();
    assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("toy.split.txt"), "{msg}");
    assert!(msg.contains("train"), "{msg}");
    assert!(msg.contains("repeated") || msg.contains("again"), "{msg}");
}

#[test]
fn planetoid_huge_feature_count_is_a_parse_error_not_a_panic() {
    let nodes = format!("0 0 {} 1\n1 1 0\n", usize::MAX);
    let e = planetoid(&nodes, "0 1\n", "train 0\nval 1\ntest 1\n").unwrap_err();
    assert!(matches!(e, Error::Parse { line: 1, .. }), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("announces {} features but lists 1", usize::MAX)),
        "{e}"
    );
}

#[test]
fn mutag_loads() {
    let d = TuDataset::load(Path::new(MUTAG)).unwrap();
    assert_eq!(d.name, "MUTAG");
    assert_eq!(d.graphs.len(), 188);
    assert_eq!(d.class_values, vec![-1, 1]);
    assert_eq!(d.num_features, 7, "seven one-hot atom types");
    let nodes: usize = d.graphs.iter().map(|g| g.num_nodes).sum();
    let edges: usize = d.graphs.iter().map(|g| g.edges.len()).sum();
    assert_eq!((nodes, edges), (3371, 7442));
    let labels = d.labels();
    assert_eq!(labels[0], 1, "first graph has label 1 -> class 1");
    assert_eq!(labels.iter().filter(|&&l| l == 1).count(), 125);
    for g in &d.graphs {
        for row in g.features.chunks(7) {
            assert_eq!(row.iter().sum::<f32>(), 1.0, "one-hot rows");
        }
    }
}

fn tu(files: &[(&str, &str)]) -> Result<TuDataset, Error> {
    let name = format!(
        "tu{}",
        files.iter().map(|f| f.1.len()).sum::<usize>() * 13 + files.len()
    );
    let dir = scratch(&name, files);
    let r = TuDataset::load(&dir);
    let _ = fs::remove_dir_all(&dir);
    r
}

#[test]
fn toy_tu_and_its_errors() {
    let a = ("T_A.txt", "1, 2\n2, 1\n3, 4\n");
    let ind = ("T_graph_indicator.txt", "1\n1\n2\n2\n");
    let gl = ("T_graph_labels.txt", "2\n5\n");
    let attrs = ("T_node_attributes.txt", "0.5, 1\n1, 2\n3, 4\n5, 6\n");
    let d = tu(&[a, ind, gl, attrs]).unwrap();
    assert_eq!(d.num_features, 2);
    assert_eq!(d.graphs[1].edges, vec![(0, 1)], "local ids");
    assert_eq!(d.graphs[1].features, vec![3.0, 4.0, 5.0, 6.0]);
    assert_eq!(d.labels(), vec![0, 1]);
    let d = tu(&[a, ind, gl, ("T_node_labels.txt", "3\n1\n1\n3\n")]).unwrap();
    assert_eq!(d.graphs[0].features, vec![0.0, 1.0, 1.0, 0.0]);
    let plain = tu(&[a, ind, gl]).unwrap();
    assert_eq!(plain.num_features, 1);
    assert_eq!(plain.graphs[0].features, vec![1.0, 1.0]);

    let e = tu(&[("T_A.txt", "1, 2\n2, 9\n"), ind, gl]).unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    let e = tu(&[("T_A.txt", "1, 3\n"), ind, gl]).unwrap_err();
    assert!(e.to_string().contains("joins graphs 1 and 2"), "{e}");
    let e = tu(&[("T_A.txt", "1 2 x\n"), ind, gl]).unwrap_err();
    assert!(matches!(e, Error::Parse { line: 1, .. }), "{e}");
    let e = tu(&[a, ("T_graph_indicator.txt", "1\n1\n3\n3\n"), gl]).unwrap_err();
    assert!(e.to_string().contains("lists 2 graphs"), "{e}");
    let e = tu(&[a, ind, ("T_graph_labels.txt", "1\n2\n3\n")]).unwrap_err();
    assert!(e.to_string().contains("graph 3 has no nodes"), "{e}");
    let e = tu(&[a, ind, gl, ("T_node_attributes.txt", "1\n2\nnan\n4\n")]).unwrap_err();
    assert!(e.to_string().contains("bad number"), "{e}");
    let e = tu(&[a, gl]).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("T_graph_indicator.txt"), "{e}");
}

#[test]
fn stratified_folds_partition_and_keep_proportions() {
    let labels: Vec<u32> = (0..47).map(|i| u32::from(i % 3 == 0)).collect();
    let folds = stratified_kfold(&labels, 10, 3).unwrap();
    let mut all: Vec<usize> = folds.iter().flatten().copied().collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..47).collect::<Vec<_>>(),
        "folds partition the items"
    );
    for f in &folds {
        assert!((4..=5).contains(&f.len()));
        let ones = f.iter().filter(|&&i| labels[i] == 1).count();
        assert!((1..=2).contains(&ones), "class 1 spread over folds");
    }
    assert_eq!(
        folds,
        stratified_kfold(&labels, 10, 3).unwrap(),
        "deterministic"
    );
    assert_ne!(folds, stratified_kfold(&labels, 10, 4).unwrap(), "seeded");
    let rest = complement(47, &folds[0]);
    let (tr, va) = train_val_split(&rest, &labels, 0.1, 1).unwrap();
    assert_eq!(tr.len() + va.len(), rest.len());
    assert!(va.iter().all(|i| !tr.contains(i) && !folds[0].contains(i)));
    assert!(stratified_kfold(&labels, 1, 0).is_err());
    assert!(stratified_kfold(&labels[..3], 5, 0).is_err());
    assert!(
        train_val_split(&[0], &labels, 0.5, 0).is_err(),
        "empty part"
    );
}
