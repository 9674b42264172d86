//! Synch-Graph front ends: per-clip input intensities for the spiking network. Audio: MFCCs
//! averaged over equal time segments of the clip. Visual: a Laplacian-of-Gaussian (centre-surround)
//! response of the image. Each feature is scaled to 0..=255 with the minimum and maximum of the
//! training clips only (test clips are clamped into that range).

use std::path::{Path, PathBuf};

use crate::data::emotion::{is_emodb_name, is_skipped_entry};
use crate::error::{Error, Result};
use crate::features::log_filter::{Gray, LogFilter};
use crate::features::mfcc::{mfcc, MfccConfig};
use crate::features::wav::read_wav_for_frames;

/// MFCC coefficients kept per segment.
pub const AUDIO_COEFFS: usize = 16;
/// Time segments an audio clip is split into.
pub const AUDIO_SEGMENTS: usize = 4;
/// Inputs per modality (audio: coefficients x segments; visual: 8 x 8 pixels).
pub const INPUTS: usize = AUDIO_COEFFS * AUDIO_SEGMENTS;

/// One labelled audio clip.
#[derive(Debug, Clone)]
pub struct AudioClip {
    /// WAV path.
    pub path: PathBuf,
    /// Class index.
    pub label: usize,
}

/// The audio clips of a folder with their labels and class names. Free Spoken Digit files
/// (`<digit>_<speaker>_<n>.wav`) are labelled by digit; EmoDB files (`03a01Fa.wav`) by the
/// emotion letter, the 6th character. A name that follows neither scheme, or a folder holding
/// names of both, is an error. Hidden files are skipped ([`is_skipped_entry`]).
pub fn audio_clips(dir: &Path) -> Result<(Vec<AudioClip>, Vec<String>)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Hidden files (macOS `._<name>.wav` resource forks) are no clips, as in every layout.
        .filter(|n| !is_skipped_entry(n) && n.to_lowercase().ends_with(".wav"))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(Error::data(dir, "no .wav files"));
    }
    let is_digit_name =
        |n: &str| n.as_bytes()[0].is_ascii_digit() && n.as_bytes().get(1) == Some(&b'_');
    let is_emodb = |n: &str| is_emodb_name(&n[..n.len() - ".wav".len()]);
    let digit = names.iter().all(|n| is_digit_name(n));
    // The name that breaks the folder's scheme is the one to report: a stray name (or one
    // EmoDB name) beside digit names would otherwise have every digit name reported as
    // following neither scheme.
    if let Some(n) = names.iter().find(|n| !is_digit_name(n) && !is_emodb(n)) {
        return Err(Error::data(
            dir.join(n),
            "the name follows neither the Free Spoken Digit (<digit>_<speaker>_<n>.wav) nor \
             the EmoDB (03a01Fa.wav) scheme, so it names no label",
        ));
    }
    if let (false, Some(d), Some(e)) = (
        digit,
        names.iter().find(|n| is_digit_name(n)),
        names.iter().find(|n| is_emodb(n)),
    ) {
        return Err(Error::data(
            dir,
            format!(
                "the folder mixes Free Spoken Digit names ({d}) with EmoDB names ({e}); keep \
                 the clips of one data set per folder"
            ),
        ));
    }
    let key = |n: &str| -> Result<String> {
        if digit {
            Ok(n[..1].to_string())
        } else if is_emodb(n) {
            Ok(n[5..6].to_string())
        } else {
            Err(Error::data(
                dir.join(n),
                "the name follows neither the Free Spoken Digit (<digit>_<speaker>_<n>.wav) nor \
                 the EmoDB (03a01Fa.wav) scheme, so it names no label",
            ))
        }
    };
    let mut classes: Vec<String> = names.iter().map(|n| key(n)).collect::<Result<_>>()?;
    classes.sort();
    classes.dedup();
    let clips = names
        .iter()
        .map(|n| {
            let k = key(n)?;
            Ok(AudioClip {
                path: dir.join(n),
                label: classes.iter().position(|c| *c == k).unwrap_or(0),
            })
        })
        .collect::<Result<_>>()?;
    Ok((clips, classes))
}

/// Audio features of one WAV: [`AUDIO_COEFFS`] MFCCs averaged over each of
/// [`AUDIO_SEGMENTS`] equal time segments, segment after segment.
pub fn audio_features(path: &Path) -> Result<Vec<f32>> {
    let cfg = MfccConfig {
        numcep: AUDIO_COEFFS,
        ..MfccConfig::default()
    };
    let audio = read_wav_for_frames(path, cfg.win_seconds)?;
    let m = mfcc(&audio, &cfg)?;
    if m.rows < AUDIO_SEGMENTS {
        return Err(Error::data(
            path,
            format!("{} frames, need at least {AUDIO_SEGMENTS}", m.rows),
        ));
    }
    let mut out = vec![0f32; INPUTS];
    for s in 0..AUDIO_SEGMENTS {
        let (a, b) = (
            s * m.rows / AUDIO_SEGMENTS,
            (s + 1) * m.rows / AUDIO_SEGMENTS,
        );
        for r in a..b {
            for c in 0..AUDIO_COEFFS {
                out[s * AUDIO_COEFFS + c] += m.get(r, c) / (b - a) as f32;
            }
        }
    }
    if let Some(i) = out.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(path, format!("MFCC feature {i} is not finite")));
    }
    Ok(out)
}

/// Magnitude of the Laplacian-of-Gaussian response ([`LogFilter`], sigma 1 pixel, 5 x 5 kernel,
/// edges replicated) of a `side` x `side` image, row-major.
pub fn log_response(image: &[f32], side: usize) -> Result<Vec<f32>> {
    if side == 0 || side.checked_mul(side) != Some(image.len()) {
        return Err(Error::InvalidInput(format!(
            "LoG: {} pixels for a {side} x {side} image",
            image.len()
        )));
    }
    if image.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidInput(
            "LoG: a pixel is NaN or infinite".into(),
        ));
    }
    let filter = LogFilter::with_radius(1.0, 2)?;
    let response = filter.apply(&Gray::new(side, side, image.to_vec())?);
    Ok(response.data.iter().map(|v| v.abs()).collect())
}

/// Scale each feature column to 0..=255 with the range of the `fit` rows; other rows are
/// clamped into it. A constant column becomes 0. Rows of unequal length, no fitting row, a
/// fitting row past `rows` or a NaN or infinite value are [`Error::InvalidInput`].
pub fn scale_to_intensity(rows: &mut [Vec<f32>], fit: &[usize]) -> Result<()> {
    let d = rows.first().map_or(0, Vec::len);
    if fit.is_empty() || rows.iter().any(|r| r.len() != d) {
        return Err(Error::InvalidInput(
            "intensity scaling needs equal-length rows and at least one fitting row".into(),
        ));
    }
    if let Some(&i) = fit.iter().find(|&&i| i >= rows.len()) {
        return Err(Error::InvalidInput(format!(
            "intensity scaling: fitting row {i} is past the {} rows",
            rows.len()
        )));
    }
    // min/max skip a NaN: a column fitted on NaNs alone would look constant and turn every
    // row, finite or not, into 0.
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = r.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "intensity scaling: row {i}, feature {c} is {} (not finite)",
                r[c]
            )));
        }
    }
    for c in 0..d {
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for &i in fit {
            lo = lo.min(rows[i][c]);
            hi = hi.max(rows[i][c]);
        }
        // A range wider than f32 holds (finite ends of opposite sign near f32::MAX) is scaled
        // in f64: in f32 its width is infinite and the fitted maximum would read NaN.
        let span = hi - lo;
        for r in rows.iter_mut() {
            r[c] = if hi <= lo {
                0.0
            } else if span.is_finite() {
                ((r[c] - lo) / span).clamp(0.0, 1.0) * 255.0
            } else {
                let (x, lo, hi) = (f64::from(r[c]), f64::from(lo), f64::from(hi));
                (((x - lo) / (hi - lo)).clamp(0.0, 1.0) * 255.0) as f32
            };
        }
    }
    Ok(())
}

/// The image paired with each clip: clip `i` of digit `digits[i]` in split part `parts[i]` (0
/// train, 1 validation, 2 test) gets an index from `pools[digit]` (that digit's images, in a
/// seeded order). Each digit's pool is divided between the parts in proportion to their clips
/// of that digit, and a part's clips cycle through its own share only, so when clips outnumber
/// images an image is reused within a part but never serves clips of two parts.
pub fn pair_images(digits: &[usize], parts: &[usize], pools: &[Vec<usize>]) -> Result<Vec<usize>> {
    if digits.len() != parts.len() || parts.iter().any(|&p| p > 2) {
        return Err(Error::InvalidInput(format!(
            "pair_images: {} digits, {} parts (each 0, 1 or 2)",
            digits.len(),
            parts.len()
        )));
    }
    let mut shares = Vec::with_capacity(pools.len());
    for (d, pool) in pools.iter().enumerate() {
        let mut counts = [0usize; 3];
        for (&dg, &p) in digits.iter().zip(parts) {
            if dg == d {
                counts[p] += 1;
            }
        }
        let present = counts.iter().filter(|&&c| c > 0).count();
        if pool.len() < present {
            return Err(Error::InvalidInput(format!(
                "digit {d} has {} images for clips in {present} split parts",
                pool.len()
            )));
        }
        let total: usize = counts.iter().sum();
        let mut size = counts.map(|c| {
            if c == 0 {
                0
            } else {
                (pool.len() * c / total).max(1)
            }
        });
        // Rounding up to one image can overshoot: take the excess from the largest shares.
        while size.iter().sum::<usize>() > pool.len() {
            let big = (0..3).max_by_key(|&p| size[p]).unwrap_or(0);
            size[big] -= 1;
        }
        let mut start = 0;
        shares.push(size.map(|s| {
            let share = start..start + s;
            start += s;
            share
        }));
    }
    let mut next = vec![[0usize; 3]; pools.len()];
    digits
        .iter()
        .zip(parts)
        .map(|(&d, &p)| {
            let share = shares
                .get(d)
                .map(|s| s[p].clone())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::InvalidInput(format!("no images of digit {d}")))?;
            let k = next[d][p];
            next[d][p] += 1;
            Ok(pools[d][share.start + k % share.len()])
        })
        .collect()
}
