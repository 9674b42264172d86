//! The index files of a `synchgraph features` export: `features.json` (class order and extraction
//! settings) and `clips.csv` (the source's clip order). Loading an export through
//! [`super::emotion::load_clips`] reads them, so a model trained on an export sees the labels,
//! batches, node count and normalisation it would have seen on the source files.

use std::collections::HashMap;
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
pub(crate) fn keep_source_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    keep_class_order(dir, list)?;
    let path = dir.join(FEATURES_CLIPS);
    if !path.is_file() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let rank: HashMap<PathBuf, usize> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .enumerate()
        .map(|(i, rel)| (dir.join(rel), i))
        .collect();
    list.clips.sort_by_cached_key(|c| {
        (
            rank.get(&c.path).copied().unwrap_or(usize::MAX),
            c.path.clone(),
        )
    });
    Ok(())
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
