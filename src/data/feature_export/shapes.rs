//! [`ExportClipShapes`]: the shape every clip matrix of an export has, and the check of each
//! matrix read from it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::clip_list::{read_clip_list, ListedClip, FEATURES_CLIPS};
use super::index::{parse_exported, read_index, ExportedFeatures};
use crate::error::{Error, Result};
use crate::features::FrameMatrix;

/// The shape a `synchgraph features` export wrote every clip matrix with: `settings.nodes` rows
/// and (where the index names it) `settings.dims` columns of its [`FEATURES_INDEX`], and the
/// `nodes` and `dims` its [`FEATURES_CLIPS`] list gives each clip. Reading an export checks every
/// clip's matrix against it ([`ExportClipShapes::check`]) before taking the matrix as node
/// features: a matrix of another shape (say one copied in from an export of another `--nodes`)
/// would otherwise be regrouped to the export's node count as if its rows were frames.
///
/// [`FEATURES_INDEX`]: super::FEATURES_INDEX
#[derive(Debug, Clone)]
pub struct ExportClipShapes {
    /// The export's [`FEATURES_INDEX`](super::FEATURES_INDEX).
    index: PathBuf,
    /// What that index says of the features (its `settings.nodes` among them).
    exported: ExportedFeatures,
    /// Its `settings.dims`, when it has one.
    dims: Option<usize>,
    /// The export's [`FEATURES_CLIPS`].
    list: PathBuf,
    /// The `nodes`, `dims` and `speaker` listed for each clip, by its path (the export folder
    /// joined with its listed path).
    listed: HashMap<PathBuf, ListedClip>,
}

impl ExportClipShapes {
    /// The clip shapes of the export in `dir`, or `None` where [`exported_features`] finds no
    /// export there (no index, or one without a node count: the rows are frames). Errors as
    /// [`exported_features`] does, when `settings.dims` is not a whole number of 1 or more, and
    /// when the clip list cannot be read.
    ///
    /// [`exported_features`]: super::exported_features
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let Some((index, meta)) = read_index(dir)? else {
            return Ok(None);
        };
        let Some(exported) = parse_exported(&index, &meta)? else {
            return Ok(None);
        };
        let dims = match &meta["settings"]["dims"] {
            serde_json::Value::Null => None,
            v => Some(
                v.as_u64()
                    .filter(|&d| d >= 1)
                    .and_then(|d| usize::try_from(d).ok())
                    .ok_or_else(|| {
                        Error::data(
                            &index,
                            format!("'settings.dims' is {v}, not a feature width of 1 or more"),
                        )
                    })?,
            ),
        };
        let (list, listed) = match read_clip_list(dir)? {
            Some((list, clips)) => (
                list,
                clips.into_iter().map(|c| (dir.join(&c.rel), c)).collect(),
            ),
            None => (dir.join(FEATURES_CLIPS), HashMap::new()),
        };
        Ok(Some(ExportClipShapes {
            index,
            exported,
            dims,
            list,
            listed,
        }))
    }

    /// What the export's index says of its features ([`exported_features`] of its folder).
    ///
    /// [`exported_features`]: super::exported_features
    pub fn exported(&self) -> ExportedFeatures {
        self.exported
    }

    /// Graph nodes per clip (`settings.nodes`): the rows of every clip matrix.
    pub fn nodes(&self) -> usize {
        self.exported.nodes
    }

    /// Features per node (`settings.dims`), when the index names them: the columns of every
    /// clip matrix.
    pub fn dims(&self) -> Option<usize> {
        self.dims
    }

    /// Refuse the matrix `m` read from the clip file `path` of this export unless it has the
    /// export's node count of rows and feature width of columns, and the `nodes` and `dims`
    /// the clip list gives `path` (when it lists it). The error names the file and both
    /// counts, and asks for the clips to be exported again.
    pub fn check(&self, path: &Path, m: &FrameMatrix) -> Result<()> {
        let again = "the file is not the one this export wrote (copied in from an export with \
                     other settings?); export the clips again";
        if m.rows != self.nodes() {
            return Err(Error::data(
                path,
                format!(
                    "holds {} rows, but this export has {} nodes per clip ('settings.nodes' of \
                     {}): {again}",
                    m.rows,
                    self.nodes(),
                    self.index.display()
                ),
            ));
        }
        if let Some(dims) = self.dims.filter(|&d| d != m.cols) {
            return Err(Error::data(
                path,
                format!(
                    "holds {} columns, but this export has {dims} features per node \
                     ('settings.dims' of {}): {again}",
                    m.cols,
                    self.index.display()
                ),
            ));
        }
        if let Some(&ListedClip { nodes, dims, .. }) = self.listed(path) {
            for (name, what, got, want) in [
                ("nodes", "rows", m.rows, nodes),
                ("dims", "columns", m.cols, dims),
            ] {
                if let Some(want) = want.filter(|&w| w != got) {
                    return Err(Error::data(
                        path,
                        format!(
                            "holds {got} {what}, but {} lists it with {name} {want}: {again}",
                            self.list.display()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The speaker the clip list gives the clip file `path`: `Some(None)` where it lists the
    /// clip with an empty speaker (the source named none), `None` where it does not list the
    /// clip or has no `speaker` column (the file name is then all there is to go by).
    pub fn listed_speaker(&self, path: &Path) -> Option<Option<&str>> {
        self.listed(path)
            .and_then(|c| c.speaker.as_ref())
            .map(Option::as_deref)
    }

    /// The clip list's entry for the clip file `path`, named as given or made absolute.
    fn listed(&self, path: &Path) -> Option<&ListedClip> {
        self.listed.get(path).or_else(|| {
            std::path::absolute(path)
                .ok()
                .and_then(|p| self.listed.get(&p))
        })
    }
}
