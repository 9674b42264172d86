//! Node features of emotion clips: WAV through the 32-dim IS09 low-level descriptors
//! ([`crate::features::lld`], 25 ms windows, 10 ms stride), or a matrix read from a CSV or `.npy`
//! file; then grouped into a fixed number of graph nodes ([`crate::features::frames`]).

use std::borrow::Cow;
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

/// A CSV matrix: one frame per line, comma-separated numbers (a leading UTF-8 byte-order mark
/// and blank lines are ignored; a field may be in double quotes, as RFC 4180 has it, on one
/// line). Every row must have the same width, that of the header where there is one.
///
/// The first line with content is a header, and skipped, when none of its fields is a number
/// (`f0,f1,...`) or when it is exactly `0,1,...,D-1` with D >= 2 (the column names pandas
/// writes by default; a one-column file's first `0` is data). A first line where some fields
/// are numbers and others are not (`1,2,` or `1,2x`) is an [`Error::Parse`] naming the line rather than a header guess, and a header whose first
/// field is empty (`,0,1` or `,f0,f1`: pandas' index column, which would make the row number
/// feature 0) is an error asking for the CSV to be written with `index=False`.
pub fn read_csv_matrix(path: &Path) -> Result<FrameMatrix> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    // A byte-order mark would make the first row look like a header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut data = Vec::new();
    let mut cols = 0usize;
    let mut rows = 0usize;
    let mut first = true;
    // The header's width, which every row must match (a header naming other columns than the
    // rows hold means a shifted or truncated file).
    let mut header_cols = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields = csv_line_fields(line).map_err(|m| Error::parse(path, i + 1, m))?;
        let fields: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
        if std::mem::take(&mut first) && is_csv_header(path, i + 1, &fields)? {
            header_cols = Some(fields.len());
            continue;
        }
        let vals: std::result::Result<Vec<f32>, _> =
            fields.iter().map(|v| v.parse::<f32>()).collect();
        let vals = vals.map_err(|e| Error::parse(path, i + 1, format!("not a number: {e}")))?;
        if rows == 0 {
            cols = vals.len();
            if let Some(h) = header_cols.filter(|&h| h != cols) {
                return Err(Error::parse(
                    path,
                    i + 1,
                    format!("{cols} values, the header names {h} columns"),
                ));
            }
        } else if vals.len() != cols {
            return Err(Error::parse(
                path,
                i + 1,
                format!("{} values, earlier rows have {cols}", vals.len()),
            ));
        }
        if let Some(bad) = vals.iter().find(|v| !v.is_finite()) {
            return Err(Error::parse(path, i + 1, format!("non-finite value {bad}")));
        }
        data.extend(vals);
        rows += 1;
    }
    if rows == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "no feature rows".into(),
        });
    }
    Ok(FrameMatrix { rows, cols, data })
}

/// The fields of one CSV `line`, trimmed: a field in double quotes (RFC 4180, a quote inside
/// doubled) is its text without the quotes, so a quoted comma stays in its field and a quoted
/// number is a number. A quote left open, or text after a closing quote, is an error message.
fn csv_line_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let field = rest.trim_start();
        let Some(quoted) = field.strip_prefix('"') else {
            let end = field.find(',').unwrap_or(field.len());
            fields.push(Cow::Borrowed(field[..end].trim_end()));
            match field[end..].strip_prefix(',') {
                Some(next) => rest = next,
                None => return Ok(fields),
            }
            continue;
        };
        let mut text = String::new();
        let mut chars = quoted.char_indices();
        let after = loop {
            match chars.next() {
                None => return Err("a quoted field is not closed on its line".into()),
                Some((k, '"')) if quoted[k + 1..].starts_with('"') => {
                    chars.next();
                    text.push('"');
                }
                Some((k, '"')) => break quoted[k + 1..].trim_start(),
                Some((_, c)) => text.push(c),
            }
        };
        fields.push(Cow::Owned(text.trim().to_string()));
        if after.is_empty() {
            return Ok(fields);
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                return Err(format!(
                    "'{}' after the closing quote of field {}",
                    after.chars().next().unwrap_or(' '),
                    fields.len()
                ))
            }
        }
    }
}

/// Whether the first content line of a feature CSV, split into trimmed `fields`, is a header
/// (see [`read_csv_matrix`]); `line` is its 1-based number, named in the errors.
fn is_csv_header(path: &Path, line: usize, fields: &[&str]) -> Result<bool> {
    let numeric = |f: &str| f.parse::<f32>().is_ok();
    // pandas' default column names: exactly the integers 0..D-1, for two columns or more (a
    // single `0` is as likely a feature value as a column name, and is read as data).
    let pandas_names =
        |f: &[&str]| f.len() >= 2 && f.iter().enumerate().all(|(k, x)| *x == k.to_string());
    let names = |f: &[&str]| !f.iter().any(|x| numeric(x)) || pandas_names(f);
    if fields.len() > 1 && fields[0].is_empty() && names(&fields[1..]) {
        return Err(Error::parse(
            path,
            line,
            "the header starts with an empty field: the first column is a pandas index (the row \
             number), not a feature; write the CSV with index=False",
        ));
    }
    if pandas_names(fields) {
        return Ok(true);
    }
    let parsed = fields.iter().filter(|x| numeric(x)).count();
    if parsed == 0 {
        return Ok(true);
    }
    if parsed < fields.len() {
        let bad: Vec<String> = fields
            .iter()
            .filter(|x| !numeric(x))
            .map(|f| format!("'{f}'"))
            .collect();
        return Err(Error::parse(
            path,
            line,
            format!(
                "the first row mixes numbers with fields that are not ({}): neither a header \
                 (no numbers) nor a row of features; fix the row (a stray comma or a typo?)",
                bad.join(", ")
            ),
        ));
    }
    Ok(false)
}

/// The text after `'key':` (spaces around the colon skipped) in a `.npy` header dictionary.
fn npy_header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("'{key}'");
    let rest = &header[header.find(&quoted)? + quoted.len()..];
    Some(rest.trim_start().strip_prefix(':')?.trim_start())
}

/// A 2-D `.npy` matrix (format 1.0, 2.0 or 3.0, little-endian f4 or f8, C order) of finite
/// values with at least one row and one column; data bytes beyond (or short of) what the shape
/// needs are an error.
pub fn read_npy_matrix(path: &Path) -> Result<FrameMatrix> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |m: &str| Error::UnsupportedFormat {
        path: path.display().to_string(),
        message: m.to_string(),
    };
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err(bad("not a .npy file (missing the \\x93NUMPY magic)"));
    }
    if bytes.len() < 10 {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: "header ends early".into(),
        });
    }
    // NumPy knows these three versions only, minor version included.
    if !(1..=3).contains(&bytes[6]) || bytes[7] != 0 {
        return Err(bad(&format!(
            "npy format version {}.{} is not one of 1.0, 2.0 and 3.0",
            bytes[6], bytes[7]
        )));
    }
    let (hlen, start) = if bytes[6] == 1 {
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        if bytes.len() < 12 {
            return Err(Error::Truncated {
                path: path.display().to_string(),
                message: "header ends early".into(),
            });
        }
        (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        )
    };
    let header = bytes
        .get(start..start + hlen)
        .ok_or_else(|| Error::Truncated {
            path: path.display().to_string(),
            message: "header ends early".into(),
        })?;
    let header = String::from_utf8_lossy(header);
    let descr = npy_header_value(&header, "descr").ok_or_else(|| bad("header has no descr"))?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        return Err(bad(
            "only little-endian float32 ('<f4') or float64 ('<f8') data",
        ));
    };
    match npy_header_value(&header, "fortran_order") {
        Some(v) if v.starts_with("False") => {}
        Some(v) if v.starts_with("True") => {
            return Err(bad("Fortran-order arrays are not supported"))
        }
        _ => return Err(bad("header has no readable fortran_order")),
    }
    let shape_txt = npy_header_value(&header, "shape")
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad("header has no shape"))?;
    let dims: Vec<usize> = shape_txt
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad("unreadable shape"))?;
    let [rows, cols] = dims[..] else {
        return Err(bad(&format!(
            "expected a 2-D frames x features array, got shape {dims:?}"
        )));
    };
    if cols == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: format!("no feature columns (shape [{rows}, 0])"),
        });
    }
    let body = &bytes[start + hlen..];
    // A header may announce any shape: a product that overflows is as missing as a large one.
    let needed = rows.checked_mul(cols).and_then(|n| n.checked_mul(width));
    if let Some(n) = needed.filter(|&n| body.len() > n) {
        return Err(bad(&format!(
            "{} data bytes, but shape [{rows}, {cols}] of {width}-byte values needs {n}: the \
             header does not describe the data (another dtype or shape?)",
            body.len()
        )));
    }
    if needed.is_none_or(|n| body.len() < n) {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: format!(
                "{} data bytes, shape [{rows}, {cols}] of {width}-byte values needs {} bytes",
                body.len(),
                needed.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string())
            ),
        });
    }
    let data: Vec<f32> = (0..rows * cols)
        .map(|k| {
            let b = &body[k * width..(k + 1) * width];
            if width == 4 {
                f32::from_le_bytes([b[0], b[1], b[2], b[3]])
            } else {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        })
        .collect();
    if rows == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "no feature rows".into(),
        });
    }
    if let Some(k) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(
            path,
            format!(
                "row {}, column {} holds {}; feature values must be finite (float64 values \
                 beyond the float32 range become infinite)",
                k / cols,
                k % cols,
                data[k]
            ),
        ));
    }
    Ok(FrameMatrix { rows, cols, data })
}

/// Encode `m` as a version-1.0 `.npy` file (little-endian f4, C order, shape [rows, cols]), the
/// layout [`read_npy_matrix`] and NumPy's `np.load` read back.
pub fn npy_bytes(m: &FrameMatrix) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
        m.rows, m.cols
    );
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 bytes and ended by a newline.
    let unpadded = 10 + dict.len() + 1;
    let header_len = dict.len() + 1 + (64 - unpadded % 64) % 64;
    let mut out = Vec::with_capacity(10 + header_len + 4 * m.data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(10 + header_len - 1, b' ');
    out.push(b'\n');
    for v in &m.data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
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
