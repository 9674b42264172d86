//! The pitch tracker never reports an F0 outside the configured `[f0_min, f0_max]` range, even
//! after the parabolic interpolation of the lag (which can move a peak on the first or last lag
//! searched up to half a lag further out).

use synchgraph::features::prosody::{pitch_decimation, prosody, PitchTracker, ProsodyConfig};
use synchgraph::features::wav::Audio;

use crate::common;
use common::Rng;

fn sine(rate: f64, f0: f64, phase: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| (2.0 * std::f64::consts::PI * f0 * i as f64 / rate + phase).sin())
        .collect()
}

/// Every voiced F0 that `tracker` reports for a sine of each frequency lies in the range; returns
/// how many windows were voiced.
fn check_tones(rate: f64, win: usize, cfg: &ProsodyConfig, tones: &[f64]) -> usize {
    let tracker = PitchTracker::new(rate, win, cfg).unwrap();
    let mut voiced = 0;
    for (k, &f0) in tones.iter().enumerate() {
        let x = sine(rate, f0, 0.37 * k as f64, win);
        let (got, prob) = tracker.track(&x);
        if got > 0.0 {
            voiced += 1;
            assert!(
                got >= cfg.f0_min && got <= cfg.f0_max,
                "rate {rate}, window {win}, range {}..{}: a {f0} Hz tone gave F0 {got} \
                 (voicing {prob})",
                cfg.f0_min,
                cfg.f0_max
            );
        }
    }
    voiced
}

#[test]
fn tones_at_and_near_the_range_ends_stay_in_range() {
    let cfg = ProsodyConfig::default();
    // The default pitch signals: 11.025 kHz (22.05 kHz audio) and 8 kHz (16 kHz audio), 50 ms.
    for rate in [11025.0, 8000.0, 16000.0 / pitch_decimation(16000) as f64] {
        let win = (0.05 * rate) as usize;
        let mut tones = Vec::new();
        for d in [0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0] {
            tones.push(cfg.f0_max + d);
            tones.push(cfg.f0_max - d);
        }
        for d in [0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0] {
            tones.push(cfg.f0_min + d);
            tones.push(cfg.f0_min - d);
        }
        let voiced = check_tones(rate, win, &cfg, &tones);
        assert!(
            voiced > tones.len() / 2,
            "rate {rate}: only {voiced} voiced"
        );
    }
}

#[test]
fn random_tones_and_ranges_stay_in_range() {
    let mut rng = Rng(11);
    let mut next = || f64::from(rng.uniform(0.0, 1.0));
    let mut voiced = 0;
    for _ in 0..40 {
        let rate = 6000.0 + 10000.0 * next();
        let f0_min = 50.0 + 100.0 * next();
        let f0_max = f0_min * (1.5 + 4.0 * next());
        let cfg = ProsodyConfig {
            f0_min,
            f0_max,
            ..ProsodyConfig::default()
        };
        let win = (2.5 * rate / f0_min) as usize;
        // Tones from 20% below the range to 20% above it.
        let tones: Vec<f64> = (0..40)
            .map(|_| f0_min * 0.8 + (f0_max * 1.2 - f0_min * 0.8) * next())
            .collect();
        voiced += check_tones(rate, win, &cfg, &tones);
    }
    assert!(voiced > 800, "only {voiced} voiced windows");
}

#[test]
fn prosody_f0_column_stays_in_range() {
    // End to end: sines just outside and at both ends of a narrowed range, at the two usual rates.
    let cfg = ProsodyConfig {
        f0_min: 80.0,
        f0_max: 400.0,
        ..ProsodyConfig::default()
    };
    for rate in [16000u32, 22050] {
        for f0 in [78.0, 80.0, 81.0, 398.0, 400.0, 403.0, 405.0, 410.0] {
            let n = rate as usize / 2;
            let a = Audio {
                sample_rate: rate,
                samples: sine(rate as f64, f0, 0.0, n)
                    .iter()
                    .map(|v| 0.5 * *v as f32)
                    .collect(),
            };
            let p = prosody(&a, &cfg).unwrap();
            for r in 0..p.rows {
                let got = p.get(r, 3) as f64;
                assert!(
                    got == 0.0 || (got >= cfg.f0_min && got <= cfg.f0_max),
                    "{f0} Hz at {rate}: frame {r} gave F0 {got}"
                );
            }
        }
    }
}
