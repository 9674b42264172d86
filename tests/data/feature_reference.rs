//! The audio and video front ends against plain f64 computations written from the textbook
//! definitions in this file (not by calling the code under test): 25 ms / 10 ms framing at
//! several sample rates, MFCCs, log energy, zero-crossing rate, autocorrelation pitch and
//! voicing, HTK deltas and moving averages at the clip edges, frame-to-node grouping and the
//! Laplacian-of-Gaussian response.

use std::f64::consts::PI;
use synchgraph::features::frames::group_frames;
use synchgraph::features::lld::{deltas, moving_average};
use synchgraph::features::log_filter::{Gray, LogFilter};
use synchgraph::features::mfcc::{mfcc, MfccConfig};
use synchgraph::features::prosody::{pitch_upsampling, prosody, ProsodyConfig};
use synchgraph::features::wav::Audio;
use synchgraph::features::FrameMatrix;

/// A deterministic uniform generator in [-0.5, 0.5).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

fn audio(rate: u32, n: usize, mut f: impl FnMut(usize) -> f64) -> Audio {
    Audio {
        sample_rate: rate,
        samples: (0..n).map(|i| f(i) as f32).collect(),
    }
}

/// 25 ms and 10 ms in samples, rounded half up.
fn geometry(rate: u32) -> (usize, usize) {
    let r = rate as f64;
    (
        (0.025 * r + 0.5).floor() as usize,
        (0.01 * r + 0.5).floor() as usize,
    )
}

/// Frames of `n` samples: the first at sample 0, one every `step`, until a frame reaches the
/// last sample (that frame is zero-padded).
fn count_frames(n: usize, len: usize, step: usize) -> usize {
    let mut f = 1;
    while (f - 1) * step + len < n {
        f += 1;
    }
    f
}

/// Textbook MFCCs: pre-emphasis, Hamming window, |DFT|^2 / nfft, mel triangles on
/// floor((nfft + 1) f / rate) bins, ln, orthonormal DCT-II, lifter, c0 = ln(frame power).
fn mfcc_reference(a: &Audio, cfg: &MfccConfig) -> Vec<Vec<f64>> {
    let rate = a.sample_rate as f64;
    let (len, step) = geometry(a.sample_rate);
    let mut nfft = 512;
    while nfft < len {
        nfft *= 2;
    }
    let nfft = cfg.nfft.unwrap_or(nfft);
    let x: Vec<f64> = a.samples.iter().map(|&v| v as f64).collect();
    let pre: Vec<f64> = (0..x.len())
        .map(|i| x[i] - if i > 0 { cfg.preemph * x[i - 1] } else { 0.0 })
        .collect();
    let nf = cfg.nfilt;
    let mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
    let imel = |m: f64| 700.0 * (10f64.powf(m / 2595.0) - 1.0);
    let (bottom, top) = (mel(cfg.lowfreq), mel(cfg.highfreq.unwrap_or(rate / 2.0)));
    let edges: Vec<f64> = (0..nf + 2)
        .map(|i| {
            let m = bottom + (top - bottom) * i as f64 / (nf + 1) as f64;
            ((nfft + 1) as f64 * imel(m) / rate).floor()
        })
        .collect();
    (0..count_frames(x.len(), len, step))
        .map(|f| {
            let frame: Vec<f64> = (0..len)
                .map(|i| {
                    let w = 0.54 - 0.46 * (2.0 * PI * i as f64 / (len - 1) as f64).cos();
                    w * pre.get(f * step + i).copied().unwrap_or(0.0)
                })
                // An FFT of nfft points sees the first nfft samples of a longer frame.
                .take(nfft)
                .collect();
            let power: Vec<f64> = (0..=nfft / 2)
                .map(|k| {
                    let (mut re, mut im) = (0.0, 0.0);
                    for (i, v) in frame.iter().enumerate() {
                        let ang = 2.0 * PI * ((k * i) % nfft) as f64 / nfft as f64;
                        re += v * ang.cos();
                        im -= v * ang.sin();
                    }
                    (re * re + im * im) / nfft as f64
                })
                .collect();
            let logmel: Vec<f64> = (0..nf)
                .map(|j| {
                    let (l, c, r) = (edges[j], edges[j + 1], edges[j + 2]);
                    let mut e = 0.0;
                    for (k, p) in power.iter().enumerate() {
                        let k = k as f64;
                        if k >= l && k < c {
                            e += p * (k - l) / (c - l);
                        } else if k >= c && k < r {
                            e += p * (r - k) / (r - c);
                        }
                    }
                    e.max(f64::EPSILON).ln()
                })
                .collect();
            let mut row: Vec<f64> = (0..cfg.numcep)
                .map(|k| {
                    let mut s = 0.0;
                    for (i, v) in logmel.iter().enumerate() {
                        s += v * (PI * k as f64 * (i as f64 + 0.5) / nf as f64).cos();
                    }
                    let norm = if k == 0 { 1.0 } else { 2.0 };
                    let l = cfg.ceplifter;
                    let lift = if l > 0.0 {
                        1.0 + l / 2.0 * (PI * k as f64 / l).sin()
                    } else {
                        1.0
                    };
                    s * (norm / nf as f64).sqrt() * lift
                })
                .collect();
            if cfg.append_energy {
                row[0] = power.iter().sum::<f64>().max(f64::EPSILON).ln();
            }
            row
        })
        .collect()
}

#[test]
fn mfcc_frames_and_values_match_the_textbook_at_several_rates() {
    let mut rng = Lcg(7);
    // Lengths that end mid-frame, on a frame's end, and one sample past it.
    for (rate, n) in [
        (8000u32, 1237usize),
        (16000, 400 + 4 * 160),
        (16000, 401 + 4 * 160),
        (44100, 3001),
        (1000, 160),
        (48000, 2500),
    ] {
        let a = audio(rate, n, |i| {
            0.4 * (2.0 * PI * 230.0 * i as f64 / rate as f64).sin() + 0.1 * rng.next()
        });
        let cfg = MfccConfig::default();
        let want = mfcc_reference(&a, &cfg);
        let got = mfcc(&a, &cfg).unwrap();
        assert_eq!(got.rows, want.len(), "{rate} Hz, {n} samples: frames");
        assert_eq!(got.cols, 13);
        for (r, row) in want.iter().enumerate() {
            for (c, w) in row.iter().enumerate() {
                let g = got.get(r, c) as f64;
                // Tolerance: f32 output of values up to ~100, relative 1e-5.
                assert!(
                    (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                    "{rate} Hz, {n} samples: frame {r} coef {c}: {g} vs {w}"
                );
            }
        }
    }
}

#[test]
fn mfcc_with_other_settings_matches_the_textbook() {
    let mut rng = Lcg(17);
    let a = audio(16000, 1500, |i| {
        0.3 * (2.0 * PI * 440.0 * i as f64 / 16000.0).sin() + 0.2 * rng.next()
    });
    for cfg in [
        // A transform size that is not a power of two (Bluestein), longer than the frame.
        MfccConfig {
            nfft: Some(600),
            ..MfccConfig::default()
        },
        // Shorter than the frame: the transform sees its first nfft samples.
        MfccConfig {
            nfft: Some(256),
            nfilt: 20,
            ..MfccConfig::default()
        },
        MfccConfig {
            lowfreq: 300.0,
            highfreq: Some(6000.0),
            numcep: 20,
            nfilt: 40,
            ceplifter: 0.0,
            append_energy: false,
            preemph: 0.0,
            ..MfccConfig::default()
        },
    ] {
        let want = mfcc_reference(&a, &cfg);
        let got = mfcc(&a, &cfg).unwrap();
        assert_eq!((got.rows, got.cols), (want.len(), cfg.numcep), "{cfg:?}");
        for (r, row) in want.iter().enumerate() {
            for (c, w) in row.iter().enumerate() {
                let g = got.get(r, c) as f64;
                assert!(
                    (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                    "{cfg:?}: frame {r} coef {c}: {g} vs {w}"
                );
            }
        }
    }
}

#[test]
fn prosody_energy_and_zcr_match_the_textbook_on_every_frame() {
    let mut rng = Lcg(11);
    for (rate, n) in [(8000u32, 1999usize), (16000, 4321), (44100, 5000)] {
        let a = audio(rate, n, |i| {
            0.3 * (2.0 * PI * 180.0 * i as f64 / rate as f64).sin() + 0.2 * rng.next()
        });
        let (len, step) = geometry(rate);
        let p = prosody(&a, &ProsodyConfig::default()).unwrap();
        assert_eq!(p.rows, count_frames(n, len, step), "{rate} Hz frames");
        for f in 0..p.rows {
            let x: Vec<f64> = (0..len)
                .map(|i| a.samples.get(f * step + i).map_or(0.0, |&v| v as f64))
                .collect();
            let ms = x.iter().map(|v| v * v).sum::<f64>() / len as f64;
            let energy = (ms + 1e-10).ln();
            let mut crossings = 0;
            for i in 1..len {
                if (x[i - 1] < 0.0) != (x[i] < 0.0) {
                    crossings += 1;
                }
            }
            let zcr = crossings as f64 / (len - 1) as f64;
            assert!(
                (p.get(f, 0) as f64 - energy).abs() < 1e-5,
                "{rate} Hz frame {f} energy"
            );
            assert!(
                (p.get(f, 1) as f64 - zcr).abs() < 1e-6,
                "{rate} Hz frame {f} zcr"
            );
        }
    }
}

/// Normalised autocorrelation of `x` (mean removed) at `lag`.
fn norm_autocorr(x: &[f64], lag: usize) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let y: Vec<f64> = x.iter().map(|v| v - m).collect();
    let n = y.len();
    let r: f64 = (0..n - lag).map(|i| y[i] * y[i + lag]).sum();
    let a: f64 = y[..n - lag].iter().map(|v| v * v).sum();
    let b: f64 = y[lag..].iter().map(|v| v * v).sum();
    r / (a * b).sqrt()
}

#[test]
fn pitch_of_tones_and_voicing_of_noise_at_8_16_and_44_khz() {
    let cfg = ProsodyConfig::default();
    for rate in [8000u32, 16000, 44100] {
        for f0 in [75.0, 123.0, 200.0, 310.0, 450.0] {
            let a = audio(rate, rate as usize / 2, |i| {
                0.5 * (2.0 * PI * f0 * i as f64 / rate as f64).sin()
            });
            let p = prosody(&a, &cfg).unwrap();
            // Frames whose 50 ms pitch window lies inside the clip.
            for r in 3..p.rows - 6 {
                let got = p.get(r, 3) as f64;
                assert!(
                    (got - f0).abs() / f0 < 0.02,
                    "{f0} Hz tone at {rate}: frame {r} F0 {got}"
                );
                // A pure tone repeats exactly: the normalised autocorrelation at its period,
                // and so the voicing value, is close to 1.
                assert!(
                    p.get(r, 2) > 0.95,
                    "{f0} Hz tone at {rate}: voicing {}",
                    p.get(r, 2)
                );
            }
        }
        let mut rng = Lcg(rate as u64);
        let noise = audio(rate, rate as usize / 2, |_| rng.next());
        let p = prosody(&noise, &cfg).unwrap();
        let voiced = (0..p.rows).filter(|&r| p.get(r, 3) > 0.0).count();
        assert!(voiced * 10 < p.rows, "noise at {rate}: {voiced} voiced");
        // White noise's normalised autocorrelation over the lags of 60..500 Hz stays far
        // below a tone's; its voicing value must too.
        let mean_v = (0..p.rows).map(|r| p.get(r, 2) as f64).sum::<f64>() / p.rows as f64;
        assert!(mean_v < 0.4, "noise at {rate}: mean voicing {mean_v}");
        // The reference for one frame: the largest normalised autocorrelation of the window.
        let x: Vec<f64> = noise.samples.iter().map(|&v| v as f64).collect();
        let lmax = (rate as f64 / 60.0).ceil() as usize;
        let best = (((rate as f64) / 500.0) as usize..=lmax)
            .map(|l| norm_autocorr(&x[..rate as usize / 20], l))
            .fold(f64::MIN, f64::max);
        assert!(best < 0.4, "reference noise peak {best}");
    }
}

#[test]
fn moving_average_and_deltas_at_the_clip_edges() {
    let mut rng = Lcg(5);
    for t in [1usize, 2, 3, 4, 7] {
        let m = FrameMatrix {
            rows: t,
            cols: 2,
            data: (0..2 * t).map(|_| rng.next() as f32).collect(),
        };
        let x = |r: usize, c: usize| m.data[r * 2 + c] as f64;
        let s = moving_average(&m, 3);
        let d = deltas(&m, 2);
        for r in 0..t {
            for c in 0..2 {
                // Mean of the frames r-1..=r+1 that exist.
                let mut sum = 0.0;
                let mut cnt = 0.0;
                for k in [r as i64 - 1, r as i64, r as i64 + 1] {
                    if k >= 0 && (k as usize) < t {
                        sum += x(k as usize, c);
                        cnt += 1.0;
                    }
                }
                assert!(
                    (s.data[r * 2 + c] as f64 - sum / cnt).abs() < 1e-6,
                    "{t} frames, smooth {r}"
                );
                // HTK: sum_k k (x[t+k] - x[t-k]) / (2 (1 + 4)), frames past an edge repeat it.
                let at = |k: i64| x(k.clamp(0, t as i64 - 1) as usize, c);
                let ri = r as i64;
                let want = (at(ri + 1) - at(ri - 1) + 2.0 * (at(ri + 2) - at(ri - 2))) / 10.0;
                assert!(
                    (d.data[r * 2 + c] as f64 - want).abs() < 1e-6,
                    "{t} frames, delta {r}"
                );
            }
        }
    }
}

#[test]
fn grouping_frames_into_nodes_pads_cyclically_and_averages_chunks() {
    for (t, m) in [(1usize, 4usize), (3, 7), (5, 5), (7, 3), (10, 4), (13, 5)] {
        let frames = FrameMatrix {
            rows: t,
            cols: 1,
            data: (0..t).map(|i| (i * i + 1) as f32).collect(),
        };
        let g = group_frames(&frames, m).unwrap();
        assert_eq!((g.rows, g.cols), (m, 1));
        for i in 0..m {
            let want = if t <= m {
                frames.data[i % t] as f64
            } else {
                let (lo, hi) = (i * t / m, (i + 1) * t / m);
                (lo..hi).map(|k| frames.data[k] as f64).sum::<f64>() / (hi - lo) as f64
            };
            assert!(
                (g.data[i] as f64 - want).abs() < 1e-5,
                "{t} frames into {m} nodes, node {i}: {} vs {want}",
                g.data[i]
            );
        }
    }
}

/// The textbook LoG kernel, (x² + y² − 2σ²) / σ⁴ · exp(−(x² + y²) / 2σ²) / (2πσ²), on the
/// (2r + 1)² grid, minus its mean.
fn log_kernel(sigma: f64, r: i64) -> Vec<f64> {
    let mut k = Vec::new();
    for y in -r..=r {
        for x in -r..=r {
            let q = (x * x + y * y) as f64;
            let g = (-q / (2.0 * sigma * sigma)).exp() / (2.0 * PI * sigma * sigma);
            k.push((q - 2.0 * sigma * sigma) / sigma.powi(4) * g);
        }
    }
    let mean = k.iter().sum::<f64>() / k.len() as f64;
    k.iter().map(|v| v - mean).collect()
}

#[test]
fn log_response_matches_direct_convolution_with_clamped_borders() {
    let mut rng = Lcg(9);
    for (sigma, radius, w, h) in [
        (1.0f32, None, 9usize, 7usize),
        (1.5, None, 4, 3),
        (0.8, None, 1, 5),
        (2.0, Some(2usize), 6, 5),
        (0.5, Some(9), 3, 4),
    ] {
        let f = match radius {
            Some(r) => LogFilter::with_radius(sigma, r).unwrap(),
            None => LogFilter::new(sigma).unwrap(),
        };
        let r = radius.map_or((3.0 * sigma as f64).ceil() as i64, |r| r as i64);
        assert_eq!(f.radius() as i64, r);
        let k = log_kernel(sigma as f64, r);
        let side = (2 * r + 1) as usize;
        for (a, b) in f.kernel().iter().zip(&k) {
            assert!((a - b).abs() < 1e-12, "sigma {sigma}: tap {a} vs {b}");
        }
        // Flat image: zero response.
        let flat = f.apply(&Gray::new(w, h, vec![0.7; w * h]).unwrap());
        assert!(
            flat.data.iter().all(|v| v.abs() < 1e-6),
            "sigma {sigma} flat"
        );
        // Random image against the direct sum with replicate borders.
        let data: Vec<f32> = (0..w * h).map(|_| rng.next() as f32 + 0.5).collect();
        let img = Gray::new(w, h, data.clone()).unwrap();
        let got = f.apply(&img);
        for y in 0..h as i64 {
            for x in 0..w as i64 {
                let mut acc = 0.0;
                for ky in -r..=r {
                    for kx in -r..=r {
                        let sx = (x + kx).clamp(0, w as i64 - 1) as usize;
                        let sy = (y + ky).clamp(0, h as i64 - 1) as usize;
                        let tap = k[(ky + r) as usize * side + (kx + r) as usize];
                        acc += tap * data[sy * w + sx] as f64;
                    }
                }
                let g = got.data[y as usize * w + x as usize] as f64;
                assert!(
                    (g - acc).abs() < 1e-5 * (1.0 + acc.abs()),
                    "sigma {sigma}, {w}x{h}, pixel ({x}, {y}): {g} vs {acc}"
                );
            }
        }
    }
    // An impulse in a large dark image gives the kernel itself (it is symmetric).
    let f = LogFilter::new(1.0).unwrap();
    let mut data = vec![0.0f32; 15 * 15];
    data[7 * 15 + 7] = 1.0;
    let out = f.apply(&Gray::new(15, 15, data).unwrap());
    let k = log_kernel(1.0, 3);
    for dy in -3i64..=3 {
        for dx in -3i64..=3 {
            let g = out.data[((7 + dy) * 15 + 7 + dx) as usize] as f64;
            let want = k[((dy + 3) * 7 + dx + 3) as usize];
            assert!(
                (g - want).abs() < 1e-6,
                "impulse ({dx}, {dy}): {g} vs {want}"
            );
        }
    }
    // The centre of a bright blob is a minimum of the LoG (negative), as the formula says.
    assert!(out.data[7 * 15 + 7] < 0.0);
}

/// At the low sample rates the speech front end accepts (from 1 kHz), a tone's period is only a
/// few samples: the autocorrelation at the lag nearest the period can be well under the peak at
/// twice the period. A tone of 4 or more samples per period, pure or with its second harmonic,
/// must still be found at its own F0 (within 2%, voicing over 0.9), not an octave or more below.
#[test]
fn pitch_of_tones_with_few_samples_per_period() {
    // Pitch runs at 8 to 16 kHz from 1 kHz up: ceil(8000 / rate) under 8 kHz.
    for (rate, u) in [
        (1000u32, 8usize),
        (2000, 4),
        (3000, 3),
        (7999, 2),
        (8000, 1),
    ] {
        assert_eq!(pitch_upsampling(rate), u, "{rate} Hz");
    }
    let cfg = ProsodyConfig::default();
    let mut bad = Vec::new();
    for rate in [1000u32, 2000, 3000, 4000, 6000] {
        let mut f0 = 60.5;
        while f0 <= (rate as f64 / 4.0).min(500.0) {
            for second in [0.0, 0.4] {
                // The second harmonic only where it lies under the Nyquist frequency.
                let second = if 2.0 * f0 < 0.45 * rate as f64 {
                    second
                } else {
                    0.0
                };
                let w = 2.0 * PI * f0 / rate as f64;
                let a = audio(rate, rate as usize * 3 / 10, |i| {
                    0.5 * (w * i as f64).sin() + second * (2.0 * w * i as f64 + 1.0).sin()
                });
                let p = prosody(&a, &cfg).unwrap();
                for r in 3..p.rows - 6 {
                    let got = p.get(r, 3) as f64;
                    if (got - f0).abs() / f0 > 0.02 || p.get(r, 2) < 0.9 {
                        bad.push(format!(
                            "{f0:.1} Hz tone (2nd harmonic {second}) at {rate} Hz: frame {r} F0 \
                             {got} (voicing {})",
                            p.get(r, 2)
                        ));
                        break;
                    }
                }
            }
            f0 += 13.7;
        }
        // Upsampling must not make noise look periodic: white noise stays unvoiced.
        let mut rng = Lcg(rate as u64 + 1);
        let noise = audio(rate, rate as usize, |_| rng.next());
        let p = prosody(&noise, &cfg).unwrap();
        let voiced = (0..p.rows).filter(|&r| p.get(r, 3) > 0.0).count();
        if voiced * 10 >= p.rows {
            bad.push(format!("noise at {rate} Hz: {voiced} of {} voiced", p.rows));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The pitch window is centred on the frame's centre: with a tone that changes from 120 Hz to
/// 300 Hz at a known sample, every frame whose 50 ms window lies wholly on one side of the
/// change reports that side's F0.
#[test]
fn pitch_windows_are_centred_on_the_frames() {
    let cfg = ProsodyConfig::default();
    for rate in [2000u32, 8000, 16000, 22050, 44100] {
        let n = rate as usize / 2;
        let change = n / 2 + 37;
        let mut phase = 0.0;
        let a = audio(rate, n, |i| {
            let f0 = if i < change { 120.0 } else { 300.0 };
            phase += 2.0 * PI * f0 / rate as f64;
            (phase - 2.0 * PI * f0 / rate as f64).sin() * 0.5
        });
        let p = prosody(&a, &cfg).unwrap();
        let (len, step) = geometry(rate);
        // Half the pitch window plus a margin of two decimated samples.
        let half = 0.025 * rate as f64 + 2.0 * (rate / 8000).max(1) as f64;
        let mut checked = 0;
        for f in 3..p.rows - 6 {
            let centre = (f * step + len / 2) as f64;
            let want = if centre + half < change as f64 {
                120.0
            } else if centre - half > change as f64 {
                300.0
            } else {
                continue;
            };
            checked += 1;
            let got = p.get(f, 3) as f64;
            assert!(
                (got - want).abs() / want < 0.02,
                "{rate} Hz: frame {f} (centre {centre}, change at {change}) F0 {got}, want {want}"
            );
        }
        assert!(checked > 20, "{rate}: {checked} frames checked");
    }
}

/// Landmark normalisation: each frame's 68 points minus their mean, divided by the root of the
/// mean squared distance from it.
#[test]
fn landmark_normalisation_matches_the_definition() {
    use synchgraph::features::landmarks::{normalise, COORDS, POINTS};
    let mut rng = Lcg(21);
    let raw = FrameMatrix {
        rows: 3,
        cols: COORDS,
        data: (0..3 * COORDS)
            .map(|i| (300.0 * rng.next() + 50.0 * (i / COORDS) as f64) as f32)
            .collect(),
    };
    let got = normalise(&raw).unwrap();
    for r in 0..3 {
        let row: Vec<f64> = raw.row(r).iter().map(|&v| v as f64).collect();
        let mx = (0..POINTS).map(|p| row[2 * p]).sum::<f64>() / POINTS as f64;
        let my = (0..POINTS).map(|p| row[2 * p + 1]).sum::<f64>() / POINTS as f64;
        let rms = ((0..POINTS)
            .map(|p| (row[2 * p] - mx).powi(2) + (row[2 * p + 1] - my).powi(2))
            .sum::<f64>()
            / POINTS as f64)
            .sqrt();
        for p in 0..POINTS {
            let (wx, wy) = ((row[2 * p] - mx) / rms, (row[2 * p + 1] - my) / rms);
            assert!(
                (got.get(r, 2 * p) as f64 - wx).abs() < 1e-6,
                "frame {r} x{p}"
            );
            assert!(
                (got.get(r, 2 * p + 1) as f64 - wy).abs() < 1e-6,
                "frame {r} y{p}"
            );
        }
    }
}
