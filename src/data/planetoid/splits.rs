//! The edges file (`<name>.edges.txt`, one `u v` pair per line) and the split file
//! (`<name>.split.txt`, one `train|val|test` line of node ids each).

use std::path::Path;

use super::{int, lines};
use crate::error::{Error, Result};
use crate::features::text::read_text;

/// The edges of `edges_path`, each endpoint checked against the `n` nodes.
pub(super) fn read_edges(edges_path: &Path, n: usize) -> Result<Vec<(u32, u32)>> {
    let text = read_text(edges_path)?;
    let mut edges = Vec::new();
    for (ln, l) in lines(&text) {
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 2 {
            return Err(Error::parse(edges_path, ln, "expected 'u v'"));
        }
        let u: u32 = int(edges_path, ln, toks[0], "node id")?;
        let v: u32 = int(edges_path, ln, toks[1], "node id")?;
        if u as usize >= n || v as usize >= n {
            return Err(Error::parse(
                edges_path,
                ln,
                format!("edge ({u}, {v}) refers to a node that does not exist ({n} nodes)"),
            ));
        }
        edges.push((u, v));
    }
    Ok(edges)
}

/// The train, val and test node ids of `split_path`: each split given once, not empty, its
/// nodes existing and labelled in `labels`, and no node in two splits.
pub(super) fn read_splits(
    split_path: &Path,
    labels: &[Option<u32>],
) -> Result<(Vec<u32>, Vec<u32>, Vec<u32>)> {
    let n = labels.len();
    let text = read_text(split_path)?;
    let (mut train, mut val, mut test) = (None, None, None);
    for (ln, l) in lines(&text) {
        let mut toks = l.split_whitespace();
        let kind = toks.next().unwrap_or_default();
        let ids = toks
            .map(|t| {
                let i: u32 = int(split_path, ln, t, "node id")?;
                if i as usize >= n {
                    return Err(Error::parse(
                        split_path,
                        ln,
                        format!("{kind} node {i} does not exist ({n} nodes)"),
                    ));
                }
                if labels[i as usize].is_none() {
                    return Err(Error::parse(
                        split_path,
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
                    split_path,
                    ln,
                    format!("unknown split '{k}' (expected train, val or test)"),
                ))
            }
        };
        if slot.is_some() {
            return Err(Error::parse(
                split_path,
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
    if let Some((i, other, what)) = crate::data::split::listed_twice(n, &splits) {
        return Err(Error::data(
            split_path,
            format!(
                "node {i} is listed in {other} and again in {what}; the splits must be \
                 disjoint"
            ),
        ));
    }
    Ok((train, val, test))
}
