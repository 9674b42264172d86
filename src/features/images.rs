//! Frame images of a video clip: one folder per clip, one PNG or JPEG file per frame.
//!
//! Frames are the files of the folder whose extension is `png`, `jpg` or `jpeg` (any case), taken in
//! byte-wise sorted order of their file names (so zero-pad frame numbers: `f0001.png`, `f0002.png`);
//! other files, hidden files (names starting with `.`, such as macOS's `._f0001.png`) and
//! sub-folders are ignored, and a frame file that is a link to a missing file is an
//! [`Error::Data`] naming it. Each frame is decoded through the `image` crate (any
//! colour type), converted to grayscale luma in [0, 1] (Rec. 709 weights, alpha ignored), and
//! resized to a fixed `side × side` square with a triangle (bilinear) filter; the aspect ratio is
//! not kept, so crop faces before if it matters. All frames of one clip folder must have one size
//! (any size): a frame whose width or height differs from the first frame's is an
//! [`Error::Data`] naming it and both sizes, not resized along with the others, since a mixed
//! folder usually holds frames of another clip or crop. A JPEG that ends before its end-of-image
//! marker (a file cut short) is an [`Error::Truncated`] naming it, not decoded with the missing
//! rows filled in grey. A frame whose header declares more pixels than its file's bytes can
//! hold (a damaged size field), or more than [`MAX_FRAME_PIXELS`], is an [`Error::Data`] naming
//! the size, refused before the decoder allocates that much. [`clip_log_features`] then applies the
//! Laplacian-of-Gaussian filter of [`super::log_filter`] and flattens each filtered frame into one
//! feature row of `side²` values.

use super::log_filter::{Gray, LogFilter};
use super::FrameMatrix;
use crate::error::{Error, Result};
use image::ImageError;
use std::path::{Path, PathBuf};

/// Settings of the face-frame front end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameImageConfig {
    /// Every frame is resized to `side × side` pixels.
    pub side: usize,
    /// Standard deviation of the LoG filter, in pixels of the resized frame
    /// ([`super::log_filter::MIN_SIGMA`] to 64).
    pub sigma: f32,
}

impl Default for FrameImageConfig {
    /// 32 × 32 frames (1,024 features, one input neuron each) and `sigma = 1.0`.
    fn default() -> Self {
        FrameImageConfig {
            side: 32,
            sigma: 1.0,
        }
    }
}

/// Whether `p` is named like a frame: a `png`, `jpg` or `jpeg` extension (any case), and not
/// hidden.
fn has_frame_name(p: &Path) -> bool {
    // Hidden files (`._f0001.png`, the AppleDouble files macOS writes beside every file copied
    // to a FAT or network drive) are not frames, as the clip lists skip them too.
    let hidden = p
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden
        && p.extension()
            .and_then(|e| e.to_str())
            .map(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
            .unwrap_or(false)
}

/// The frame image files of clip folder `dir`, sorted by file name.
///
/// Fails with [`Error::Io`] when the folder cannot be read, [`Error::Data`] naming a frame file
/// that is a symbolic link to a missing file (leaving it out would shift every later frame),
/// and [`Error::Empty`] when it holds no PNG/JPEG file.
pub fn list_frame_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for entry in rd {
        let p = entry.map_err(|e| Error::io(dir, e))?.path();
        if !has_frame_name(&p) {
            continue;
        }
        let is_link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && std::fs::metadata(&p).is_err() {
            let target = std::fs::read_link(&p)
                .map(|t| format!(" ({})", t.display()))
                .unwrap_or_default();
            return Err(Error::data(
                &p,
                format!(
                    "a frame that is a link to a missing file{target}: restore its target or \
                     remove the link"
                ),
            ));
        }
        if p.is_file() {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(Error::Empty {
            path: dir.display().to_string(),
            message: "the clip folder holds no frame image (.png, .jpg or .jpeg)".into(),
        });
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

fn map_image_error(path: &Path, e: ImageError) -> Error {
    match e {
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::Truncated {
                path: path.display().to_string(),
                message: "the image data ends early".into(),
            }
        }
        ImageError::IoError(io) => Error::io(path, io),
        ImageError::Unsupported(u) => Error::UnsupportedFormat {
            path: path.display().to_string(),
            message: format!("{u}; frame images must be PNG or JPEG"),
        },
        other => Error::data(path, format!("cannot decode frame image: {other}")),
    }
}

type Luma32 = image::ImageBuffer<image::Luma<f32>, Vec<f32>>;

fn check_side(side: usize) -> Result<()> {
    if side == 0 || side > 4096 {
        return Err(Error::InvalidInput(format!(
            "frame side must be in 1..=4096 pixels, got {side}"
        )));
    }
    Ok(())
}

/// Whether JPEG data `b` reaches its end-of-image (EOI) marker. The segments before a scan are
/// skipped by their lengths (so the EOI of an EXIF thumbnail does not count) and a scan's
/// entropy-coded data up to the next marker (`FF 00` stuffing and restart markers are not
/// markers). Data that does not start with the start-of-image marker is left to the decoder.
fn jpeg_reaches_eoi(b: &[u8]) -> bool {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return true;
    }
    let mut i = 2;
    loop {
        // The next marker: bytes up to a 0xFF (scan data, or junk a lenient decoder skips too),
        // then any 0xFF fill bytes, then the marker code.
        while i < b.len() && b[i] != 0xFF {
            i += 1;
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&code) = b.get(i) else {
            return false;
        };
        i += 1;
        match code {
            0xD9 => return true,
            // Stuffed 0xFF in scan data, TEM, restart markers, SOI: no length field.
            0x00 | 0x01 | 0xD0..=0xD8 => {}
            _ => {
                let Some(len) = b.get(i..i + 2) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 || i + len > b.len() {
                    return false;
                }
                i += len;
            }
        }
    }
}

/// The most pixels one byte of a PNG file can stand for: deflate packs at most 1,032 bytes into
/// one, and a 1-bit PNG holds 8 pixels per byte.
const PNG_PIXELS_PER_BYTE: u64 = 8 * 1032;

/// The most pixels one byte of a JPEG file can stand for: every 8 x 8 block of a full-size
/// component takes at least one bit of Huffman code (arithmetic coding is not decoded).
const JPEG_PIXELS_PER_BYTE: u64 = 8 * 64;

/// The most pixels a frame may have: 2^25, an 8K UHD frame (7680 x 4320) and more. A
/// compressed PNG can declare far more than its bytes seem to hold (an even image deflates
/// 1,032 to 1), and decoding it would take gigabytes for what the filter shrinks to a few
/// thousand values, so a larger declared size is refused before anything is allocated.
pub const MAX_FRAME_PIXELS: u64 = 1 << 25;

/// A reader of frame `bytes` in the format their content shows (else the one `path`'s
/// extension names).
fn image_reader<'a>(
    path: &Path,
    bytes: &'a [u8],
) -> Result<image::ImageReader<std::io::Cursor<&'a [u8]>>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
    if let Ok(format) = image::ImageFormat::from_path(path) {
        reader.set_format(format);
    }
    reader.with_guessed_format().map_err(|e| Error::io(path, e))
}

/// Refuse a frame whose header declares more than [`MAX_FRAME_PIXELS`], or more pixels than
/// its `len` bytes of `format` can hold: a damaged size field would have the decoder allocate
/// (and in a JPEG, decode) gigabytes.
fn check_declared_size(
    path: &Path,
    format: Option<image::ImageFormat>,
    (w, h): (u32, u32),
    len: usize,
) -> Result<()> {
    let (name, per_byte) = match format {
        Some(image::ImageFormat::Jpeg) => ("JPEG", JPEG_PIXELS_PER_BYTE),
        _ => ("PNG", PNG_PIXELS_PER_BYTE),
    };
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_FRAME_PIXELS {
        return Err(Error::data(
            path,
            format!(
                "the image header declares {w}x{h} pixels, more than the {MAX_FRAME_PIXELS} a \
                 frame may have; scale the frames down first"
            ),
        ));
    }
    if pixels > per_byte.saturating_mul(len as u64) {
        return Err(Error::data(
            path,
            format!(
                "the image header declares {w}x{h} pixels, more than a {len}-byte {name} can \
                 hold (at most {per_byte} pixels per byte): the file is damaged"
            ),
        ));
    }
    Ok(())
}

/// Decode one frame image into grayscale luma in [0, 1], at its own size.
///
/// A JPEG that ends before its end-of-image marker is an [`Error::Truncated`]: the decoder
/// would fill the missing rows with grey and return a frame that was never recorded. A header
/// declaring more pixels than the file's bytes can hold is an [`Error::Data`] naming the size,
/// refused before anything of that size is allocated.
fn decode_luma(path: &Path) -> Result<Luma32> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let reader = image_reader(path, &bytes)?;
    if reader.format() == Some(image::ImageFormat::Jpeg) && !jpeg_reaches_eoi(&bytes) {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: "the JPEG data ends before its end-of-image marker (the file is cut short \
                      or damaged)"
                .into(),
        });
    }
    let size = image_reader(path, &bytes)?
        .into_dimensions()
        .map_err(|e| map_image_error(path, e))?;
    check_declared_size(path, reader.format(), size, bytes.len())?;
    let img = reader.decode().map_err(|e| map_image_error(path, e))?;
    Ok(img.to_luma32f())
}

/// `luma` resized to `side × side` (unchanged when it already has that size).
fn to_side(luma: Luma32, side: usize) -> Result<Gray> {
    let s = side as u32;
    let resized = if luma.width() == s && luma.height() == s {
        luma
    } else {
        image::imageops::resize(&luma, s, s, image::imageops::FilterType::Triangle)
    };
    Gray::new(side, side, resized.into_raw())
}

/// Decode one frame image, convert it to grayscale in [0, 1] and resize it to `side × side`.
pub fn load_gray(path: &Path, side: usize) -> Result<Gray> {
    check_side(side)?;
    to_side(decode_luma(path)?, side)
}

/// Read every frame of clip folder `dir` as a `side × side` grayscale image, in file-name order.
///
/// Every frame must have the first frame's size: another size is an [`Error::Data`] naming the
/// odd file, its size and the first frame's.
pub fn load_clip_frames(dir: &Path, side: usize) -> Result<Vec<Gray>> {
    check_side(side)?;
    let files = list_frame_files(dir)?;
    let mut first: Option<(&Path, (u32, u32))> = None;
    let mut out = Vec::with_capacity(files.len());
    for p in &files {
        let luma = decode_luma(p)?;
        let size = luma.dimensions();
        match first {
            None => first = Some((p, size)),
            Some((f, want)) if want != size => {
                let name = |q: &Path| {
                    q.file_name()
                        .map_or_else(|| q.display().to_string(), |n| n.to_string_lossy().into())
                };
                return Err(Error::data(
                    p,
                    format!(
                        "frame is {}x{} pixels but the clip's first frame, {}, is {}x{}; all \
                         frames of a clip folder must have one size",
                        size.0,
                        size.1,
                        name(f),
                        want.0,
                        want.1
                    ),
                ));
            }
            _ => {}
        }
        out.push(to_side(luma, side)?);
    }
    Ok(out)
}

/// Per-frame LoG features of clip folder `dir`: one row per frame, `side²` columns holding the
/// filtered frame row after row.
pub fn clip_log_features(dir: &Path, cfg: &FrameImageConfig) -> Result<FrameMatrix> {
    let filter = LogFilter::new(cfg.sigma)?;
    let frames = load_clip_frames(dir, cfg.side)?;
    let cols = cfg.side * cfg.side;
    let mut out = FrameMatrix::zeros(frames.len(), cols);
    for (i, f) in frames.iter().enumerate() {
        out.row_mut(i).copy_from_slice(&filter.apply(f).data);
    }
    Ok(out)
}

/// [`clip_log_features`] with every value replaced by its magnitude: non-negative edge strength,
/// the form rate encoders (which refuse negative intensities) take.
pub fn clip_log_magnitude(dir: &Path, cfg: &FrameImageConfig) -> Result<FrameMatrix> {
    let mut m = clip_log_features(dir, cfg)?;
    m.data.iter_mut().for_each(|v| *v = v.abs());
    Ok(m)
}

/// The LoG features of clip folder `dir` as `nodes` graph nodes (cyclic padding of short clips,
/// chunk means of long ones; see [`super::frames`]).
pub fn clip_log_nodes(dir: &Path, cfg: &FrameImageConfig, nodes: usize) -> Result<FrameMatrix> {
    super::frames::group_frames(&clip_log_features(dir, cfg)?, nodes)
}
