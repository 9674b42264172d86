//! The [`FEATURES_INDEX`] of an export (`features.json`): reading it and what its `settings` say
//! of the exported node features.

use std::path::{Path, PathBuf};

use crate::data::emotion_features::FEATURE_KINDS;
use crate::data::speaker_norm::FeatureNorm;
use crate::error::{Error, Result};
use crate::features::MAX_NODES;

/// Index file `synchgraph features` writes beside the feature files; its `classes` list keeps the
/// source data set's class order (folder names alone would sort alphabetically).
pub const FEATURES_INDEX: &str = "features.json";

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
pub(super) fn read_index(dir: &Path) -> Result<Option<(PathBuf, serde_json::Value)>> {
    let path = dir.join(FEATURES_INDEX);
    if !path.is_file() {
        return Ok(None);
    }
    let text = crate::features::text::read_text(&path)?;
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
    match read_index(dir)? {
        Some((path, meta)) => parse_exported(&path, &meta),
        None => Ok(None),
    }
}

/// [`exported_features`] of the index `meta` read from `path`.
pub(super) fn parse_exported(
    path: &Path,
    meta: &serde_json::Value,
) -> Result<Option<ExportedFeatures>> {
    let settings = &meta["settings"];
    let nodes = match (&settings["nodes"], settings["nodes"].as_u64()) {
        (serde_json::Value::Null, _) => return Ok(None),
        (_, Some(n)) if (2..=MAX_NODES as u64).contains(&n) => n as usize,
        (v, _) => {
            return Err(Error::data(
                path,
                format!("'settings.nodes' is {v}, not a node count from 2 to {MAX_NODES}"),
            ))
        }
    };
    let normalize = match &settings["normalize"] {
        serde_json::Value::Null => FeatureNorm::None,
        v => serde_json::from_value(v.clone()).map_err(|_| {
            Error::data(
                path,
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
                        path,
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
