//! Graph-classification data sets in the TU raw text format (Morris et al., TUDataset):
//! `DS_A.txt` (`row, col` per line, 1-based global node ids), `DS_graph_indicator.txt` (the
//! 1-based graph of every node), `DS_graph_labels.txt` (one label per graph), and optionally
//! `DS_node_labels.txt` (categorical labels per node, in one column or several comma-separated
//! ones as in the collection's Cuneiform; each column one-hot encoded over its distinct values,
//! the blocks side by side) and `DS_node_attributes.txt` (comma-separated floats per node,
//! appended after the one-hot part).
//! Without either, every node gets the single feature 1. The dense features may hold at most
//! [`MAX_DENSE_FEATURES`] values.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::emotion::is_skipped_entry;
use super::planetoid::MAX_DENSE_FEATURES;
use crate::error::{Error, Result};
use crate::features::text::read_text;

/// One graph with node ids local to it.
#[derive(Debug, Clone, PartialEq)]
pub struct TuGraph {
    /// Number of nodes.
    pub num_nodes: usize,
    /// Directed edges (local ids) as listed in `DS_A.txt`.
    pub edges: Vec<(u32, u32)>,
    /// Node features, row-major [num_nodes, num_features].
    pub features: Vec<f32>,
    /// Class index (position of the original label in [`TuDataset::class_values`]).
    pub label: u32,
}

/// A whole TU data set.
#[derive(Debug, Clone)]
pub struct TuDataset {
    /// Data set name (the `DS` prefix).
    pub name: String,
    /// Graphs in file order.
    pub graphs: Vec<TuGraph>,
    /// Feature width of every node.
    pub num_features: usize,
    /// Original graph label of each class index, sorted ascending.
    pub class_values: Vec<i64>,
}

/// The `DS` prefix of the single `DS_A.txt` file in `dir`, if there is one. Hidden files (names
/// starting with `.`, such as the `._MUTAG_A.txt` AppleDouble file macOS writes beside a copied
/// file) are not data sets, as the clip lists skip them too.
pub fn find_prefix(dir: &Path) -> Option<String> {
    let mut found: Vec<String> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !is_skipped_entry(n))
        .filter_map(|n| n.strip_suffix("_A.txt").map(str::to_string))
        .collect();
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

/// The folder that holds the TU files of the data set at `dir`: `dir` itself when it holds
/// one `DS_A.txt`, else its `raw/` sub-folder when that does (PyTorch Geometric's download
/// layout, `NAME/raw/NAME_A.txt`); `None` when neither does.
pub fn tu_folder(dir: &Path) -> Option<PathBuf> {
    locate(dir).map(|(folder, _)| folder)
}

/// [`tu_folder`] with the `DS` prefix of its files.
fn locate(dir: &Path) -> Option<(PathBuf, String)> {
    [dir.to_path_buf(), dir.join("raw")]
        .into_iter()
        .find_map(|d| find_prefix(&d).map(|ds| (d, ds)))
}

fn file(dir: &Path, ds: &str, part: &str) -> PathBuf {
    dir.join(format!("{ds}_{part}.txt"))
}

/// The 1-based number and values of every non-blank line of `text`, split on commas and
/// whitespace. Lazy, and borrowing `text`: a data set of tens of millions of edge lines (COLLAB)
/// is not held as a string per value.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let toks = l
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            (i + 1, toks)
        })
}

fn one_int(path: &Path, ln: usize, toks: &[&str]) -> Result<i64> {
    match toks {
        [t] => t
            .parse()
            .map_err(|_| Error::parse(path, ln, format!("'{t}' is not an integer"))),
        _ => Err(Error::parse(path, ln, "expected one integer")),
    }
}

impl TuDataset {
    /// Load the data set whose `DS_A.txt` is in `dir`, or in `dir/raw/` (see [`tu_folder`]).
    pub fn load(dir: &Path) -> Result<TuDataset> {
        let (folder, ds) = locate(dir).ok_or_else(|| {
            Error::data(
                dir,
                "expected exactly one DS_A.txt TU file, in the folder or its raw/ sub-folder",
            )
        })?;
        let dir = folder.as_path();
        let ind_path = file(dir, &ds, "graph_indicator");
        // The graph of every node, and the line it was read from (blank lines are skipped, so
        // a node's line is not its index + 1).
        let mut graph_of = Vec::new();
        let mut ind_line = Vec::new();
        for (ln, toks) in rows(&read_text(&ind_path)?) {
            let g = one_int(&ind_path, ln, &toks)?;
            if g < 1 {
                return Err(Error::parse(&ind_path, ln, format!("graph id {g} < 1")));
            }
            graph_of.push((g - 1) as usize);
            ind_line.push(ln);
        }
        let n = graph_of.len();
        if n == 0 {
            return Err(Error::Empty {
                path: ind_path.display().to_string(),
                message: "no nodes".into(),
            });
        }
        let lab_path = file(dir, &ds, "graph_labels");
        let raw_labels = rows(&read_text(&lab_path)?)
            .map(|(ln, t)| one_int(&lab_path, ln, &t))
            .collect::<Result<Vec<i64>>>()?;
        let num_graphs = raw_labels.len();
        let mut local = vec![0u32; n];
        let mut sizes = vec![0usize; num_graphs];
        for (v, &g) in graph_of.iter().enumerate() {
            if g >= num_graphs {
                return Err(Error::parse(
                    &ind_path,
                    ind_line[v],
                    format!(
                        "graph id {} but {lab_path:?} lists {num_graphs} graphs",
                        g + 1
                    ),
                ));
            }
            local[v] = sizes[g] as u32;
            sizes[g] += 1;
        }
        if let Some(g) = sizes.iter().position(|&s| s == 0) {
            return Err(Error::data(
                &ind_path,
                format!("graph {} has no nodes", g + 1),
            ));
        }
        let class_values: Vec<i64> = raw_labels
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        // Node features: one-hot labels (a block per label column), then attributes.
        let nl_path = file(dir, &ds, "node_labels");
        let node_labels = if nl_path.exists() {
            let mut v: Vec<Vec<i64>> = Vec::with_capacity(n);
            for (ln, toks) in rows(&read_text(&nl_path)?) {
                let r = toks
                    .iter()
                    .map(|t| {
                        t.parse().map_err(|_| {
                            Error::parse(&nl_path, ln, format!("'{t}' is not an integer"))
                        })
                    })
                    .collect::<Result<Vec<i64>>>()?;
                if r.is_empty() {
                    return Err(Error::parse(&nl_path, ln, "no node label"));
                }
                if let Some(first) = v.first().map(Vec::len).filter(|&f| f != r.len()) {
                    return Err(Error::parse(
                        &nl_path,
                        ln,
                        format!("{} node labels, earlier lines have {first}", r.len()),
                    ));
                }
                v.push(r);
            }
            if v.len() != n {
                return Err(Error::data(
                    &nl_path,
                    format!("{} node labels for {n} nodes", v.len()),
                ));
            }
            Some(v)
        } else {
            None
        };
        // The distinct values of each label column, and where its one-hot block starts.
        let columns = node_labels
            .as_ref()
            .and_then(|v| v.first())
            .map_or(0, Vec::len);
        let label_values: Vec<Vec<i64>> = (0..columns)
            .map(|c| {
                let vals = node_labels.iter().flatten().map(|r| r[c]);
                vals.collect::<BTreeSet<_>>().into_iter().collect()
            })
            .collect();
        let block_start: Vec<usize> = label_values
            .iter()
            .scan(0, |at, vals| Some(std::mem::replace(at, *at + vals.len())))
            .collect();
        let n_onehot: usize = label_values.iter().map(Vec::len).sum();
        let at_path = file(dir, &ds, "node_attributes");
        let attrs = if at_path.exists() {
            let mut v = Vec::with_capacity(n);
            for (ln, toks) in rows(&read_text(&at_path)?) {
                let r = toks
                    .iter()
                    .map(|t| {
                        t.parse::<f32>()
                            .ok()
                            .filter(|x| x.is_finite())
                            .ok_or_else(|| Error::parse(&at_path, ln, format!("bad number '{t}'")))
                    })
                    .collect::<Result<Vec<f32>>>()?;
                if r.is_empty() {
                    // A separator-only line: a node without attributes would not fill its row.
                    return Err(Error::parse(&at_path, ln, "no attribute values"));
                }
                if let Some(first) = v.first().map(Vec::len) {
                    if r.len() != first {
                        return Err(Error::parse(
                            &at_path,
                            ln,
                            format!("{} attributes, earlier lines have {first}", r.len()),
                        ));
                    }
                }
                v.push(r);
            }
            if v.len() != n {
                return Err(Error::data(
                    &at_path,
                    format!("{} attribute rows for {n} nodes", v.len()),
                ));
            }
            Some(v)
        } else {
            None
        };
        let n_attr = attrs.as_ref().and_then(|a| a.first()).map_or(0, Vec::len);
        let num_features = match n_onehot + n_attr {
            0 => 1,
            k => k,
        };
        if n.saturating_mul(num_features) > MAX_DENSE_FEATURES {
            // Name the file behind the wider part: the one-hot labels or the attributes.
            let (path, part) = if n_onehot >= n_attr {
                (&nl_path, format!("{n_onehot} distinct node labels"))
            } else {
                (&at_path, format!("{n_attr} attributes per node"))
            };
            return Err(Error::data(
                path,
                format!(
                    "{n} nodes x {num_features} feature dims ({part}) is over the \
                     {MAX_DENSE_FEATURES} dense feature values this loader holds; node labels \
                     are one-hot encoded, one feature per distinct label"
                ),
            ));
        }

        let mut graphs: Vec<TuGraph> = raw_labels
            .iter()
            .zip(&sizes)
            .map(|(l, &s)| TuGraph {
                num_nodes: s,
                edges: Vec::new(),
                features: vec![0.0; s * num_features],
                label: class_values.binary_search(l).unwrap_or(0) as u32,
            })
            .collect();
        for v in 0..n {
            let g = &mut graphs[graph_of[v]];
            let row = &mut g.features[local[v] as usize * num_features..][..num_features];
            if n_onehot == 0 && n_attr == 0 {
                row[0] = 1.0;
            }
            if let Some(nl) = &node_labels {
                for ((vals, start), x) in label_values.iter().zip(&block_start).zip(&nl[v]) {
                    row[start + vals.binary_search(x).unwrap_or(0)] = 1.0;
                }
            }
            if let Some(a) = &attrs {
                row[n_onehot..].copy_from_slice(&a[v]);
            }
        }

        let a_path = file(dir, &ds, "A");
        for (ln, toks) in rows(&read_text(&a_path)?) {
            let ids = toks
                .iter()
                .map(|t| t.parse::<usize>().ok().filter(|&i| i >= 1))
                .collect::<Option<Vec<usize>>>();
            let (s, d) = match ids.as_deref() {
                Some(&[s, d]) => (s - 1, d - 1),
                _ => {
                    return Err(Error::parse(
                        &a_path,
                        ln,
                        "expected 'row, col' (1-based ids)",
                    ))
                }
            };
            if s >= n || d >= n {
                return Err(Error::parse(
                    &a_path,
                    ln,
                    format!(
                        "edge ({}, {}) refers to a node that does not exist ({n} nodes)",
                        s + 1,
                        d + 1
                    ),
                ));
            }
            if graph_of[s] != graph_of[d] {
                return Err(Error::parse(
                    &a_path,
                    ln,
                    format!(
                        "edge ({}, {}) joins graphs {} and {}",
                        s + 1,
                        d + 1,
                        graph_of[s] + 1,
                        graph_of[d] + 1
                    ),
                ));
            }
            graphs[graph_of[s]].edges.push((local[s], local[d]));
        }
        Ok(TuDataset {
            name: ds,
            graphs,
            num_features,
            class_values,
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_values.len()
    }

    /// Class index of every graph.
    pub fn labels(&self) -> Vec<u32> {
        self.graphs.iter().map(|g| g.label).collect()
    }
}
