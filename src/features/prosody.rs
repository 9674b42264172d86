//! Per-frame prosodic descriptors: log energy, zero-crossing rate, and an autocorrelation pitch
//! tracker giving F0 (Hz, 0 when unvoiced) and a voicing probability (the normalised
//! autocorrelation at the chosen lag; the largest one in the F0 range when no lag in it is a
//! local maximum, with F0 0). A voiced F0 always lies in `[f0_min, f0_max]`: the chosen lag is
//! refined by parabolic interpolation and then clamped to the lags of that range, so a period on
//! (or just past) the first or last lag searched reports the range's end, never a value beyond it.
//!
//! Frames share the MFCC grid (`frame_count` of [`super::mfcc`]): frame `f` covers samples
//! `f * step .. f * step + len`, zero-padded at the end. The pitch window is longer (50 ms by
//! default) and centred on the same frame centre, so that F0 down to 60 Hz fits two periods;
//! pitch runs on the signal decimated by [`pitch_decimation`] (22.05 kHz -> 11.025 kHz), or, under
//! 8 kHz, upsampled by [`pitch_upsampling`] (2 kHz -> 8 kHz), so that from 1 kHz up it runs at 8
//! to 16 kHz and a period of up to 500 Hz spans 16 lags or more.

use super::fft::FftPlan;
use super::mfcc::{frame_count, frame_geometry};
use super::wav::Audio;
use super::FrameMatrix;
use crate::error::{Error, Result};

/// Prosody settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProsodyConfig {
    /// Frame length in seconds (energy and ZCR).
    pub win_seconds: f64,
    /// Frame step in seconds.
    pub step_seconds: f64,
    /// Pitch analysis window in seconds, centred on each frame.
    pub pitch_win_seconds: f64,
    /// Lowest F0 searched, Hz; no voiced F0 is reported below it.
    pub f0_min: f64,
    /// Highest F0 searched, Hz; no voiced F0 is reported above it.
    pub f0_max: f64,
    /// Normalised autocorrelation needed to call a frame voiced.
    pub voicing_threshold: f64,
}

impl Default for ProsodyConfig {
    fn default() -> Self {
        ProsodyConfig {
            win_seconds: 0.025,
            step_seconds: 0.01,
            pitch_win_seconds: 0.05,
            f0_min: 60.0,
            f0_max: 500.0,
            voicing_threshold: 0.45,
        }
    }
}

/// Column order of [`prosody`]'s output.
pub const PROSODY_COLUMNS: [&str; 4] = ["log_energy", "zcr", "voicing_prob", "f0_hz"];

/// Natural log of the frame's mean square plus 1e-10.
pub fn log_energy(frame: &[f64]) -> f64 {
    let n = frame.len().max(1) as f64;
    (frame.iter().map(|v| v * v).sum::<f64>() / n + 1e-10).ln()
}

/// Fraction of adjacent sample pairs whose sign differs (0 for frames under 2 samples).
pub fn zero_crossing_rate(frame: &[f64]) -> f64 {
    if frame.len() < 2 {
        return 0.0;
    }
    let z = frame
        .windows(2)
        .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
        .count();
    z as f64 / (frame.len() - 1) as f64
}

/// An autocorrelation pitch tracker for one sample rate and window length.
#[derive(Debug, Clone)]
pub struct PitchTracker {
    rate: f64,
    f0_min: f64,
    f0_max: f64,
    lag_min: usize,
    lag_max: usize,
    threshold: f64,
    plan: FftPlan,
}

impl PitchTracker {
    /// A tracker for windows of `win_len` samples at `rate` Hz. Errors unless `rate` is a
    /// positive number, `0 < f0_min < f0_max` and the voicing threshold is not NaN.
    pub fn new(rate: f64, win_len: usize, cfg: &ProsodyConfig) -> Result<Self> {
        if !(cfg.f0_min > 0.0 && cfg.f0_max > cfg.f0_min) {
            return Err(Error::Config(format!(
                "pitch range must satisfy 0 < f0_min < f0_max, got {}..{}",
                cfg.f0_min, cfg.f0_max
            )));
        }
        if !(rate.is_finite() && rate > 0.0) {
            return Err(Error::Config(format!(
                "pitch tracker sample rate must be a positive number, got {rate}"
            )));
        }
        if cfg.voicing_threshold.is_nan() {
            return Err(Error::Config(
                "prosody voicing threshold must be a number, got NaN".into(),
            ));
        }
        let lag_min = ((rate / cfg.f0_max).floor() as usize).max(2);
        let lag_max = ((rate / cfg.f0_min).ceil() as usize).min(win_len.saturating_sub(2));
        // One guard lag past lag_max, so that lag_max itself can be a local maximum.
        let plan = FftPlan::new((win_len + lag_max + 2).next_power_of_two());
        Ok(PitchTracker {
            rate,
            f0_min: cfg.f0_min,
            f0_max: cfg.f0_max,
            lag_min,
            lag_max,
            threshold: cfg.voicing_threshold,
            plan,
        })
    }

    /// `(f0_hz, voicing_prob)` of one window; F0 is 0 when the window is unvoiced, and otherwise
    /// within the configured `[f0_min, f0_max]`. A window may be longer than the `win_len` the
    /// tracker was made for (it is then transformed at a size planned for it, per call); the lags
    /// searched stay those of `win_len`.
    pub fn track(&self, frame: &[f64]) -> (f64, f64) {
        self.track_pair(frame, &[])[0]
    }

    /// [`PitchTracker::track`] for two windows at once (one pair of transforms serves both).
    pub fn track_pair(&self, a: &[f64], b: &[f64]) -> [(f64, f64); 2] {
        let demean = |f: &[f64]| -> Vec<f64> {
            let m = f.iter().sum::<f64>() / f.len().max(1) as f64;
            f.iter().map(|v| v - m).collect()
        };
        let (xa, xb) = (demean(a), demean(b));
        // The circular autocorrelation equals the linear one up to the guard lag only when the
        // transform holds the window plus that lag; a longer window needs a larger transform.
        let need = a.len().max(b.len()) + self.lag_max + 2;
        let wider;
        let plan = if need > self.plan.len() {
            wider = FftPlan::new(need.next_power_of_two());
            &wider
        } else {
            &self.plan
        };
        let (ra, rb) = plan.autocorr_pair(&xa, &xb, self.lag_max + 1);
        [self.pick(&ra, &xa), self.pick(&rb, &xb)]
    }

    fn pick(&self, r: &[f64], x: &[f64]) -> (f64, f64) {
        let n = x.len();
        if self.lag_max <= self.lag_min + 1 || n <= self.lag_max + 1 || r.len() <= self.lag_max + 1
        {
            return (0.0, 0.0);
        }
        let mut prefix = vec![0.0; n + 1];
        for i in 0..n {
            prefix[i + 1] = prefix[i] + x[i] * x[i];
        }
        if prefix[n] < 1e-12 * n as f64 {
            return (0.0, 0.0);
        }
        let nr = |lag: usize| -> f64 {
            let d = (prefix[n - lag] * (prefix[n] - prefix[lag])).sqrt();
            if d > 0.0 {
                r[lag] / d
            } else {
                0.0
            }
        };
        // vals[i] is lag lag_min - 1 + i: one guard lag on each side of the searched range, so
        // that a period at either end of it can be a local maximum.
        let vals: Vec<f64> = (self.lag_min - 1..=self.lag_max + 1).map(nr).collect();
        let inner = 1..vals.len() - 1;
        let peak = vals[inner.clone()].iter().cloned().fold(f64::MIN, f64::max);
        if peak <= 0.0 {
            return (0.0, 0.0);
        }
        // Smallest-lag local maximum within 10% of the global peak avoids octave-down errors.
        // Without one (the correlation only falls or only rises over the range) no lag in it is
        // a period: unvoiced, with the range's largest correlation as the voicing value.
        let best = inner
            .clone()
            .find(|&i| vals[i] >= vals[i - 1] && vals[i] >= vals[i + 1] && vals[i] >= 0.9 * peak);
        let Some(i) = best else {
            return (0.0, peak.clamp(0.0, 1.0));
        };
        let (a, b, c) = (vals[i - 1], vals[i], vals[i + 1]);
        let den = a - 2.0 * b + c;
        let shift = if den.abs() > 1e-12 {
            (0.5 * (a - c) / den).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        // The integer search range reaches just past the F0 range (lag_min = floor(rate / f0_max),
        // lag_max = ceil(rate / f0_min)) and the interpolation moves up to half a lag further:
        // clamp the lag to the range's own lags, then F0 against rounding.
        let lag = ((self.lag_min - 1 + i) as f64 + shift)
            .clamp(self.rate / self.f0_max, self.rate / self.f0_min);
        let prob = b.clamp(0.0, 1.0);
        if prob >= self.threshold {
            ((self.rate / lag).clamp(self.f0_min, self.f0_max), prob)
        } else {
            (0.0, prob)
        }
    }
}

/// Integer decimation factor used before pitch tracking: `max(1, floor(rate / 8000))`.
pub fn pitch_decimation(rate: u32) -> usize {
    ((rate / 8000) as usize).max(1)
}

/// Integer upsampling factor used before pitch tracking: `ceil(8000 / rate)` under 8 kHz (at
/// most 8, reached at 1 kHz, the lowest rate a 500 Hz pitch can be sampled at), else 1.
///
/// At a low rate a period spans few samples (4 for 250 Hz at 1 kHz), and the autocorrelation at
/// the lag nearest it can fall under the peak at twice the period, an octave-down error; the
/// signal is interpolated (windowed sinc) to 8 kHz or more first.
pub fn pitch_upsampling(rate: u32) -> usize {
    if rate == 0 || rate >= 8000 {
        1
    } else {
        8000usize.div_ceil(rate as usize).min(8)
    }
}

/// Half-width, in input samples, of the Hann-windowed sinc kernel of [`upsample`].
const SINC_HALF_WIDTH: i64 = 16;

/// `x` interpolated to `u` times its rate with a Hann-windowed sinc kernel of
/// [`SINC_HALF_WIDTH`] samples each side (zeros past the ends); every `u`-th output sample is
/// the input sample itself.
fn upsample(x: &[f32], u: usize) -> Vec<f64> {
    let h = SINC_HALF_WIDTH;
    // Kernel taps for each of the u sub-sample phases p / u.
    let taps: Vec<Vec<f64>> = (0..u)
        .map(|p| {
            let frac = p as f64 / u as f64;
            (-h + 1..=h)
                .map(|k| {
                    let t = frac - k as f64;
                    let sinc = if t == 0.0 {
                        1.0
                    } else {
                        (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
                    };
                    let hann = 0.5 * (1.0 + (std::f64::consts::PI * t / h as f64).cos());
                    sinc * hann
                })
                .collect()
        })
        .collect();
    let n = x.len() as i64;
    let mut out = Vec::with_capacity(x.len() * u);
    for i in 0..n {
        for tap in &taps {
            let mut acc = 0.0;
            for (k, w) in (-h + 1..=h).zip(tap) {
                let j = i + k;
                if (0..n).contains(&j) {
                    acc += w * f64::from(x[j as usize]);
                }
            }
            out.push(acc);
        }
    }
    out
}

/// Per-frame `[log_energy, zcr, voicing_prob, f0_hz]` (see [`PROSODY_COLUMNS`]).
pub fn prosody(audio: &Audio, cfg: &ProsodyConfig) -> Result<FrameMatrix> {
    let seconds = [cfg.win_seconds, cfg.step_seconds, cfg.pitch_win_seconds];
    if !seconds.iter().all(|s| s.is_finite() && *s > 0.0) || audio.sample_rate == 0 {
        return Err(Error::Config(format!(
            "prosody window, step and pitch window must be positive finite seconds and the \
             sample rate positive, got {}, {}, {} s at {} Hz",
            cfg.win_seconds, cfg.step_seconds, cfg.pitch_win_seconds, audio.sample_rate
        )));
    }
    let (len, step) = frame_geometry(audio.sample_rate, cfg.win_seconds, cfg.step_seconds);
    audio.require_frame("<signal>", len)?;
    let d = pitch_decimation(audio.sample_rate);
    let u = pitch_upsampling(audio.sample_rate);
    let drate = audio.sample_rate as f64 * u as f64 / d as f64;
    let plen = ((cfg.pitch_win_seconds * drate).round() as usize).max(1);
    let tracker = PitchTracker::new(drate, plen, cfg)?;
    let s = &audio.samples;
    // Boxcar decimation by d (a crude anti-alias filter; F0 <= 500 Hz stays well below Nyquist),
    // or sinc interpolation by u (one of d and u is 1).
    let ds: Vec<f64> = if u > 1 {
        upsample(s, u)
    } else {
        s.chunks(d)
            .map(|c| c.iter().map(|&v| v as f64).sum::<f64>() / d as f64)
            .collect()
    };
    let count = frame_count(s.len(), len, step);
    let mut out = FrameMatrix::zeros(count, 4);
    let pitch_window = |f: usize| -> Vec<f64> {
        // Saturating: a step far longer than the signal puts frame 1 wholly past its end.
        let centre = f
            .saturating_mul(step)
            .saturating_add(len / 2)
            .saturating_mul(u)
            / d;
        (0..plen)
            .map(|i| {
                centre
                    .saturating_add(i)
                    .checked_sub(plen / 2)
                    .and_then(|k| ds.get(k))
                    .map_or(0.0, |&v| v)
            })
            .collect()
    };
    for f in (0..count).step_by(2) {
        let second = if f + 1 < count {
            pitch_window(f + 1)
        } else {
            Vec::new()
        };
        let pair = tracker.track_pair(&pitch_window(f), &second);
        for (g, (f0, prob)) in [f, f + 1].into_iter().zip(pair) {
            if g >= count {
                break;
            }
            let start = g.saturating_mul(step);
            let frame: Vec<f64> = (0..len)
                .map(|i| {
                    start
                        .checked_add(i)
                        .and_then(|k| s.get(k))
                        .map_or(0.0, |&v| v as f64)
                })
                .collect();
            let row = out.row_mut(g);
            row[0] = log_energy(&frame) as f32;
            row[1] = zero_crossing_rate(&frame) as f32;
            row[2] = prob as f32;
            row[3] = f0 as f32;
        }
    }
    Ok(out)
}
