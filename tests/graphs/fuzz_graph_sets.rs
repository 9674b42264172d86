//! Mutation fuzzing of the graph data-set loaders, the TU raw text format (`DS_A.txt`,
//! `DS_graph_indicator.txt`, labels, node labels and attributes) and the Planetoid text layout,
//! on small slices of the shared MUTAG and Cora: every mutated data set either fails with a
//! message or loads with node ids, edges, labels, splits and features that are consistent.

use std::path::Path;

use synchgraph::data::planetoid::Planetoid;
use synchgraph::data::tu::TuDataset;

use crate::common::cli::{scratch, write};
use crate::fuzz::{cases, loaded, shared_data, token_sweep, Mutator, Tally};

/// The first `n` lines of the shared file `rel`, each ended by a newline.
fn head(rel: &str, n: usize) -> String {
    let text = std::fs::read_to_string(shared_data().join(rel)).unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// Lines of `text` (a leading byte-order mark skipped) that are neither blank nor, with
/// `comment`, comments starting with it.
fn content_lines(text: &str, comment: Option<char>) -> usize {
    let text = text.trim_start_matches('\u{feff}');
    let content = |l: &&str| {
        let l = l.trim();
        !l.is_empty() && comment.is_none_or(|c| !l.starts_with(c))
    };
    text.lines().filter(content).count()
}

/// The first two MUTAG graphs as (file part, contents), node attributes made up from the
/// node ids (MUTAG has none).
fn tu_seed() -> Vec<(&'static str, String)> {
    let ind = std::fs::read_to_string(shared_data().join("tu/MUTAG/MUTAG_graph_indicator.txt"));
    let nodes = ind.unwrap().lines().take_while(|l| l.trim() != "3").count();
    let a: String = std::fs::read_to_string(shared_data().join("tu/MUTAG/MUTAG_A.txt"))
        .unwrap()
        .lines()
        .filter(|l| {
            l.split(',')
                .all(|t| t.trim().parse::<usize>().is_ok_and(|v| v <= nodes))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let attrs: String = (0..nodes)
        .map(|v| format!("{}, {}\n", v as f32 * 0.5, 1.0 - v as f32))
        .collect();
    vec![
        ("A", a),
        (
            "graph_indicator",
            head("tu/MUTAG/MUTAG_graph_indicator.txt", nodes),
        ),
        ("graph_labels", head("tu/MUTAG/MUTAG_graph_labels.txt", 2)),
        ("node_labels", head("tu/MUTAG/MUTAG_node_labels.txt", nodes)),
        ("node_attributes", attrs),
    ]
}

/// Fail unless `ds` is consistent: graphs with nodes, features of the announced width that are
/// finite, edges between the graph's own nodes, labels indexing the sorted class values, and
/// one node per line of `indicator`.
fn check_tu(case: usize, ds: &TuDataset, indicator: &str) {
    let ctx = format!("tu case {case}");
    assert!(!ds.graphs.is_empty() && ds.num_features >= 1, "{ctx}");
    assert!(ds.class_values.windows(2).all(|w| w[0] < w[1]), "{ctx}");
    for g in &ds.graphs {
        assert!(g.num_nodes >= 1, "{ctx}: empty graph");
        assert_eq!(g.features.len(), g.num_nodes * ds.num_features, "{ctx}");
        assert!(g.features.iter().all(|v| v.is_finite()), "{ctx}");
        assert!((g.label as usize) < ds.class_values.len(), "{ctx}");
        let n = g.num_nodes as u32;
        assert!(g.edges.iter().all(|&(s, d)| s < n && d < n), "{ctx}: edge");
    }
    let nodes: usize = ds.graphs.iter().map(|g| g.num_nodes).sum();
    let lines = indicator.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        nodes,
        lines.filter(|l| !l.trim().is_empty()).count(),
        "{ctx}"
    );
}

/// Load the TU files `files` (part, contents) from `d` as case `case`, fail unless the result
/// is an error with a message or a consistent data set (see [`check_tu`]) with one graph per
/// label line and one edge per line of `DS_A.txt`, and return whether it loaded.
fn load_tu(d: &Path, case: usize, files: &[(&str, Vec<u8>)]) -> bool {
    let _ = std::fs::remove_file(d.join("D_node_attributes.txt"));
    let mut all = Vec::new();
    for (part, text) in files {
        write(&d.join(format!("D_{part}.txt")), text);
        all.extend_from_slice(format!("--- {part}\n").as_bytes());
        all.extend_from_slice(text);
    }
    let limit = 64 * all.len() + (1 << 20);
    let e = d.to_path_buf();
    let r = loaded("tu", case, &all, limit, move || TuDataset::load(&e));
    if let Some(ds) = &r {
        let text = |k: usize| String::from_utf8_lossy(&files[k].1).into_owned();
        check_tu(case, ds, &text(1));
        assert_eq!(
            ds.graphs.len(),
            content_lines(&text(2), None),
            "tu case {case}"
        );
        let edges: usize = ds.graphs.iter().map(|g| g.edges.len()).sum();
        assert_eq!(edges, content_lines(&text(0), None), "tu case {case}");
    }
    r.is_some()
}

/// The TU seed files as bytes, without the node attributes when `attributes` is false.
fn tu_files(attributes: bool) -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<_> = tu_seed()
        .into_iter()
        .map(|(p, t)| (p, t.into_bytes()))
        .collect();
    if !attributes {
        files.pop();
    }
    files
}

/// TU data sets with one or two of their files mutated (with and without the node attributes):
/// an error or a consistent data set.
#[test]
fn mutated_tu_files_fail_cleanly_or_load_consistently() {
    let d = scratch("fuzz-graph-sets", "tu");
    let mut m = Mutator::new(4);
    let mut tally = Tally::default();
    for case in 0..cases(300) {
        let mut files = tu_files(case % 2 == 1);
        for _ in 0..1 + m.below(2) {
            let k = m.below(files.len());
            files[k].1 = m.mutate(&files[k].1);
        }
        tally.add(&load_tu(&d, case, &files).then_some(()));
    }
    tally.assert_both("tu");
    let _ = std::fs::remove_dir_all(&d);
}

/// Every token spliced over the first and last two fields of each TU file (node ids, graph
/// ids and labels of 99999999999 or 2^32, NaN attributes, ...): an error or a consistent set.
#[test]
fn tu_fields_swept_with_bad_tokens_fail_cleanly_or_load_consistently() {
    let d = scratch("fuzz-graph-sets", "tu-sweep");
    let seed = tu_files(true);
    let mut case = 0;
    for k in 0..seed.len() {
        for b in token_sweep(&seed[k].1, 2) {
            let mut files = seed.clone();
            files[k].1 = b;
            load_tu(&d, case, &files);
            case += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Cora's first 25 nodes (its header comment, 1433 dims), the edges among them and a split of
/// 5 + 5 + 5 nodes, as (file suffix, contents).
fn planetoid_seed() -> Vec<(&'static str, String)> {
    vec![
        ("nodes", head("cora/cora.nodes.txt", 26)),
        ("edges", "# undirected edges u v\n1 2\n17 24\n".to_string()),
        (
            "split",
            "train 0 1 2 3 4\nval 5 6 7 8 9\ntest 10 11 12 13 14\n".to_string(),
        ),
    ]
}

/// Fail unless `p` is consistent: binary features of the announced shape, labels below the
/// class count, edges and splits between existing nodes, splits labelled and disjoint.
fn check_planetoid(case: usize, p: &Planetoid) {
    let ctx = format!("planetoid case {case}");
    let n = p.num_nodes;
    assert!(n >= 1 && p.num_features >= 1, "{ctx}");
    assert_eq!(p.features.len(), n * p.num_features, "{ctx}");
    assert!(p.features.iter().all(|&v| v == 0.0 || v == 1.0), "{ctx}");
    assert_eq!(p.labels.len(), n, "{ctx}");
    assert!(
        p.labels
            .iter()
            .flatten()
            .all(|&l| (l as usize) < p.num_classes),
        "{ctx}"
    );
    let ok = |v: u32| (v as usize) < n;
    assert!(p.edges.iter().all(|&(u, v)| ok(u) && ok(v)), "{ctx}: edge");
    let mut seen = vec![false; n];
    for split in [&p.train, &p.val, &p.test] {
        assert!(!split.is_empty(), "{ctx}: empty split");
        for &i in split.iter() {
            assert!(
                ok(i) && p.labels[i as usize].is_some(),
                "{ctx}: split node {i}"
            );
            assert!(
                !std::mem::replace(&mut seen[i as usize], true),
                "{ctx}: node {i} twice"
            );
        }
    }
}

/// Load the Planetoid files `files` (suffix, contents) from `d` as case `case`, fail unless
/// the result is an error with a message or a consistent data set (see [`check_planetoid`])
/// with a node per node line and an edge per edge line, and return whether it loaded.
fn load_planetoid(d: &Path, case: usize, files: &[(&str, Vec<u8>)]) -> bool {
    let mut all = Vec::new();
    for (part, text) in files {
        write(&d.join(format!("g.{part}.txt")), text);
        all.extend_from_slice(format!("--- {part}\n").as_bytes());
        all.extend_from_slice(text);
    }
    // The dense features of the 25 nodes at up to a hundred times Cora's width.
    let limit = 16 * all.len() + 4 * 26 * 143_300;
    let e = d.to_path_buf();
    let r = loaded("planetoid", case, &all, limit, move || Planetoid::load(&e));
    if let Some(p) = &r {
        check_planetoid(case, p);
        let text = |k: usize| String::from_utf8_lossy(&files[k].1).into_owned();
        let lines = |k| content_lines(&text(k), Some('#'));
        assert_eq!(
            (p.num_nodes, p.edges.len()),
            (lines(0), lines(1)),
            "case {case}"
        );
    }
    r.is_some()
}

/// The Planetoid seed files as bytes.
fn planetoid_files() -> Vec<(&'static str, Vec<u8>)> {
    planetoid_seed()
        .into_iter()
        .map(|(p, t)| (p, t.into_bytes()))
        .collect()
}

/// Planetoid data sets with one or two of their files mutated: an error or a consistent data
/// set.
#[test]
fn mutated_planetoid_files_fail_cleanly_or_load_consistently() {
    let d = scratch("fuzz-graph-sets", "planetoid");
    let mut m = Mutator::new(5);
    let mut tally = Tally::default();
    for case in 0..cases(300) {
        let mut files = planetoid_files();
        for _ in 0..1 + m.below(2) {
            let k = m.below(files.len());
            files[k].1 = m.mutate(&files[k].1);
        }
        tally.add(&load_planetoid(&d, case, &files).then_some(()));
    }
    tally.assert_both("planetoid");
    let _ = std::fs::remove_dir_all(&d);
}

/// Every token spliced over the first and last three fields of each Planetoid file (the dims
/// header's words, node ids, labels, feature counts and indices, split names and ids): an
/// error or a consistent data set.
#[test]
fn planetoid_fields_swept_with_bad_tokens_fail_cleanly_or_load_consistently() {
    let d = scratch("fuzz-graph-sets", "planetoid-sweep");
    let seed = planetoid_files();
    let mut case = 0;
    for k in 0..seed.len() {
        for b in token_sweep(&seed[k].1, 3) {
            let mut files = seed.clone();
            files[k].1 = b;
            load_planetoid(&d, case, &files);
            case += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
