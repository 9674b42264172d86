//! The clips of an emotion data folder and their node features, shared by `train lgrin`,
//! `features` and `eval`: the `--data`/`--format`/`--nodes` flags, the feature settings a run
//! uses (new, or a saved model's) and the extraction with its progress bar.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion::{load_clips, ClipList, DatasetFormat};
use synchgraph::data::emotion_features::{
    default_threads, extract_all, extract_export, FeatureSettings,
};
use synchgraph::data::feature_export::{ExportClipShapes, ExportedFeatures, FEATURES_INDEX};
use synchgraph::data::speaker_norm::FeatureNorm;
use synchgraph::features::frames::{NODES_SPEECH, NODES_VIDEO};
use synchgraph::features::{FrameMatrix, MAX_NODES};

use crate::cli::progress::bar;

/// The clips to read and how to turn them into node features (shared by `train lgrin` and
/// `features`).
#[derive(clap::Args)]
pub struct ClipSource {
    /// Data folder (EmoDB or RAVDESS WAVs, a folder per class of WAVs, feature files, face-frame
    /// folders, landmark CSVs or BVH clips).
    #[arg(long)]
    pub data: PathBuf,
    /// Layout: emodb, ravdess, folder, features, video (frame folders), landmarks or mocap
    /// (default: detected; landmark CSVs without a `frame,x0,y0,...` or `x0,y0,...` header
    /// need `--format landmarks`).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<String>,
    /// Graph nodes per clip, 2 to 10 000 (default: the paper's 90 for face-frame folders and
    /// landmark CSVs, 120 for speech, motion capture and feature files; on a `synchgraph
    /// features` export, the export's node count, which a different value contradicts).
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Use at most this many clips (evenly spread over the sorted list; for quick runs).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Feature-extraction threads (default: the machine's cores; the features do not depend
    /// on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Node-feature normalisation: `none`, or `speaker` (standardise every feature over all
    /// nodes of each speaker's clips; clips without a speaker form one group).
    #[arg(long, default_value = "none", value_parser = parse_norm)]
    pub normalize: FeatureNorm,
}

/// Check a `--format` value when the command line is read, so an unknown layout is refused
/// naming the flag (as a bad `--normalize` is); the name itself is kept.
pub(crate) fn parse_format(s: &str) -> std::result::Result<String, String> {
    DatasetFormat::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

fn parse_norm(s: &str) -> std::result::Result<FeatureNorm, String> {
    FeatureNorm::parse(s).map_err(|e| e.to_string())
}

impl ClipSource {
    /// Read the clips and extract their node features ([`ClipSource::list`], then
    /// [`ClipSource::extract`]); `min_classes` is the fewest classes training needs (0 when
    /// nothing is trained).
    pub fn load(
        &self,
        min_classes: usize,
    ) -> Result<(ClipList, Vec<FrameMatrix>, FeatureSettings)> {
        let list = self.list(min_classes)?;
        let (feats, settings) = self.extract(&list)?;
        Ok((list, feats, settings))
    }

    /// The clip list ([`list_clips`], with `--limit`), after the check of `--nodes`: what a
    /// command can check on the clips' names (classes, speakers, folds) before the minutes of
    /// [`ClipSource::extract`].
    pub fn list(&self, min_classes: usize) -> Result<ClipList> {
        check_nodes(self.nodes)?;
        let limits = LoadLimits {
            threads: self.threads,
            limit: self.limit,
            min_classes,
        };
        list_clips(&self.data, self.format.as_deref(), &limits)
    }

    /// The node features of the clips of `list` (from [`ClipSource::list`]) with the settings
    /// the flags give ([`extract_features`]), and those settings.
    pub fn extract(&self, list: &ClipList) -> Result<(Vec<FrameMatrix>, FeatureSettings)> {
        let choice = FeatureChoice::New {
            nodes: self.nodes,
            normalize: self.normalize,
        };
        extract_features(&self.data, list, choice, self.threads)
    }
}

/// Which feature settings [`extract_features`] uses.
pub(crate) enum FeatureChoice {
    /// The data layout's defaults with `nodes` nodes and the given normalisation.
    New {
        /// Graph nodes per clip (`None`: the export's count, else [`default_nodes`]).
        nodes: Option<usize>,
        /// Node-feature normalisation.
        normalize: FeatureNorm,
    },
    /// The settings a model was trained with.
    Saved(FeatureSettings),
}

/// How many clips [`list_clips`] keeps and how many classes they must hold, and the threads
/// of [`extract_features`].
#[derive(Clone, Copy)]
pub(crate) struct LoadLimits {
    /// Feature-extraction threads (`--threads`; `None`: the machine's cores).
    pub threads: Option<usize>,
    /// Use at most this many clips (`--limit`).
    pub limit: Option<usize>,
    /// The fewest classes training needs (0 when nothing is trained); checked before any
    /// feature is extracted.
    pub min_classes: usize,
}

/// Refuse a `--nodes` below 2 (a clip's graph needs two nodes) or above [`MAX_NODES`] (the
/// node features and L-GrIN's `nodes x nodes` matrices would not fit); `None` is fine.
pub(crate) fn check_nodes(nodes: Option<usize>) -> Result<()> {
    match nodes {
        Some(n) if n < 2 => bail!("--nodes must be at least 2 (a clip's graph needs two nodes)"),
        Some(n) if n > MAX_NODES => bail!(
            "--nodes {n} is over the limit of {MAX_NODES} nodes per clip (the paper uses 90 \
             and 120; L-GrIN holds nodes x nodes matrices)"
        ),
        _ => Ok(()),
    }
}

/// The clip list of `data` (`--limit` applied), refused when it holds fewer than
/// `min_classes` classes; `--limit` and `--threads` of 0 are refused here too, before anything
/// is read.
pub(crate) fn list_clips(
    data: &Path,
    format: Option<&str>,
    limits: &LoadLimits,
) -> Result<ClipList> {
    let LoadLimits {
        threads,
        limit,
        min_classes,
    } = *limits;
    if limit == Some(0) {
        bail!("--limit must be at least 1");
    }
    if threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let format = format.map(DatasetFormat::parse).transpose()?;
    let mut list = load_clips(data, format)
        .with_context(|| format!("reading the clip list of {}", data.display()))?;
    if let Some(n) = limit {
        list.keep_evenly(n);
    }
    if list.classes.len() < min_classes {
        bail!(
            "{} holds {} class{} ({}); training needs at least {min_classes}",
            data.display(),
            list.classes.len(),
            if list.classes.len() == 1 { "" } else { "es" },
            list.classes.join(", ")
        );
    }
    Ok(list)
}

/// The node features of `list`'s clips (read from `data`) with a progress bar, on `threads`
/// threads (`None`: the machine's cores), normalised as the settings say, and those settings.
pub(crate) fn extract_features(
    data: &Path,
    list: &ClipList,
    choice: FeatureChoice,
    threads: Option<usize>,
) -> Result<(Vec<FrameMatrix>, FeatureSettings)> {
    if let FeatureChoice::New { nodes, .. } = choice {
        check_nodes(nodes)?;
    }
    if threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let threads = threads.unwrap_or_else(default_threads);
    let shapes = match list.format {
        DatasetFormat::Features => ExportClipShapes::read(data)?,
        _ => None,
    };
    let exported = shapes.as_ref().map(ExportClipShapes::exported);
    let mut settings = feature_settings(choice, list.format, data, exported)?;
    let pb = bar(list.clips.len(), "features");
    // The clips of an export hold its node count of rows: checked, never regrouped.
    let mut feats = match &shapes {
        Some(shapes) => extract_export(&list.clips, &mut settings, shapes, threads, &|| pb.inc(1)),
        None => extract_all(&list.clips, &mut settings, threads, &|| pb.inc(1)),
    }
    .context("extracting node features")?;
    pb.finish();
    // An export that is already normalised is not normalised again.
    let applied = exported.map_or(FeatureNorm::None, |e| e.normalize);
    if settings.normalize != applied {
        let speakers: Vec<Option<&str>> = list.clips.iter().map(|c| c.speaker.as_deref()).collect();
        settings
            .normalize
            .apply(&speakers, &mut feats)
            .context("normalising node features")?;
    }
    Ok((feats, settings))
}

/// Nodes per clip when `--nodes` is not given: the paper's M, 90 for video (face-frame folders
/// and landmark CSVs) and 120 for speech, motion capture and feature files.
fn default_nodes(format: DatasetFormat) -> usize {
    match format {
        DatasetFormat::Video | DatasetFormat::Landmarks => NODES_VIDEO,
        _ => NODES_SPEECH,
    }
}

/// The feature settings of a run on `data` (a `format` layout; `exported` when it is a
/// `synchgraph features` export). New settings take the export's node count unless `--nodes`
/// contradicts it, and keep its normalisation (so a model trained on a normalised export
/// normalises the source files too). Saved settings must match the export's node count, and a
/// model trained without normalisation refuses normalised features.
fn feature_settings(
    choice: FeatureChoice,
    format: DatasetFormat,
    data: &Path,
    exported: Option<ExportedFeatures>,
) -> Result<FeatureSettings> {
    match choice {
        FeatureChoice::New { nodes, normalize } => {
            let nodes = match (nodes, exported.map(|e| e.nodes)) {
                (Some(n), Some(k)) if n != k => bail!(
                    "{} is a `synchgraph features` export of {k} nodes per clip \
                     ({FEATURES_INDEX}); --nodes {n} would regroup its nodes, not the source's \
                     frames: leave --nodes out, or extract again from the source with --nodes {n}",
                    data.display()
                ),
                (n, k) => n.or(k).unwrap_or_else(|| default_nodes(format)),
            };
            let normalize = match exported {
                Some(e) if e.normalize != FeatureNorm::None => e.normalize,
                _ => normalize,
            };
            let mut settings = FeatureSettings {
                normalize,
                ..FeatureSettings::for_format(format, nodes)
            };
            // A model trained on an export extracts source clips as the export was made.
            if let Some(kind) = exported.and_then(|e| e.kind) {
                settings.kind = kind.to_string();
            }
            Ok(settings)
        }
        FeatureChoice::Saved(s) => {
            if let Some(e) = exported {
                s.accepts_export(&e, data)?;
            }
            Ok(s)
        }
    }
}
