//! The [`FEATURES_CLIPS`] list of an export (`clips.csv`): reading its clips with their listed
//! shapes and speakers, and refusing shapes that disagree with the index.

use std::path::{Path, PathBuf};

use super::csv::csv_records;
use super::index::read_index;
use crate::error::{Error, Result};
use crate::features::MAX_NODES;

/// Clip list `synchgraph features` writes beside the feature files, in the source's clip order:
/// a header line, then `class/name.npy,...` per clip.
pub const FEATURES_CLIPS: &str = "clips.csv";

/// One clip of a [`FEATURES_CLIPS`] list.
#[derive(Debug, Clone)]
pub(super) struct ListedClip {
    /// Its path relative to the export folder.
    pub(super) rel: String,
    /// The line it is listed on (1-based).
    pub(super) line: usize,
    /// Its `nodes` value (rows of its matrix), when the list has that column.
    pub(super) nodes: Option<usize>,
    /// Its `dims` value (columns of its matrix), when the list has that column.
    pub(super) dims: Option<usize>,
    /// Its `speaker` value (`None` inside when empty: the source named no speaker), when the
    /// list has that column.
    pub(super) speaker: Option<Option<String>>,
}

/// The [`FEATURES_CLIPS`] list of `dir` with its path, its header line skipped, or `None` when
/// `dir` has none. The `nodes`, `dims` and `speaker` columns are found by their names in the
/// header; a row with another number of fields than the header or without a file name, and a
/// value in `nodes` or `dims` that is not a whole number, are errors naming the line.
pub(super) fn read_clip_list(dir: &Path) -> Result<Option<(PathBuf, Vec<ListedClip>)>> {
    let path = dir.join(FEATURES_CLIPS);
    if !path.is_file() {
        return Ok(None);
    }
    let text = crate::features::text::read_text(&path)?;
    let records = csv_records(&text).map_err(|m| Error::data(&path, m))?;
    let Some(((header_line, header), records)) = records.split_first() else {
        return Ok(Some((path, Vec::new())));
    };
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (nodes_at, dims_at) = (column("nodes"), column("dims"));
    let speaker_at = column("speaker");
    let mut clips = Vec::with_capacity(records.len());
    for (line, record) in records {
        // A truncated or shifted row (a field with an unquoted comma) would otherwise lose its
        // `nodes`, `dims` or `speaker`, read as not listed.
        if record.len() != header.len() {
            return Err(Error::data(
                &path,
                format!(
                    "line {line}: {} fields, but the header (line {header_line}) names {} \
                     columns ({}): a truncated or shifted row (a field holding a comma must be \
                     in double quotes); export the clips again",
                    record.len(),
                    header.len(),
                    header.join(",")
                ),
            ));
        }
        let rel = &record[0];
        if rel.trim().is_empty() {
            return Err(Error::data(
                &path,
                format!("line {line}: no file name in the first field; export the clips again"),
            ));
        }
        let count = |at: Option<usize>, name: &str| -> Result<Option<usize>> {
            match at.and_then(|k| record.get(k)).map(|v| v.trim()) {
                None | Some("") => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| {
                    Error::data(
                        &path,
                        format!("line {line}: the {name} of {rel} is '{v}', not a whole number"),
                    )
                }),
            }
        };
        clips.push(ListedClip {
            nodes: count(nodes_at, "nodes")?,
            dims: count(dims_at, "dims")?,
            speaker: speaker_at.map(|k| record.get(k).filter(|s| !s.is_empty()).cloned()),
            rel: rel.clone(),
            line: *line,
        });
    }
    Ok(Some((path, clips)))
}

/// Refuse a clip of the [`FEATURES_CLIPS`] list at `path` that is listed with a node count or
/// width other than the export's (`settings.nodes` and `settings.dims` of the
/// [`FEATURES_INDEX`] of `dir`, where it has usable ones): the list and the index then describe
/// different exports.
///
/// [`FEATURES_INDEX`]: super::FEATURES_INDEX
pub(super) fn check_listed_shapes(dir: &Path, path: &Path, listed: &[ListedClip]) -> Result<()> {
    let Some((index, meta)) = read_index(dir)? else {
        return Ok(());
    };
    // A node count or width the export cannot have is left to the index's own error.
    let setting = |key: &str| meta["settings"][key].as_u64();
    let nodes = setting("nodes").filter(|n| (2..=MAX_NODES as u64).contains(n));
    let dims = setting("dims").filter(|&d| d >= 1);
    for clip in listed {
        for (name, got, want) in [("nodes", clip.nodes, nodes), ("dims", clip.dims, dims)] {
            if let (Some(got), Some(want)) = (got, want) {
                if got as u64 != want {
                    return Err(Error::data(
                        path,
                        format!(
                            "line {}: {} is listed with {name} {got}, but {} says {want} \
                             ('settings.{name}'): one of the two was edited or taken \
                             from another export; export the clips again",
                            clip.line,
                            clip.rel,
                            index.display()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
