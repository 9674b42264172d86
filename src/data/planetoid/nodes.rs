//! The nodes file, `<name>.nodes.txt`: one `node_id label nnz feature_indices...` line per
//! node, and the optional `# ... N dims ...` header comment that fixes the feature width.

use std::path::Path;

use super::{int, lines, MAX_DENSE_FEATURES};
use crate::error::{Error, Result};
use crate::features::text::read_text;

/// What the nodes file holds.
pub(super) struct Nodes {
    /// Feature width.
    pub num_features: usize,
    /// Number of classes (largest label + 1).
    pub num_classes: usize,
    /// Dense binary features, row-major [nodes, num_features].
    pub features: Vec<f32>,
    /// Label per node, `None` when unlabelled.
    pub labels: Vec<Option<u32>>,
}

/// Feature width from a `# ... <N> dims ...` header comment (the comment lines before the first
/// node line; blank lines among them are skipped, as everywhere else in the file). Tokens are
/// compared with surrounding punctuation trimmed (a sign is kept), so Cora's `... binary 0/1,
/// 1433 dims; label -1 = unlabeled` and `(4 dims)` both count. A number before `dims` that is
/// not a whole number (`-4`, `4.5`, `1,433`) is an error naming `path` and its line: skipping
/// it would take the width from the feature indices instead.
fn declared_dims(path: &Path, text: &str) -> Result<Option<usize>> {
    let is_digit = |c: char| c.is_ascii_digit();
    let header = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start()))
        .take_while(|(_, l)| l.is_empty() || l.starts_with('#'));
    for (ln, l) in header {
        let toks: Vec<&str> = l
            .split_whitespace()
            .map(|t| {
                t.trim_start_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '+'))
                    .trim_end_matches(|c: char| !c.is_alphanumeric())
            })
            .collect();
        for w in toks.windows(2) {
            if w[1] == "dims" {
                match w[0].parse() {
                    Ok(n) => return Ok(Some(n)),
                    Err(_) if w[0].trim_start_matches(['-', '+']).starts_with(is_digit) => {
                        return Err(Error::parse(
                            path,
                            ln,
                            format!(
                                "the header gives '{}' dims, not a whole number of feature \
                                 dims",
                                w[0]
                            ),
                        ))
                    }
                    Err(_) => {}
                }
            }
        }
    }
    Ok(None)
}

/// Read and check the nodes file at `nodes_path`: ids `0..n` each listed once, labels below the
/// node count, feature indices below the width, no index twice on a line, and a dense matrix
/// of at least one and at most [`MAX_DENSE_FEATURES`] values.
pub(super) fn read_nodes(nodes_path: &Path) -> Result<Nodes> {
    let text = read_text(nodes_path)?;
    let mut rows: Vec<(usize, u32, Option<u32>, Vec<u32>)> = Vec::new();
    for (ln, l) in lines(&text) {
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() < 3 {
            return Err(Error::parse(
                nodes_path,
                ln,
                "expected 'node_id label num_nonzero indices...'",
            ));
        }
        let id: u32 = int(nodes_path, ln, toks[0], "node id")?;
        let label: i64 = int(nodes_path, ln, toks[1], "label")?;
        let label = match label {
            -1 => None,
            l if (0..=u32::MAX as i64 / 2).contains(&l) => Some(l as u32),
            l => {
                return Err(Error::parse(
                    nodes_path,
                    ln,
                    format!("label {l} out of range (expected -1 or a class index >= 0)"),
                ))
            }
        };
        let nnz: usize = int(nodes_path, ln, toks[2], "feature count")?;
        // toks.len() >= 3 here; `3 + nnz` would overflow for an nnz near usize::MAX.
        if toks.len() - 3 != nnz {
            return Err(Error::parse(
                nodes_path,
                ln,
                format!("announces {nnz} features but lists {}", toks.len() - 3),
            ));
        }
        let feats = toks[3..]
            .iter()
            .map(|t| int(nodes_path, ln, t, "feature index"))
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
    let num_features = declared_dims(nodes_path, &text)?.unwrap_or(max_feat);
    if num_features == 0 {
        return Err(Error::data(
            nodes_path,
            "no feature dims: the '# N dims' header gives 0, or there is none and no node \
             lists a feature index; a node classifier needs at least one feature",
        ));
    }
    let cells = n.saturating_mul(num_features);
    if cells > MAX_DENSE_FEATURES {
        return Err(Error::data(
            nodes_path,
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
                nodes_path,
                *ln,
                format!(
                    "node id {i} out of range for {n} nodes (ids must be 0..{n}, and node \
                     {missing} is not listed)"
                ),
            ));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(Error::parse(
                nodes_path,
                *ln,
                format!("node {i} listed twice"),
            ));
        }
        if let Some(l) = label.filter(|&l| l as usize >= n) {
            return Err(Error::parse(
                nodes_path,
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
                    nodes_path,
                    *ln,
                    format!("feature index {f} out of range for {num_features} dims"),
                ));
            }
            // Binary features: an index given twice would leave fewer non-zeros than the
            // line announces (and a wrong row sum after normalisation).
            let cell = &mut features[i * num_features + f as usize];
            if std::mem::replace(cell, 1.0) != 0.0 {
                return Err(Error::parse(
                    nodes_path,
                    *ln,
                    format!("feature index {f} listed twice"),
                ));
            }
        }
    }
    let num_classes = labels.iter().flatten().max().map_or(0, |&m| m as usize + 1);
    Ok(Nodes {
        num_features,
        num_classes,
        features,
        labels,
    })
}
