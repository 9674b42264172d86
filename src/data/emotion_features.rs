//! Node features of emotion clips: WAV through the 32-dim IS09 low-level descriptors
//! ([`crate::features::lld`], 25 ms windows, 10 ms stride), or a matrix read from a CSV or `.npy`
//! file ([`super::matrix_files`], re-exported here); then grouped into a fixed number of graph
//! nodes ([`crate::features::frames`]).

use std::path::Path;

use super::emotion::{Clip, DatasetFormat};
use super::feature_export::{ExportClipShapes, ExportedFeatures};
use super::speaker_norm::FeatureNorm;
use crate::error::{Error, Result};
use crate::features::bvh::{read_bvh, rotation_columns};
use crate::features::frames::group_frames_with_angles;
use crate::features::images::{clip_log_features, FrameImageConfig};
use crate::features::landmarks::landmark_features;
use crate::features::lld::{lld, LLD_DIMS};
use crate::features::wav::read_wav_for_frames;
use crate::features::FrameMatrix;

pub use super::matrix_files::{npy_bytes, read_csv_matrix, read_npy_matrix};

/// Analysis window of the speech front end in seconds.
pub const WINDOW_SECONDS: f64 = 0.025;
/// Frame stride of the speech front end in seconds.
pub const STRIDE_SECONDS: f64 = 0.010;
/// Lowest WAV sample rate the speech front end accepts: twice the highest pitch it searches.
pub const MIN_SAMPLE_RATE: u32 = 1000;

/// How clips become node features; stored with a trained model so evaluation repeats it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureSettings {
    /// `"is09-lld"` (audio), `"file"` (features read from CSV / `.npy`), `"log-frames"` (face
    /// frame folders), `"landmarks"` (68-point CSV) or `"bvh"` (motion capture).
    pub kind: String,
    /// Graph nodes per clip.
    pub nodes: usize,
    /// Feature dimension per node.
    pub dims: usize,
    /// Analysis window in seconds (audio only).
    pub window_seconds: f64,
    /// Frame stride in seconds (audio only).
    pub stride_seconds: f64,
    /// Normalisation applied to the node features of the clips given together.
    #[serde(default)]
    pub normalize: FeatureNorm,
}

/// Every [`FeatureSettings::kind`]: IS09 speech LLDs, matrices read from files, LoG features of
/// face-frame folders, normalised 68-point landmarks, BVH channel values.
pub const FEATURE_KINDS: [&str; 5] = ["is09-lld", "file", "log-frames", "landmarks", "bvh"];

impl FeatureSettings {
    /// Settings for a data-set layout with `nodes` nodes; `dims` is filled for audio and taken
    /// from the first file for feature files.
    pub fn for_format(format: DatasetFormat, nodes: usize) -> Self {
        let audio = matches!(
            format,
            DatasetFormat::Emodb | DatasetFormat::Ravdess | DatasetFormat::Folder
        );
        let kind = match format {
            DatasetFormat::Features => "file",
            DatasetFormat::Video => "log-frames",
            DatasetFormat::Landmarks => "landmarks",
            DatasetFormat::Mocap => "bvh",
            _ => "is09-lld",
        };
        FeatureSettings {
            kind: kind.into(),
            nodes,
            dims: if audio { LLD_DIMS } else { 0 },
            window_seconds: WINDOW_SECONDS,
            stride_seconds: STRIDE_SECONDS,
            normalize: FeatureNorm::None,
        }
    }
}

impl FeatureSettings {
    /// Whether the features of export `e` (in `path`) can feed a model trained with these
    /// settings: the node counts must match, and a model trained without normalisation refuses
    /// normalised features. Returns whether the export is already normalised as these settings
    /// want, so its features must not be normalised again.
    pub fn accepts_export(&self, e: &ExportedFeatures, path: &Path) -> Result<bool> {
        if let Some(kind) = e.kind.filter(|&k| k != "file" && self.kind != "file") {
            if kind != self.kind {
                return Err(Error::data(
                    path,
                    format!(
                        "exported from {kind} features; the model was trained on {} features",
                        self.kind
                    ),
                ));
            }
        }
        if e.nodes != self.nodes {
            return Err(Error::data(
                path,
                format!(
                    "exported with {} nodes per clip; the model takes {}: extract the clips again \
                     with --nodes {}",
                    e.nodes, self.nodes, self.nodes
                ),
            ));
        }
        match (e.normalize, self.normalize) {
            (FeatureNorm::None, _) => Ok(false),
            (_, FeatureNorm::None) => Err(Error::data(
                path,
                format!(
                    "exported with --normalize {}; the model was trained on features without \
                     normalisation: extract them again without --normalize",
                    e.normalize.name()
                ),
            )),
            (exported, wanted) => Ok(exported == wanted),
        }
    }
}

/// Per-frame features of one clip under a settings `kind`: LoG features of a frame folder
/// (32 px frames, sigma 1), normalised 68-point landmarks, BVH channel values, or
/// [`frame_features`] chosen by the file extension for the other kinds. A `.npy` file (the
/// matrix of a `synchgraph features` export) is read as it is under every kind.
pub fn clip_frame_features(path: &Path, kind: &str) -> Result<FrameMatrix> {
    Ok(clip_frames_and_angles(path, kind)?.0)
}

/// [`clip_frame_features`] with, per column, whether it is an angle in degrees (the rotation
/// channels of a BVH clip), which [`group_frames_with_angles`] averages on the circle.
fn clip_frames_and_angles(path: &Path, kind: &str) -> Result<(FrameMatrix, Vec<bool>)> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        return Ok((read_npy_matrix(path)?, Vec::new()));
    }
    let plain = |m: FrameMatrix| (m, Vec::new());
    match kind {
        "log-frames" => clip_log_features(path, &FrameImageConfig::default()).map(plain),
        "landmarks" => landmark_features(path).map(plain),
        "bvh" => {
            let bvh = read_bvh(path)?;
            let angles = rotation_columns(&bvh);
            Ok((bvh.motion, angles))
        }
        _ => frame_features(path).map(plain),
    }
}

/// Per-frame features of one file: LLDs of a WAV (sampled at [`MIN_SAMPLE_RATE`] or more), or
/// the matrix of a CSV / `.npy` file.
pub fn frame_features(path: &Path) -> Result<FrameMatrix> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "wav" => {
            let audio = read_wav_for_frames(path, WINDOW_SECONDS)?;
            if audio.sample_rate < MIN_SAMPLE_RATE {
                return Err(Error::UnsupportedFormat {
                    path: path.display().to_string(),
                    message: format!(
                        "sample rate {} Hz; the speech features need at least {MIN_SAMPLE_RATE} Hz \
                         (pitch is searched up to 500 Hz)",
                        audio.sample_rate
                    ),
                });
            }
            lld(&audio)
        }
        "csv" => read_csv_matrix(path),
        "npy" => read_npy_matrix(path),
        _ => Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message: "expected a .wav, .csv or .npy file".into(),
        }),
    }
}

/// Node features [nodes, dims] of one file under `settings`; a width other than
/// `settings.dims` (when non-zero) is an error naming both.
pub fn node_features(path: &Path, settings: &FeatureSettings) -> Result<FrameMatrix> {
    node_features_against(path, settings, None, None)
}

/// [`node_features`] of a clip file of a `synchgraph features` export: its matrix must have the
/// shape the export wrote (see [`ExportClipShapes::check`]), not be regrouped from another one.
pub fn export_node_features(
    path: &Path,
    settings: &FeatureSettings,
    shapes: &ExportClipShapes,
) -> Result<FrameMatrix> {
    node_features_against(path, settings, None, Some(shapes))
}

/// [`node_features`], where the expected width was taken from the clip `width_from` (named in
/// the mismatch error, so either clip can be the odd one out), and the matrix of a clip of an
/// export is first checked against the export's `shapes`.
fn node_features_against(
    path: &Path,
    settings: &FeatureSettings,
    width_from: Option<&Path>,
    shapes: Option<&ExportClipShapes>,
) -> Result<FrameMatrix> {
    let (m, angles) = clip_frames_and_angles(path, &settings.kind)?;
    if let Some(shapes) = shapes {
        shapes.check(path, &m)?;
    }
    if settings.dims != 0 && m.cols != settings.dims {
        let source = width_from.map_or(String::new(), |p| {
            format!(" (the width of the first clip, {})", p.display())
        });
        return Err(Error::data(
            path,
            format!(
                "feature width {} does not match the expected {} per frame{source}",
                m.cols, settings.dims
            ),
        ));
    }
    group_frames_with_angles(&m, settings.nodes, &angles)
}

/// Node features of every clip, extracted on `threads` worker threads (order kept); fills
/// `settings.dims` from the first clip when it is 0 and checks every clip against it.
/// `progress` is called once per finished clip.
pub fn extract_all(
    clips: &[Clip],
    settings: &mut FeatureSettings,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<FrameMatrix>> {
    extract_checked(clips, settings, None, threads, progress)
}

/// [`extract_all`] for the clips of a `synchgraph features` export: every clip's matrix must
/// have the shape the export wrote ([`ExportClipShapes::check`]; a matrix copied in from an
/// export of another node count is an error naming it, not regrouped), and `settings.dims`,
/// when 0, is filled from the export's width where its index names one.
pub fn extract_export(
    clips: &[Clip],
    settings: &mut FeatureSettings,
    shapes: &ExportClipShapes,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<FrameMatrix>> {
    if settings.dims == 0 {
        settings.dims = shapes.dims().unwrap_or(0);
    }
    extract_checked(clips, settings, Some(shapes), threads, progress)
}

/// [`extract_all`], checking every matrix against `shapes` when given.
fn extract_checked(
    clips: &[Clip],
    settings: &mut FeatureSettings,
    shapes: Option<&ExportClipShapes>,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<FrameMatrix>> {
    if clips.is_empty() {
        return Ok(Vec::new());
    }
    let width_from = (settings.dims == 0).then_some(clips[0].path.as_path());
    if settings.dims == 0 {
        let (first, _) = clip_frames_and_angles(&clips[0].path, &settings.kind)?;
        if let Some(shapes) = shapes {
            shapes.check(&clips[0].path, &first)?;
        }
        settings.dims = first.cols;
    }
    let s: &FeatureSettings = settings;
    parallel_map(clips, threads, |c| {
        let r = node_features_against(&c.path, s, width_from, shapes);
        progress();
        r
    })
}

/// Feature-extraction threads when none are asked for: the machine's cores (2 when unknown).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// `f` of every item, computed on up to `threads` scoped worker threads over contiguous chunks;
/// the results keep the items' order, and the first error (in item order) is returned.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let chunk = items.len().div_ceil(threads.clamp(1, items.len()));
    let f = &f;
    let parts: Vec<Result<Vec<R>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Result<Vec<R>>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::InvalidInput("feature worker panicked".into())))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parallel_map;
    use crate::error::Error;

    #[test]
    fn parallel_map_keeps_the_order_and_returns_the_first_error() {
        let items: Vec<usize> = (0..11).collect();
        for threads in [1, 3, 4, 11, 64] {
            let doubled = parallel_map(&items, threads, |&x| Ok(2 * x)).unwrap();
            assert_eq!(doubled, (0..11).map(|x| 2 * x).collect::<Vec<_>>());
            let err = parallel_map(&items, threads, |&x| match x {
                2 | 7 => Err(Error::InvalidInput(format!("item {x}"))),
                _ => Ok(x),
            })
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                Error::InvalidInput("item 2".into()).to_string()
            );
        }
        assert!(parallel_map(&[] as &[usize], 4, |&x| Ok(x))
            .unwrap()
            .is_empty());
    }
}
