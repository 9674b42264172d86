//! The index files of a `synchgraph features` export: `features.json` (class order and extraction
//! settings) and `clips.csv` (the source's clip order). Loading an export through
//! [`super::emotion::load_clips`] reads them, so a model trained on an export sees the labels,
//! batches, node count and normalisation it would have seen on the source files.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::emotion::ClipList;
use crate::data::emotion_features::FEATURE_KINDS;
use crate::data::speaker_norm::FeatureNorm;
use crate::error::{Error, Result};
use crate::features::MAX_NODES;

/// Index file `synchgraph features` writes beside the feature files; its `classes` list keeps the
/// source data set's class order (folder names alone would sort alphabetically).
pub const FEATURES_INDEX: &str = "features.json";

/// Clip list `synchgraph features` writes beside the feature files, in the source's clip order:
/// a header line, then `class/name.npy,...` per clip.
pub const FEATURES_CLIPS: &str = "clips.csv";

/// What the [`FEATURES_INDEX`] of a `synchgraph features` export says of its node features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportedFeatures {
    /// Graph nodes per clip: each matrix row is a node, not a frame.
    pub nodes: usize,
    /// The normalisation already applied to the exported features.
    pub normalize: FeatureNorm,
    /// The extraction that made them (`settings.kind`, one of [`FEATURE_KINDS`]), so a model
    /// trained on the export extracts source clips the same way.
    pub kind: Option<&'static str>,
}

/// The parsed [`FEATURES_INDEX`] of `dir` with its path, or `None` when `dir` has none.
fn read_index(dir: &Path) -> Result<Option<(PathBuf, serde_json::Value)>> {
    let path = dir.join(FEATURES_INDEX);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let meta = serde_json::from_str(&text)
        .map_err(|e| Error::data(&path, format!("not valid JSON: {e}")))?;
    Ok(Some((path, meta)))
}

/// The node count and normalisation of a `synchgraph features` export in `dir`, from
/// `settings.nodes` and `settings.normalize` of its [`FEATURES_INDEX`] (a missing normalisation
/// is `none`). `None` when `dir` holds no index or the index names no node count (features
/// made elsewhere, whose rows are frames). Errors when the index cannot be read, its node count
/// is not an integer from 2 to [`MAX_NODES`] (as `--nodes` allows) or its normalisation is
/// unknown.
pub fn exported_features(dir: &Path) -> Result<Option<ExportedFeatures>> {
    let Some((path, meta)) = read_index(dir)? else {
        return Ok(None);
    };
    let settings = &meta["settings"];
    let nodes = match (&settings["nodes"], settings["nodes"].as_u64()) {
        (serde_json::Value::Null, _) => return Ok(None),
        (_, Some(n)) if (2..=MAX_NODES as u64).contains(&n) => n as usize,
        (v, _) => {
            return Err(Error::data(
                &path,
                format!("'settings.nodes' is {v}, not a node count from 2 to {MAX_NODES}"),
            ))
        }
    };
    let normalize = match &settings["normalize"] {
        serde_json::Value::Null => FeatureNorm::None,
        v => serde_json::from_value(v.clone()).map_err(|_| {
            Error::data(
                &path,
                format!("'settings.normalize' is {v}, expected \"none\" or \"speaker\""),
            )
        })?,
    };
    let kind = match &settings["kind"] {
        serde_json::Value::Null => None,
        v => Some(
            v.as_str()
                .and_then(|k| FEATURE_KINDS.iter().copied().find(|&known| known == k))
                .ok_or_else(|| {
                    Error::data(
                        &path,
                        format!(
                            "'settings.kind' is {v}, not one of {}",
                            FEATURE_KINDS.join(", ")
                        ),
                    )
                })?,
        ),
    };
    Ok(Some(ExportedFeatures {
        nodes,
        normalize,
        kind,
    }))
}

/// Give an exported features layout the class and clip order of the data set it came from (see
/// [`FEATURES_INDEX`] and [`FEATURES_CLIPS`]), so a model trained on the export sees the same
/// labels and batches as one trained on the source files.
///
/// When the layout has a [`FEATURES_CLIPS`] list, it must name exactly the clip files found: a
/// clip file it does not list (a stray file copied in, or left from another export) and a listed
/// clip that is missing are errors naming the file and the list, as is a clip listed twice.
pub(crate) fn keep_source_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    keep_class_order(dir, list)?;
    let path = dir.join(FEATURES_CLIPS);
    if !path.is_file() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let records = csv_records(&text).map_err(|m| Error::data(&path, m))?;
    let mut rank: HashMap<PathBuf, usize> = HashMap::new();
    let mut listed: Vec<&str> = Vec::new();
    for record in records.iter().skip(1) {
        let rel = record[0].as_str();
        if rank.insert(dir.join(rel), listed.len()).is_some() {
            return Err(Error::data(&path, format!("lists the clip {rel} twice")));
        }
        listed.push(rel);
    }
    if let Some(stray) = list.clips.iter().find(|c| !rank.contains_key(&c.path)) {
        return Err(Error::data(
            &stray.path,
            format!(
                "is not listed in {}, the clip list of this export: it was added after the \
                 export (or left from another one); remove it or move it elsewhere",
                path.display()
            ),
        ));
    }
    if listed.len() != list.clips.len() {
        let found: HashSet<&Path> = list.clips.iter().map(|c| c.path.as_path()).collect();
        let missing: Vec<&str> = listed
            .iter()
            .copied()
            .filter(|rel| !found.contains(dir.join(rel).as_path()))
            .collect();
        return Err(Error::data(
            &path,
            format!(
                "lists {} clip(s) missing from {}: {}{}",
                missing.len(),
                dir.display(),
                missing[..missing.len().min(5)].join(", "),
                if missing.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    list.clips.sort_by_key(|c| rank[&c.path]);
    Ok(())
}

/// `field` as a field of a CSV line (RFC 4180): quoted, its quotes doubled, when it holds a
/// comma, a quote or a line break; as it is otherwise. [`FEATURES_CLIPS`] is written this way so
/// class and file names with commas read back.
pub fn csv_field(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// The records of the CSV `text` as [`csv_field`] writes its fields; blank lines are skipped
/// and every record has at least one field. The error says which line is malformed.
fn csv_records(text: &str) -> std::result::Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            let start = line;
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(format!("line {start}: a quoted field is not closed")),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => {
                        line += usize::from(c == '\n');
                        field.push(c);
                    }
                }
            }
            if let Some(&c) = chars.peek().filter(|&&c| !matches!(c, ',' | '\n' | '\r')) {
                return Err(format!(
                    "line {line}: '{c}' after the closing quote of a field"
                ));
            }
        } else {
            while let Some(&c) = chars.peek().filter(|&&c| !matches!(c, ',' | '\n')) {
                field.push(c);
                chars.next();
            }
            if field.ends_with('\r') && matches!(chars.peek(), None | Some('\n')) {
                field.pop();
            }
        }
        record.push(field);
        match chars.next() {
            Some(',') => continue,
            Some('\r') if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            _ => {}
        }
        // The end of a line or of the text.
        line += 1;
        let blank = record.len() == 1 && record[0].is_empty();
        let record = std::mem::take(&mut record);
        if !blank {
            records.push(record);
        }
        if chars.peek().is_none() {
            return Ok(records);
        }
    }
}

/// Relabel a features layout in the class order of its [`FEATURES_INDEX`], when one exists and
/// lists exactly the class folders found.
fn keep_class_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    let Some((path, meta)) = read_index(dir)? else {
        return Ok(());
    };
    let Some(order) = meta["classes"].as_array() else {
        return Err(Error::data(&path, "has no 'classes' list"));
    };
    let order: Vec<String> = order
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut found = list.classes.clone();
    let mut listed = order.clone();
    found.sort();
    listed.sort();
    if found != listed {
        return Err(Error::data(
            &path,
            format!(
                "lists classes {order:?}, but the class folders are {:?}",
                list.classes
            ),
        ));
    }
    let remap: Vec<usize> = list
        .classes
        .iter()
        .map(|c| order.iter().position(|o| o == c).unwrap_or(0))
        .collect();
    for clip in &mut list.clips {
        clip.label = remap[clip.label];
    }
    list.classes = order;
    Ok(())
}
