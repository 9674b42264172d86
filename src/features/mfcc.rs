//! MFCCs following python_speech_features 0.6 conventions: pre-emphasis, framing with zero padding
//! of the last frame, window, `|rfft|^2 / nfft` power spectrum, triangular mel filterbank,
//! natural log, orthonormal DCT-II, sinusoidal liftering, c0 optionally replaced by log energy.

use super::fft::FftPlan;
use super::wav::Audio;
use super::FrameMatrix;
use crate::error::{Error, Result};

/// Analysis window applied to each frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Symmetric Hamming, `0.54 - 0.46 cos(2 pi n / (N - 1))` (numpy.hamming).
    Hamming,
    /// No window.
    Rectangular,
}

/// MFCC settings. The defaults are 25 ms / 10 ms, pre-emphasis 0.97, Hamming, 26 filters,
/// 13 coefficients, lifter 22, c0 replaced by log frame energy.
#[derive(Debug, Clone, PartialEq)]
pub struct MfccConfig {
    /// Window length in seconds.
    pub win_seconds: f64,
    /// Frame step in seconds.
    pub step_seconds: f64,
    /// Pre-emphasis coefficient (0 turns it off).
    pub preemph: f64,
    /// FFT size; `None` picks `max(512, next power of two >= frame length)`.
    pub nfft: Option<usize>,
    /// Mel filters; each must cover at least one FFT bin.
    pub nfilt: usize,
    /// Cepstral coefficients kept.
    pub numcep: usize,
    /// Lowest filterbank edge in Hz (at least 0, below the highest edge).
    pub lowfreq: f64,
    /// Highest filterbank edge in Hz (`None` = Nyquist; at most Nyquist).
    pub highfreq: Option<f64>,
    /// Lifter parameter (0 turns liftering off).
    pub ceplifter: f64,
    /// Replace c0 with the log of the frame's total power.
    pub append_energy: bool,
    /// Analysis window.
    pub window: Window,
}

impl Default for MfccConfig {
    fn default() -> Self {
        MfccConfig {
            win_seconds: 0.025,
            step_seconds: 0.01,
            preemph: 0.97,
            nfft: None,
            nfilt: 26,
            numcep: 13,
            lowfreq: 0.0,
            highfreq: None,
            ceplifter: 22.0,
            append_energy: true,
            window: Window::Hamming,
        }
    }
}

/// Round half up, as python_speech_features does for frame sizes.
pub fn round_half_up(x: f64) -> usize {
    (x + 0.5).floor().max(0.0) as usize
}

/// Frame length and step in samples for a sample rate.
pub fn frame_geometry(sample_rate: u32, win_seconds: f64, step_seconds: f64) -> (usize, usize) {
    let len = round_half_up(win_seconds * sample_rate as f64).max(1);
    let step = round_half_up(step_seconds * sample_rate as f64).max(1);
    (len, step)
}

/// Number of frames for `n` samples: 1 when `n <= len`, else `1 + ceil((n - len) / step)`; the last
/// frame is zero-padded.
pub fn frame_count(n: usize, len: usize, step: usize) -> usize {
    if n <= len {
        1
    } else {
        1 + (n - len).div_ceil(step)
    }
}

/// Cut `signal` into frames (zero-padded at the end), one `Vec` per frame.
pub fn frames(signal: &[f64], len: usize, step: usize) -> Vec<Vec<f64>> {
    let count = frame_count(signal.len(), len, step);
    (0..count)
        .map(|f| {
            let mut frame = vec![0.0; len];
            frame_into(signal, f, step, &mut frame);
            frame
        })
        .collect()
}

/// Write frame `f` of `signal` (samples `f * step ..`, zero-padded past the end of the signal)
/// into `frame`, whose length is the frame length.
pub fn frame_into(signal: &[f64], f: usize, step: usize, frame: &mut [f64]) {
    for (i, x) in frame.iter_mut().enumerate() {
        // Saturating: a step far longer than the signal puts frame 1 past its end.
        let at = f.saturating_mul(step).saturating_add(i);
        *x = signal.get(at).copied().unwrap_or(0.0);
    }
}

/// Window coefficients of length `n`.
pub fn window(kind: Window, n: usize) -> Vec<f64> {
    match kind {
        Window::Rectangular => vec![1.0; n],
        Window::Hamming if n == 1 => vec![1.0],
        Window::Hamming => (0..n)
            .map(|i| 0.54 - 0.46 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos())
            .collect(),
    }
}

fn hz2mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel2hz(mel: f64) -> f64 {
    700.0 * (10f64.powf(mel / 2595.0) - 1.0)
}

/// Triangular mel filterbank, `nfilt` rows of `nfft / 2 + 1` weights, with python_speech_features'
/// bin placement `floor((nfft + 1) * hz / rate)`.
pub fn mel_filterbank(nfilt: usize, nfft: usize, rate: f64, low: f64, high: f64) -> Vec<Vec<f64>> {
    let (lm, hm) = (hz2mel(low), hz2mel(high));
    let bins: Vec<f64> = (0..nfilt + 2)
        .map(|i| {
            let mel = lm + (hm - lm) * i as f64 / (nfilt + 1) as f64;
            ((nfft + 1) as f64 * mel2hz(mel) / rate).floor()
        })
        .collect();
    let width = nfft / 2 + 1;
    (0..nfilt)
        .map(|j| {
            let mut row = vec![0.0; width];
            let (a, b, c) = (bins[j], bins[j + 1], bins[j + 2]);
            for (i, w) in row.iter_mut().enumerate() {
                let x = i as f64;
                if x >= a && x < b {
                    *w = (x - a) / (b - a);
                } else if x >= b && x < c {
                    *w = (c - x) / (c - b);
                }
            }
            row
        })
        .collect()
}

/// Orthonormal DCT-II of `x`, first `keep` coefficients.
pub fn dct2_ortho(x: &[f64], keep: usize) -> Vec<f64> {
    let n = x.len() as f64;
    (0..keep.min(x.len()))
        .map(|k| {
            let s: f64 = x
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v * (std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * n)).cos()
                })
                .sum();
            s * if k == 0 {
                (1.0 / n).sqrt()
            } else {
                (2.0 / n).sqrt()
            }
        })
        .collect()
}

/// Pre-emphasis `y[0] = x[0]`, `y[n] = x[n] - a x[n-1]`.
pub fn preemphasis(x: &[f32], a: f64) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            if i == 0 {
                x[0] as f64
            } else {
                x[i] as f64 - a * x[i - 1] as f64
            }
        })
        .collect()
}

/// MFCCs of a mono signal: `[frames, numcep]`. Fails with [`Error::TooShort`] when the signal is
/// shorter than one window and [`Error::Config`] on invalid settings (including an `nfft` of 0,
/// filterbank edges outside `0..=Nyquist` or out of order, and a mel filter that covers no FFT
/// bin: more filters than the FFT resolves between the edges, whose output would be the
/// constant ln(eps)).
pub fn mfcc(audio: &Audio, cfg: &MfccConfig) -> Result<FrameMatrix> {
    if cfg.nfilt == 0 || cfg.numcep == 0 || cfg.numcep > cfg.nfilt {
        return Err(Error::Config(format!(
            "mfcc needs 0 < numcep ({}) <= nfilt ({})",
            cfg.numcep, cfg.nfilt
        )));
    }
    let seconds = [cfg.win_seconds, cfg.step_seconds];
    if !seconds.iter().all(|s| s.is_finite() && *s > 0.0) || audio.sample_rate == 0 {
        return Err(Error::Config(format!(
            "mfcc window and step must be positive finite seconds and the sample rate positive, \
             got {} and {} s at {} Hz",
            cfg.win_seconds, cfg.step_seconds, audio.sample_rate
        )));
    }
    let (len, step) = frame_geometry(audio.sample_rate, cfg.win_seconds, cfg.step_seconds);
    audio.require_frame("<signal>", len)?;
    let nfft = cfg.nfft.unwrap_or_else(|| len.next_power_of_two().max(512));
    let rate = audio.sample_rate as f64;
    let high = cfg.highfreq.unwrap_or(rate / 2.0);
    // Edges past Nyquist cut filters off (all-zero rows give ln(eps)); python_speech_features
    // asserts on them.
    if nfft == 0 || !(cfg.lowfreq >= 0.0 && cfg.lowfreq < high && high <= rate / 2.0) {
        return Err(Error::Config(format!(
            "mfcc needs nfft >= 1 and 0 <= lowfreq < highfreq <= {} Hz (Nyquist), got nfft {nfft}, \
             lowfreq {}, highfreq {high}",
            rate / 2.0,
            cfg.lowfreq
        )));
    }
    let fb = mel_filterbank(cfg.nfilt, nfft, rate, cfg.lowfreq, high);
    if let Some(j) = fb.iter().position(|row| row.iter().all(|&w| w == 0.0)) {
        return Err(Error::Config(format!(
            "mel filter {j} of {} covers no FFT bin (nfft {nfft} at {rate} Hz, filters between \
             {} and {high} Hz); use fewer filters, a larger nfft or a wider band",
            cfg.nfilt, cfg.lowfreq
        )));
    }
    let win = window(cfg.window, len);
    let plan = FftPlan::new(nfft);
    let sig = preemphasis(&audio.samples, cfg.preemph);
    let count = frame_count(sig.len(), len, step);
    // Sparse filterbank rows: (first non-zero bin, weights).
    let sparse: Vec<(usize, Vec<f64>)> = fb
        .iter()
        .map(|row| {
            let lo = row.iter().position(|&w| w != 0.0).unwrap_or(0);
            let hi = row.iter().rposition(|&w| w != 0.0).map_or(lo, |h| h + 1);
            (lo, row[lo..hi].to_vec())
        })
        .collect();
    let nf = cfg.nfilt as f64;
    let dct: Vec<Vec<f64>> = (0..cfg.numcep)
        .map(|k| {
            let scale = if k == 0 {
                (1.0 / nf).sqrt()
            } else {
                (2.0 / nf).sqrt()
            };
            (0..cfg.nfilt)
                .map(|i| {
                    scale
                        * (std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * nf)).cos()
                })
                .collect()
        })
        .collect();
    let lift: Vec<f64> = (0..cfg.numcep)
        .map(|n| {
            let l = cfg.ceplifter;
            if l > 0.0 {
                1.0 + (l / 2.0) * (std::f64::consts::PI * n as f64 / l).sin()
            } else {
                1.0
            }
        })
        .collect();
    let mut out = FrameMatrix::zeros(count, cfg.numcep);
    let mut logmel = vec![0.0; cfg.nfilt];
    // One windowed frame at a time, so memory stays one frame whatever the clip's length.
    let mut frame = vec![0.0; len];
    // One transform per frame: packing two frames into one complex transform
    // (`power_spectrum_pair`) leaks rounding noise of the louder frame into the quieter one, so a
    // silent frame next to speech got ln(1e-30)-size noise instead of the eps floor.
    for f in 0..count {
        frame_into(&sig, f, step, &mut frame);
        for (x, w) in frame.iter_mut().zip(&win) {
            *x *= w;
        }
        let pspec: Vec<f64> = plan
            .power_spectrum(&frame)
            .iter()
            .map(|v| v / nfft as f64)
            .collect();
        let energy = pspec.iter().sum::<f64>();
        let energy = if energy == 0.0 { f64::EPSILON } else { energy };
        for (lm, (lo, w)) in logmel.iter_mut().zip(&sparse) {
            let e: f64 = w.iter().zip(&pspec[*lo..]).map(|(a, b)| a * b).sum();
            *lm = (if e == 0.0 { f64::EPSILON } else { e }).ln();
        }
        let row = out.row_mut(f);
        for (k, o) in row.iter_mut().enumerate() {
            let c: f64 = dct[k].iter().zip(&logmel).map(|(a, b)| a * b).sum();
            *o = (c * lift[k]) as f32;
        }
        if cfg.append_energy {
            row[0] = energy.ln() as f32;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{frame_into, frames};

    /// Frames start every `step` samples, overlap or leave gaps as `step` says, and the last
    /// one is zero-padded past the end of the signal.
    #[test]
    fn frames_step_through_the_signal_and_pad_the_last_one() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(
            frames(&x, 3, 2),
            vec![vec![1.0, 2.0, 3.0], vec![3.0, 4.0, 5.0]]
        );
        assert_eq!(
            frames(&x, 3, 3),
            vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 0.0]]
        );
        assert_eq!(
            frames(&x, 8, 2),
            vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0, 0.0]]
        );
        let mut frame = [9.0; 2];
        frame_into(&x, usize::MAX, usize::MAX, &mut frame);
        assert_eq!(frame, [0.0, 0.0], "a frame past the end is silent");
    }
}
