//! Planetoid citation graphs (Cora, CiteSeer, PubMed) in the plain-text layout of
//! `shared/data/cora`: `<name>.nodes.txt` (`node_id label nnz feature_indices...`, label -1 for
//! unlabelled nodes, binary features), `<name>.edges.txt` (undirected `u v` pairs) and
//! `<name>.split.txt` (`train|val|test` followed by node ids). Lines starting with `#` are comments;
//! a `# ... N dims ...` comment at the top of the nodes file fixes the feature width (feature
//! indices must then be below N, and an N that is not a whole number is refused); without one
//! the width is the largest index + 1. A width of 0 is refused, and so is a feature index listed
//! twice on one line. Each split takes exactly one line. A leading UTF-8 byte-order mark is
//! skipped.

mod nodes;
mod splits;

use std::fs;
use std::path::{Path, PathBuf};

use super::emotion::is_skipped_entry;
use crate::error::{Error, Result};

/// Most dense feature values (nodes x feature dims) [`Planetoid::load`] and
/// [`super::tu::TuDataset::load`] hold: 2^30, 4 GiB of f32. The largest Planetoid set, PubMed,
/// has about 10 million.
pub const MAX_DENSE_FEATURES: usize = 1 << 30;

/// A Planetoid node-classification data set.
#[derive(Debug, Clone)]
pub struct Planetoid {
    /// Data set name (file prefix).
    pub name: String,
    /// Number of nodes.
    pub num_nodes: usize,
    /// Feature width.
    pub num_features: usize,
    /// Number of classes (largest label + 1).
    pub num_classes: usize,
    /// Dense binary features, row-major [num_nodes, num_features].
    pub features: Vec<f32>,
    /// Label per node, `None` when unlabelled.
    pub labels: Vec<Option<u32>>,
    /// Undirected edges as given (u, v).
    pub edges: Vec<(u32, u32)>,
    /// Training node ids.
    pub train: Vec<u32>,
    /// Validation node ids.
    pub val: Vec<u32>,
    /// Test node ids.
    pub test: Vec<u32>,
}

/// The `<name>.nodes.txt` file in `dir`, if there is exactly one. Hidden files (names starting
/// with `.`, such as the `._cora.nodes.txt` AppleDouble file macOS writes beside a copied
/// file) are not data sets, as the clip lists skip them too.
pub fn find_nodes_file(dir: &Path) -> Option<PathBuf> {
    let mut found = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !is_skipped_entry(n) && n.ends_with(".nodes.txt"))
        })
        .collect::<Vec<_>>();
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

/// Non-comment, non-blank lines with their 1-based line numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn int<T: std::str::FromStr>(path: &Path, line: usize, tok: &str, what: &str) -> Result<T> {
    tok.parse()
        .map_err(|_| Error::parse(path, line, format!("{what} '{tok}' is not an integer")))
}

impl Planetoid {
    /// Load `<dir>/<name>.{nodes,edges,split}.txt`, where `name` comes from the single
    /// `*.nodes.txt` file in `dir`. Every id, label and split is validated: labels must be
    /// below the node count, the splits must be disjoint, and the dense feature matrix must have
    /// at least one feature dim and hold at most [`MAX_DENSE_FEATURES`] values.
    pub fn load(dir: &Path) -> Result<Planetoid> {
        let nodes_path = find_nodes_file(dir).ok_or_else(|| {
            Error::data(dir, "expected exactly one <name>.nodes.txt Planetoid file")
        })?;
        let fname = nodes_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let name = fname.trim_end_matches(".nodes.txt").to_string();
        let edges_path = dir.join(format!("{name}.edges.txt"));
        let split_path = dir.join(format!("{name}.split.txt"));

        let nodes = nodes::read_nodes(&nodes_path)?;
        let n = nodes.labels.len();
        let edges = splits::read_edges(&edges_path, n)?;
        let (train, val, test) = splits::read_splits(&split_path, &nodes.labels)?;
        Ok(Planetoid {
            name,
            num_nodes: n,
            num_features: nodes.num_features,
            num_classes: nodes.num_classes,
            features: nodes.features,
            labels: nodes.labels,
            edges,
            train,
            val,
            test,
        })
    }

    /// Features with each row divided by its sum (rows of zeros stay zero), as tkipf/gcn's
    /// `preprocess_features`.
    pub fn row_normalized_features(&self) -> Vec<f32> {
        let f = self.num_features;
        let mut out = self.features.clone();
        for row in out.chunks_mut(f.max(1)) {
            let s: f32 = row.iter().sum();
            if s > 0.0 {
                row.iter_mut().for_each(|v| *v /= s);
            }
        }
        out
    }

    /// Labels as u32 with unlabelled nodes set to 0 (they are masked out of every loss).
    pub fn labels_or_zero(&self) -> Vec<u32> {
        self.labels.iter().map(|l| l.unwrap_or(0)).collect()
    }
}
