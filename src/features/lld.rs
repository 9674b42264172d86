//! The Interspeech 2009 emotion-challenge low-level descriptors as used by L-GrIN, 32 dims per frame.
//!
//! Column order (see [`LLD_COLUMNS`]): `mfcc1..mfcc12, log_energy, zcr, voicing_prob, f0_hz`, each
//! smoothed with a centred 3-frame moving average (2 frames at the clip edges), followed by the
//! first-order deltas of those 16 smoothed values in the same order. Deltas use the HTK regression
//! `d[t] = sum_{k=1..2} k (x[t+k] - x[t-k]) / (2 sum k^2)` with edge frames repeated.
//! MFCCs: 25 ms / 10 ms, pre-emphasis 0.97, Hamming, 26 mel filters, lifter 22; prosody from
//! [`super::prosody`] on the same frame grid.

use super::mfcc::{mfcc, MfccConfig};
use super::prosody::{prosody, ProsodyConfig};
use super::wav::Audio;
use super::FrameMatrix;
use crate::error::{Error, Result};

/// Number of LLD columns.
pub const LLD_DIMS: usize = 32;

/// Names of the 32 LLD columns, in order.
pub const LLD_COLUMNS: [&str; LLD_DIMS] = [
    "mfcc1",
    "mfcc2",
    "mfcc3",
    "mfcc4",
    "mfcc5",
    "mfcc6",
    "mfcc7",
    "mfcc8",
    "mfcc9",
    "mfcc10",
    "mfcc11",
    "mfcc12",
    "log_energy",
    "zcr",
    "voicing_prob",
    "f0_hz",
    "d_mfcc1",
    "d_mfcc2",
    "d_mfcc3",
    "d_mfcc4",
    "d_mfcc5",
    "d_mfcc6",
    "d_mfcc7",
    "d_mfcc8",
    "d_mfcc9",
    "d_mfcc10",
    "d_mfcc11",
    "d_mfcc12",
    "d_log_energy",
    "d_zcr",
    "d_voicing_prob",
    "d_f0_hz",
];

/// Centred moving average over `width` frames (odd), per column, shrinking at the edges.
pub fn moving_average(m: &FrameMatrix, width: usize) -> FrameMatrix {
    let h = width / 2;
    let mut out = FrameMatrix::zeros(m.rows, m.cols);
    for r in 0..m.rows {
        let lo = r.saturating_sub(h);
        let hi = (r + h).min(m.rows.saturating_sub(1));
        let n = (hi - lo + 1) as f32;
        for c in 0..m.cols {
            out.data[r * m.cols + c] = (lo..=hi).map(|k| m.get(k, c)).sum::<f32>() / n;
        }
    }
    out
}

/// HTK regression deltas over +-`n` frames with edge frames repeated.
pub fn deltas(m: &FrameMatrix, n: usize) -> FrameMatrix {
    let denom = 2.0 * (1..=n).map(|k| (k * k) as f32).sum::<f32>();
    let mut out = FrameMatrix::zeros(m.rows, m.cols);
    if m.rows == 0 || n == 0 {
        return out;
    }
    let last = m.rows - 1;
    for r in 0..m.rows {
        for c in 0..m.cols {
            let mut acc = 0.0;
            for k in 1..=n {
                acc += k as f32 * (m.get((r + k).min(last), c) - m.get(r.saturating_sub(k), c));
            }
            out.data[r * m.cols + c] = acc / denom;
        }
    }
    out
}

/// The 32-dim LLD matrix `[frames, 32]` of a clip.
pub fn lld(audio: &Audio) -> Result<FrameMatrix> {
    let mcfg = MfccConfig::default();
    let pcfg = ProsodyConfig::default();
    let cep = mfcc(audio, &mcfg)?;
    let pros = prosody(audio, &pcfg)?;
    if cep.rows != pros.rows {
        return Err(Error::shape(
            "lld",
            format!("{} MFCC frames vs {} prosody frames", cep.rows, pros.rows),
        ));
    }
    let mut base = FrameMatrix::zeros(cep.rows, 16);
    for r in 0..cep.rows {
        let row = base.row_mut(r);
        row[..12].copy_from_slice(&cep.row(r)[1..13]);
        row[12..].copy_from_slice(pros.row(r));
    }
    let smooth = moving_average(&base, 3);
    let d = deltas(&smooth, 2);
    let mut out = FrameMatrix::zeros(cep.rows, LLD_DIMS);
    for r in 0..cep.rows {
        let row = out.row_mut(r);
        row[..16].copy_from_slice(smooth.row(r));
        row[16..].copy_from_slice(d.row(r));
    }
    Ok(out)
}
