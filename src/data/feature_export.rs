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
use crate::features::{FrameMatrix, MAX_NODES};

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
    match read_index(dir)? {
        Some((path, meta)) => parse_exported(&path, &meta),
        None => Ok(None),
    }
}

/// [`exported_features`] of the index `meta` read from `path`.
fn parse_exported(path: &Path, meta: &serde_json::Value) -> Result<Option<ExportedFeatures>> {
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

/// Give an exported features layout the class and clip order of the data set it came from (see
/// [`FEATURES_INDEX`] and [`FEATURES_CLIPS`]), so a model trained on the export sees the same
/// labels and batches as one trained on the source files. Where the list has a `speaker`
/// column, its clips get the speakers it lists (none where empty), the source's, in place of
/// those their file names carry.
///
/// When the layout has a [`FEATURES_CLIPS`] list, it must name exactly the clip files found: a
/// clip file it does not list (a stray file copied in, or left from another export) and a listed
/// clip that is missing are errors naming the file and the list, as is a clip listed twice. A
/// clip listed with a `nodes` or `dims` value that is not a whole number, or that is not the
/// `settings.nodes` or `settings.dims` of the [`FEATURES_INDEX`], is an error naming the line.
pub(crate) fn keep_source_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    keep_class_order(dir, list)?;
    let Some((path, listed)) = read_clip_list(dir)? else {
        return Ok(());
    };
    check_listed_shapes(dir, &path, &listed)?;
    let mut rank: HashMap<PathBuf, usize> = HashMap::new();
    for (k, clip) in listed.iter().enumerate() {
        if rank.insert(dir.join(&clip.rel), k).is_some() {
            return Err(Error::data(
                &path,
                format!("lists the clip {} twice", clip.rel),
            ));
        }
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
            .map(|c| c.rel.as_str())
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
    // The speakers the source had: its clip names alone may name others (a `--limit`ed
    // source's full list may mix naming schemes, so that it had none).
    for (clip, listed) in list.clips.iter_mut().zip(&listed) {
        if let Some(speaker) = &listed.speaker {
            clip.speaker = speaker.clone();
        }
    }
    Ok(())
}

/// One clip of a [`FEATURES_CLIPS`] list.
#[derive(Debug, Clone)]
struct ListedClip {
    /// Its path relative to the export folder.
    rel: String,
    /// The line it is listed on (1-based).
    line: usize,
    /// Its `nodes` value (rows of its matrix), when the list has that column.
    nodes: Option<usize>,
    /// Its `dims` value (columns of its matrix), when the list has that column.
    dims: Option<usize>,
    /// Its `speaker` value (`None` inside when empty: the source named no speaker), when the
    /// list has that column.
    speaker: Option<Option<String>>,
}

/// The [`FEATURES_CLIPS`] list of `dir` with its path, its header line skipped, or `None` when
/// `dir` has none. The `nodes`, `dims` and `speaker` columns are found by their names in the
/// header; a value in `nodes` or `dims` that is not a whole number is an error naming the
/// line.
fn read_clip_list(dir: &Path) -> Result<Option<(PathBuf, Vec<ListedClip>)>> {
    let path = dir.join(FEATURES_CLIPS);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let records = csv_records(&text).map_err(|m| Error::data(&path, m))?;
    let Some(((_, header), records)) = records.split_first() else {
        return Ok(Some((path, Vec::new())));
    };
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (nodes_at, dims_at) = (column("nodes"), column("dims"));
    let speaker_at = column("speaker");
    let mut clips = Vec::with_capacity(records.len());
    for (line, record) in records {
        let rel = &record[0];
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
fn check_listed_shapes(dir: &Path, path: &Path, listed: &[ListedClip]) -> Result<()> {
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

/// The shape a `synchgraph features` export wrote every clip matrix with: `settings.nodes` rows
/// and (where the index names it) `settings.dims` columns of its [`FEATURES_INDEX`], and the
/// `nodes` and `dims` its [`FEATURES_CLIPS`] list gives each clip. Reading an export checks every
/// clip's matrix against it ([`ExportClipShapes::check`]) before taking the matrix as node
/// features: a matrix of another shape (say one copied in from an export of another `--nodes`)
/// would otherwise be regrouped to the export's node count as if its rows were frames.
#[derive(Debug, Clone)]
pub struct ExportClipShapes {
    /// The export's [`FEATURES_INDEX`].
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

/// The records of the CSV `text` as [`csv_field`] writes its fields, each with the (1-based)
/// line it starts on; blank lines are skipped and every record has at least one field. The
/// error says which line is malformed.
fn csv_records(text: &str) -> std::result::Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut record_line = 1;
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
            records.push((record_line, record));
        }
        record_line = line;
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
