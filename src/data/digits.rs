//! The scikit-learn / UCI optdigits 8x8 digits: a gzip CSV of 65 integers per row (64 pixels in
//! 0..=16, then the label 0..=9). A gzip file of several members (concatenated `.gz` files) is
//! read whole, as gzip tools read it; a file that is not gzip data is read as the CSV text.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Pixels per image.
pub const PIXELS: usize = 64;

/// Images (row-major 8x8, values 0..=16) with their labels.
#[derive(Debug, Clone)]
pub struct Digits {
    /// One 64-pixel image per sample.
    pub images: Vec<[f32; PIXELS]>,
    /// Class 0..=9 per sample.
    pub labels: Vec<usize>,
}

/// The two bytes every gzip member starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Load `digits.csv.gz` from `dir` (or `dir` itself when it names the file, which may also be
/// the uncompressed CSV).
pub fn load(dir: &Path) -> Result<Digits> {
    let path = if dir.is_dir() {
        dir.join("digits.csv.gz")
    } else {
        dir.to_path_buf()
    };
    let raw = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let mut text = String::new();
    if raw.starts_with(&GZIP_MAGIC) {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut text)
            .map_err(|e| Error::data(&path, format!("gzip: {e}")))?;
    } else {
        // A gunzipped copy: the CSV text itself.
        text = String::from_utf8(raw)
            .map_err(|_| Error::data(&path, "neither gzip data nor UTF-8 CSV text"))?;
    }
    parse(&text, &path.display().to_string())
}

/// Parse the CSV text (`name` is used in error messages); a leading UTF-8 byte-order mark is
/// skipped.
pub fn parse(text: &str, name: &str) -> Result<Digits> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut d = Digits {
        images: Vec::new(),
        labels: Vec::new(),
    };
    for (ln, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| Error::data(name, format!("line {}: {m}", ln + 1));
        let vals: Vec<f32> = line
            .split(',')
            .map(|v| v.trim().parse::<f32>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(format!("not a number ({e})")))?;
        if vals.len() != PIXELS + 1 {
            return Err(bad(format!("{} values, expected 65", vals.len())));
        }
        if let Some(v) = vals[..PIXELS]
            .iter()
            .find(|v| !(0.0..=16.0).contains(*v) || v.fract() != 0.0)
        {
            return Err(bad(format!("pixel {v} is not an integer in 0..=16")));
        }
        let label = vals[PIXELS];
        if !(0.0..=9.0).contains(&label) || label.fract() != 0.0 {
            return Err(bad(format!("label {label} is not a digit")));
        }
        let mut img = [0.0; PIXELS];
        img.copy_from_slice(&vals[..PIXELS]);
        d.images.push(img);
        d.labels.push(label as usize);
    }
    if d.images.is_empty() {
        return Err(Error::data(name, "no images"));
    }
    Ok(d)
}
