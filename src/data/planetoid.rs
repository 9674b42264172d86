//! Planetoid citation graphs (Cora, CiteSeer, PubMed) in the plain-text layout of
//! `shared/data/cora`: `<name>.nodes.txt` (`node_id label nnz feature_indices...`, label -1 for
//! unlabelled nodes, binary features), `<name>.edges.txt` (undirected `u v` pairs) and
//! `<name>.split.txt` (`train|val|test` followed by node ids). Lines starting with `#` are comments;
//! a `# ... N dims ...` comment at the top of the nodes file fixes the feature width (feature
//! indices must then be below N); without one the width is the largest index + 1. A width of 0
//! is refused, and so is a feature index listed twice on one line. Each split takes exactly one
//! line. A leading UTF-8 byte-order mark is skipped.

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

/// The text of `path` without a leading UTF-8 byte-order mark (Windows editors write one),
/// which would otherwise stick to the first token.
fn read(path: &Path) -> Result<String> {
    let mut text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
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

/// Feature width from a `# ... <N> dims ...` header comment (the comment lines before the first
/// node line; blank lines among them are skipped, as everywhere else in the file). Tokens are
/// compared with surrounding punctuation trimmed, so Cora's `... binary 0/1, 1433 dims;
/// label -1 = unlabeled` and `(4 dims)` both count.
fn declared_dims(text: &str) -> Option<usize> {
    let header = text
        .lines()
        .map(str::trim_start)
        .take_while(|l| l.is_empty() || l.starts_with('#'));
    for l in header {
        let toks: Vec<&str> = l
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .collect();
        for w in toks.windows(2) {
            if w[1] == "dims" {
                if let Ok(n) = w[0].parse() {
                    return Some(n);
                }
            }
        }
    }
    None
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

        let text = read(&nodes_path)?;
        let mut rows: Vec<(usize, u32, Option<u32>, Vec<u32>)> = Vec::new();
        for (ln, l) in lines(&text) {
            let toks: Vec<&str> = l.split_whitespace().collect();
            if toks.len() < 3 {
                return Err(Error::parse(
                    &nodes_path,
                    ln,
                    "expected 'node_id label num_nonzero indices...'",
                ));
            }
            let id: u32 = int(&nodes_path, ln, toks[0], "node id")?;
            let label: i64 = int(&nodes_path, ln, toks[1], "label")?;
            let label = match label {
                -1 => None,
                l if (0..=u32::MAX as i64 / 2).contains(&l) => Some(l as u32),
                l => {
                    return Err(Error::parse(
                        &nodes_path,
                        ln,
                        format!("label {l} out of range (expected -1 or a class index >= 0)"),
                    ))
                }
            };
            let nnz: usize = int(&nodes_path, ln, toks[2], "feature count")?;
            // toks.len() >= 3 here; `3 + nnz` would overflow for an nnz near usize::MAX.
            if toks.len() - 3 != nnz {
                return Err(Error::parse(
                    &nodes_path,
                    ln,
                    format!("announces {nnz} features but lists {}", toks.len() - 3),
                ));
            }
            let feats = toks[3..]
                .iter()
                .map(|t| int(&nodes_path, ln, t, "feature index"))
                .collect::<Result<Vec<u32>>>()?;
            rows.push((ln, id, label, feats));
        }
        let n = rows.len();
        if n == 0 {
            return Err(Error::Empty {
                path: nodes_path.display().to_string(),
                message: "no nodes".into(),
            });
        }
        let max_feat = rows
            .iter()
            .flat_map(|r| r.3.iter())
            .max()
            .map_or(0, |&m| m as usize + 1);
        let num_features = declared_dims(&text).unwrap_or(max_feat);
        if num_features == 0 {
            return Err(Error::data(
                &nodes_path,
                "no feature dims: the '# N dims' header gives 0, or there is none and no node \
                 lists a feature index; a node classifier needs at least one feature",
            ));
        }
        let cells = n.saturating_mul(num_features);
        if cells > MAX_DENSE_FEATURES {
            return Err(Error::data(
                &nodes_path,
                format!(
                    "{n} nodes x {num_features} feature dims is over the {MAX_DENSE_FEATURES} \
                     dense feature values this loader holds; check the '# N dims' header and \
                     the feature indices"
                ),
            ));
        }
        let mut features = vec![0.0f32; cells];
        let mut labels = vec![None; n];
        let mut seen = vec![false; n];
        for (ln, id, label, feats) in &rows {
            let i = *id as usize;
            if i >= n {
                // n lines and an id past them: some id below n is not listed (1-based ids?).
                let mut listed = vec![false; n];
                rows.iter()
                    .filter(|r| (r.1 as usize) < n)
                    .for_each(|r| listed[r.1 as usize] = true);
                let missing = listed.iter().position(|&l| !l).unwrap_or(0);
                return Err(Error::parse(
                    &nodes_path,
                    *ln,
                    format!(
                        "node id {i} out of range for {n} nodes (ids must be 0..{n}, and node \
                         {missing} is not listed)"
                    ),
                ));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(Error::parse(
                    &nodes_path,
                    *ln,
                    format!("node {i} listed twice"),
                ));
            }
            if let Some(l) = label.filter(|&l| l as usize >= n) {
                return Err(Error::parse(
                    &nodes_path,
                    *ln,
                    format!(
                        "label {l} out of range: a class index must be below the node count \
                         ({n} nodes), as there are no more classes than nodes"
                    ),
                ));
            }
            labels[i] = *label;
            for &f in feats {
                if f as usize >= num_features {
                    return Err(Error::parse(
                        &nodes_path,
                        *ln,
                        format!("feature index {f} out of range for {num_features} dims"),
                    ));
                }
                // Binary features: an index given twice would leave fewer non-zeros than the
                // line announces (and a wrong row sum after normalisation).
                let cell = &mut features[i * num_features + f as usize];
                if std::mem::replace(cell, 1.0) != 0.0 {
                    return Err(Error::parse(
                        &nodes_path,
                        *ln,
                        format!("feature index {f} listed twice"),
                    ));
                }
            }
        }
        let num_classes = labels.iter().flatten().max().map_or(0, |&m| m as usize + 1);

        let text = read(&edges_path)?;
        let mut edges = Vec::new();
        for (ln, l) in lines(&text) {
            let toks: Vec<&str> = l.split_whitespace().collect();
            if toks.len() != 2 {
                return Err(Error::parse(&edges_path, ln, "expected 'u v'"));
            }
            let u: u32 = int(&edges_path, ln, toks[0], "node id")?;
            let v: u32 = int(&edges_path, ln, toks[1], "node id")?;
            if u as usize >= n || v as usize >= n {
                return Err(Error::parse(
                    &edges_path,
                    ln,
                    format!("edge ({u}, {v}) refers to a node that does not exist ({n} nodes)"),
                ));
            }
            edges.push((u, v));
        }

        let text = read(&split_path)?;
        let (mut train, mut val, mut test) = (None, None, None);
        for (ln, l) in lines(&text) {
            let mut toks = l.split_whitespace();
            let kind = toks.next().unwrap_or_default();
            let ids = toks
                .map(|t| {
                    let i: u32 = int(&split_path, ln, t, "node id")?;
                    if i as usize >= n {
                        return Err(Error::parse(
                            &split_path,
                            ln,
                            format!("{kind} node {i} does not exist ({n} nodes)"),
                        ));
                    }
                    if labels[i as usize].is_none() {
                        return Err(Error::parse(
                            &split_path,
                            ln,
                            format!("{kind} node {i} has no label"),
                        ));
                    }
                    Ok(i)
                })
                .collect::<Result<Vec<u32>>>()?;
            let slot = match kind {
                "train" => &mut train,
                "val" => &mut val,
                "test" => &mut test,
                k => {
                    return Err(Error::parse(
                        &split_path,
                        ln,
                        format!("unknown split '{k}' (expected train, val or test)"),
                    ))
                }
            };
            if slot.is_some() {
                return Err(Error::parse(
                    &split_path,
                    ln,
                    format!("the {kind} split is repeated (each split takes one line)"),
                ));
            }
            *slot = Some(ids);
        }
        let take = |s: Option<Vec<u32>>, what: &str| -> Result<Vec<u32>> {
            match s {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(Error::Empty {
                    path: split_path.display().to_string(),
                    message: format!("the {what} split is empty or missing"),
                }),
            }
        };
        let train = take(train, "train")?;
        let val = take(val, "val")?;
        let test = take(test, "test")?;
        // A node in two splits would be scored on what it trained on (or selected with).
        let splits = [("train", &train[..]), ("val", &val), ("test", &test)];
        if let Some((i, other, what)) = super::split::listed_twice(n, &splits) {
            return Err(Error::data(
                &split_path,
                format!(
                    "node {i} is listed in {other} and again in {what}; the splits must be \
                     disjoint"
                ),
            ));
        }
        Ok(Planetoid {
            name,
            num_nodes: n,
            num_features,
            num_classes,
            features,
            labels,
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
