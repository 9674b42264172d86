//! The speech front end checked step by step against its documented definitions, each computed
//! here directly in f64 (no FFT, no shared helper): the FFT against a naive DFT on random input
//! of the non-power-of-two sizes the front end uses; MFCCs at 22.05 kHz with the default,
//! automatically chosen FFT size (the committed python_speech_features fixture covers 8 kHz and
//! an FFT size of 512 only); per-frame log energy, zero-crossing rate and the centring of the
//! pitch window; the LLD matrix as the documented 3-frame smoothing and HTK deltas of those
//! columns; and the frame-to-node chunks of `group_frames`.

use std::f64::consts::PI;
use synchgraph::features::fft::{dft_naive, Complex, FftPlan};
use synchgraph::features::frames::group_frames;
use synchgraph::features::lld::{lld, LLD_DIMS};
use synchgraph::features::mfcc::{mfcc, MfccConfig};
use synchgraph::features::prosody::{pitch_decimation, prosody, PitchTracker, ProsodyConfig};
use synchgraph::features::wav::{read_wav, Audio};
use synchgraph::features::FrameMatrix;

/// A seeded uniform generator in [-1, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

fn emodb(name: &str) -> Audio {
    let local = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/emodb/wav"
    ));
    let dir = if local.is_dir() {
        local
    } else {
        std::path::PathBuf::from("/work/shared/data/emodb/wav")
    };
    read_wav(dir.join(name)).unwrap()
}

/// The first `secs` seconds of an EmoDB clip (22.05 kHz).
fn emodb_head(name: &str, secs: f64) -> Audio {
    let mut a = emodb(name);
    a.samples.truncate((secs * a.sample_rate as f64) as usize);
    a
}

#[test]
fn fft_matches_naive_dft_on_random_input() {
    let mut rng = Lcg(7);
    // 221, 400, 551, 1103: frame and step lengths at 16, 22.05 and 44.1 kHz.
    for n in [1usize, 2, 3, 7, 12, 221, 400, 551, 1024, 1103] {
        let x: Vec<Complex> = (0..n)
            .map(|_| Complex::new(rng.next(), rng.next()))
            .collect();
        let want = dft_naive(&x);
        let mut got = x.clone();
        FftPlan::new(n).forward(&mut got);
        // Tolerance: rounding of an O(n log n) transform, relative to the output's norm: 1e-12.
        let norm = want.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
        let err = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a.re - b.re).powi(2) + (a.im - b.im).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err <= 1e-12 * norm, "n {n}: error {err:e} of norm {norm:e}");

        // Two real frames per transform, and linear (not circular) autocorrelations.
        let a: Vec<f64> = (0..n).map(|_| rng.next()).collect();
        let b: Vec<f64> = (0..n / 2).map(|_| rng.next()).collect();
        let plan = FftPlan::new(n);
        let (pa, pb) = plan.power_spectrum_pair(&a, &b);
        for (pair, frame) in [(&pa, &a), (&pb, &b)] {
            let spec: Vec<Complex> = (0..n)
                .map(|i| Complex::new(frame.get(i).copied().unwrap_or(0.0), 0.0))
                .collect();
            let want = dft_naive(&spec);
            assert_eq!(pair.len(), n / 2 + 1);
            for (k, p) in pair.iter().enumerate() {
                assert!(
                    (p - want[k].norm_sqr()).abs() <= 1e-12 * n as f64 * n as f64,
                    "n {n} bin {k}"
                );
            }
        }
        let max_lag = n.saturating_sub(1).min(40);
        let big = FftPlan::new((2 * n).next_power_of_two());
        let (ra, rb) = big.autocorr_pair(&a, &b, max_lag);
        for (r, x) in [(&ra, &a), (&rb, &b)] {
            for (lag, got) in r.iter().enumerate() {
                let want: f64 = (0..x.len().saturating_sub(lag))
                    .map(|i| x[i] * x[i + lag])
                    .sum();
                assert!((got - want).abs() <= 1e-12 * n as f64, "n {n} lag {lag}");
            }
        }
    }
}

/// MFCCs as documented (python_speech_features conventions), straight from the formulas.
fn mfcc_direct(audio: &Audio, cfg: &MfccConfig) -> Vec<Vec<f64>> {
    let rate = audio.sample_rate as f64;
    let len = (cfg.win_seconds * rate + 0.5).floor() as usize;
    let step = (cfg.step_seconds * rate + 0.5).floor() as usize;
    let nfft = len.next_power_of_two().max(512);
    let x: Vec<f64> = audio.samples.iter().map(|&v| v as f64).collect();
    let pre: Vec<f64> = (0..x.len())
        .map(|i| {
            if i == 0 {
                x[0]
            } else {
                x[i] - cfg.preemph * x[i - 1]
            }
        })
        .collect();
    let count = if pre.len() <= len {
        1
    } else {
        1 + (pre.len() - len).div_ceil(step)
    };
    let mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
    let hz = |m: f64| 700.0 * (10f64.powf(m / 2595.0) - 1.0);
    let (lo, hi) = (mel(0.0), mel(rate / 2.0));
    let nf = cfg.nfilt;
    let bins: Vec<f64> = (0..nf + 2)
        .map(|i| {
            ((nfft + 1) as f64 * hz(lo + (hi - lo) * i as f64 / (nf + 1) as f64) / rate).floor()
        })
        .collect();
    let cos_tab: Vec<(f64, f64)> = (0..nfft)
        .map(|j| {
            let a = -2.0 * PI * j as f64 / nfft as f64;
            (a.cos(), a.sin())
        })
        .collect();
    (0..count)
        .map(|f| {
            let frame: Vec<f64> = (0..len)
                .map(|i| {
                    let w = 0.54 - 0.46 * (2.0 * PI * i as f64 / (len - 1) as f64).cos();
                    w * pre.get(f * step + i).copied().unwrap_or(0.0)
                })
                .collect();
            let pspec: Vec<f64> = (0..=nfft / 2)
                .map(|k| {
                    let (mut re, mut im) = (0.0, 0.0);
                    for (i, v) in frame.iter().enumerate() {
                        let (c, s) = cos_tab[(k * i) % nfft];
                        re += v * c;
                        im += v * s;
                    }
                    (re * re + im * im) / nfft as f64
                })
                .collect();
            let logmel: Vec<f64> = (0..nf)
                .map(|j| {
                    let (a, b, c) = (bins[j], bins[j + 1], bins[j + 2]);
                    let e: f64 = pspec
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            let x = i as f64;
                            let w = if x >= a && x < b {
                                (x - a) / (b - a)
                            } else if x >= b && x < c {
                                (c - x) / (c - b)
                            } else {
                                0.0
                            };
                            w * p
                        })
                        .sum();
                    if e == 0.0 { f64::EPSILON } else { e }.ln()
                })
                .collect();
            let mut row: Vec<f64> = (0..cfg.numcep)
                .map(|k| {
                    let s: f64 = logmel
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            v * (PI * k as f64 * (2 * i + 1) as f64 / (2 * nf) as f64).cos()
                        })
                        .sum();
                    let scale = if k == 0 {
                        1.0 / nf as f64
                    } else {
                        2.0 / nf as f64
                    }
                    .sqrt();
                    let lift = 1.0 + cfg.ceplifter / 2.0 * (PI * k as f64 / cfg.ceplifter).sin();
                    s * scale * lift
                })
                .collect();
            let energy: f64 = pspec.iter().sum();
            row[0] = if energy == 0.0 { f64::EPSILON } else { energy }.ln();
            row
        })
        .collect()
}

#[test]
fn mfcc_at_22050_hz_matches_the_documented_formulas() {
    let audio = emodb_head("03a01Fa.wav", 0.25);
    let cfg = MfccConfig::default();
    let want = mfcc_direct(&audio, &cfg);
    let got = mfcc(&audio, &cfg).unwrap();
    assert_eq!((got.rows, got.cols), (want.len(), 13));
    // Tolerance: as the committed python_speech_features fixture, relative 1e-6 (f32 output).
    for (r, row) in want.iter().enumerate() {
        for (c, w) in row.iter().enumerate() {
            let g = got.get(r, c) as f64;
            assert!(
                (g - w).abs() / (1.0 + w.abs()) < 1e-6,
                "frame {r} coef {c}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn prosody_energy_zcr_and_pitch_window_follow_the_docs() {
    let audio = emodb_head("03a01Wa.wav", 0.6);
    let cfg = ProsodyConfig::default();
    let p = prosody(&audio, &cfg).unwrap();
    let (len, step) = (551usize, 221usize);
    let d = pitch_decimation(audio.sample_rate);
    assert_eq!(d, 2);
    let drate = audio.sample_rate as f64 / d as f64;
    let plen = (cfg.pitch_win_seconds * drate).round() as usize;
    let ds: Vec<f64> = audio
        .samples
        .chunks(d)
        .map(|c| c.iter().map(|&v| v as f64).sum::<f64>() / d as f64)
        .collect();
    let tracker = PitchTracker::new(drate, plen, &cfg).unwrap();
    let n = audio.samples.len();
    assert_eq!(p.rows, 1 + (n - len).div_ceil(step));
    let mut voiced = 0;
    for f in 0..p.rows {
        let frame: Vec<f64> = (0..len)
            .map(|i| audio.samples.get(f * step + i).map_or(0.0, |&v| v as f64))
            .collect();
        // Natural log of the mean square plus 1e-10.
        let e = (frame.iter().map(|v| v * v).sum::<f64>() / len as f64 + 1e-10).ln();
        // Fraction of the len - 1 adjacent pairs whose sign differs.
        let z = frame
            .windows(2)
            .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
            .count() as f64
            / (len - 1) as f64;
        assert!((p.get(f, 0) as f64 - e).abs() < 1e-5, "frame {f} energy");
        assert!((p.get(f, 1) as f64 - z).abs() < 1e-6, "frame {f} zcr");
        // The pitch window: plen decimated samples centred on the frame's centre sample.
        let centre = ((f * step + len / 2) / d) as i64;
        let w: Vec<f64> = (0..plen as i64)
            .map(|i| {
                let k = centre - plen as i64 / 2 + i;
                if k >= 0 && (k as usize) < ds.len() {
                    ds[k as usize]
                } else {
                    0.0
                }
            })
            .collect();
        let (f0, prob) = tracker.track(&w);
        // Tolerance: f32 storage of F0 (up to 500 Hz) and of the voicing value.
        assert!((p.get(f, 3) as f64 - f0).abs() < 1e-4, "frame {f} F0");
        assert!(
            (p.get(f, 2) as f64 - prob).abs() < 1e-6,
            "frame {f} voicing"
        );
        voiced += usize::from(f0 > 0.0);
    }
    assert!(voiced > 10, "{voiced} voiced frames");
}

/// A windowed harmonic tone with noise; the pitch tracker's F0 against a brute-force,
/// time-domain normalised autocorrelation over the documented lag range.
#[test]
fn pitch_tracker_picks_the_period_of_harmonic_tones() {
    let cfg = ProsodyConfig::default();
    let (rate, win) = (11025.0, 551);
    let tracker = PitchTracker::new(rate, win, &cfg).unwrap();
    let mut rng = Lcg(3);
    for f0 in [62.0, 80.0, 101.5, 150.0, 212.0, 260.0, 333.0, 420.0, 495.0] {
        let phases: Vec<f64> = (0..8).map(|_| 3.0 * rng.next()).collect();
        let x: Vec<f64> = (0..win)
            .map(|i| {
                let t = i as f64 / rate;
                (1..=8)
                    .map(|h| (2.0 * PI * f0 * h as f64 * t + phases[h - 1]).sin() / h as f64)
                    .sum::<f64>()
                    + 0.05 * rng.next()
            })
            .collect();
        let (got, prob) = tracker.track(&x);
        assert!((got - f0).abs() / f0 < 0.01, "{f0} Hz gave {got} ({prob})");
        // The voicing value is the normalised autocorrelation at the period, which the
        // brute-force maximum over the lag range bounds from above.
        let m = x.iter().sum::<f64>() / win as f64;
        let y: Vec<f64> = x.iter().map(|v| v - m).collect();
        let nr = |lag: usize| {
            let r: f64 = (0..win - lag).map(|i| y[i] * y[i + lag]).sum();
            let a: f64 = y[..win - lag].iter().map(|v| v * v).sum();
            let b: f64 = y[lag..].iter().map(|v| v * v).sum();
            r / (a * b).sqrt()
        };
        let lag = (rate / f0).round() as usize;
        let best = (lag - 1..=lag + 1).map(nr).fold(f64::MIN, f64::max);
        assert!(
            prob <= best + 1e-9 && prob >= best - 0.05,
            "{f0}: {prob} vs {best}"
        );
    }
}

#[test]
fn lld_is_the_smoothed_base_columns_and_their_htk_deltas() {
    let audio = emodb_head("03a01Nc.wav", 0.5);
    let got = lld(&audio).unwrap();
    let cep = mfcc(&audio, &MfccConfig::default()).unwrap();
    let pros = prosody(&audio, &ProsodyConfig::default()).unwrap();
    let t = cep.rows;
    assert_eq!((got.rows, got.cols), (t, LLD_DIMS));
    let base = |r: usize, c: usize| -> f64 {
        if c < 12 {
            cep.get(r, c + 1) as f64
        } else {
            pros.get(r, c - 12) as f64
        }
    };
    // Centred 3-frame mean, 2 frames at each end.
    let smooth = |r: usize, c: usize| -> f64 {
        let (lo, hi) = (r.saturating_sub(1), (r + 1).min(t - 1));
        (lo..=hi).map(|k| base(k, c)).sum::<f64>() / (hi - lo + 1) as f64
    };
    for r in 0..t {
        for c in 0..16 {
            let s = smooth(r, c);
            // HTK regression over +-2 frames, edge frames repeated.
            let at = |k: i64| smooth(k.clamp(0, t as i64 - 1) as usize, c);
            let ri = r as i64;
            let d = ((at(ri + 1) - at(ri - 1)) + 2.0 * (at(ri + 2) - at(ri - 2))) / 10.0;
            // Tolerance: f32 sums of values up to ~500 (F0): 1e-6 relative.
            let (gs, gd) = (got.get(r, c) as f64, got.get(r, 16 + c) as f64);
            assert!(
                (gs - s).abs() <= 1e-6 * (1.0 + s.abs()),
                "frame {r} col {c}"
            );
            assert!(
                (gd - d).abs() <= 1e-5 * (1.0 + d.abs()),
                "frame {r} delta {c}"
            );
        }
    }
}

#[test]
fn group_frames_averages_the_documented_chunks() {
    for (t, m) in [
        (1000usize, 120usize),
        (121, 120),
        (239, 120),
        (45, 40),
        (41, 40),
    ] {
        let frames = FrameMatrix {
            rows: t,
            cols: 2,
            data: (0..t).flat_map(|i| [i as f32, (i * i) as f32]).collect(),
        };
        let g = group_frames(&frames, m).unwrap();
        for i in 0..m {
            let (lo, hi) = (i * t / m, (i + 1) * t / m);
            assert!(hi > lo, "{t} frames, node {i}: empty chunk");
            for c in 0..2 {
                let want =
                    (lo..hi).map(|k| frames.get(k, c) as f64).sum::<f64>() / (hi - lo) as f64;
                let got = g.get(i, c) as f64;
                assert!(
                    (got - want).abs() <= 1e-6 * want.abs().max(1.0),
                    "{t}/{m} node {i}"
                );
            }
        }
    }
}
