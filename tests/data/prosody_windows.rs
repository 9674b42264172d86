//! The pitch tracker on windows longer than the one it was planned for; `prosody` and the
//! tracker on settings that are not usable numbers or are far larger than the signal.

use std::f64::consts::PI;

use synchgraph::error::Error;
use synchgraph::features::prosody::{prosody, PitchTracker, ProsodyConfig};
use synchgraph::features::wav::Audio;

fn sine(rate: f64, f0: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| (2.0 * PI * f0 * i as f64 / rate).sin())
        .collect()
}

#[test]
fn a_window_longer_than_the_planned_one_is_tracked_whole() {
    let cfg = ProsodyConfig::default();
    let tracker = PitchTracker::new(8000.0, 400, &cfg).unwrap();
    for n in [400usize, 1000, 2000, 4000] {
        let x = sine(8000.0, 200.0, n);
        let (f0, prob) = tracker.track(&x);
        // A pure tone: F0 within 1%, normalised autocorrelation at the period near 1.
        assert!(
            (f0 - 200.0).abs() < 2.0 && prob > 0.99,
            "{n} samples: F0 {f0}, voicing {prob}"
        );
        // The same answer as a tracker planned for that length (same lag range: 8000 / 60 Hz
        // fits in both windows).
        let own = PitchTracker::new(8000.0, n, &cfg).unwrap().track(&x);
        assert!(
            (own.0 - f0).abs() < 1e-9 && (own.1 - prob).abs() < 1e-9,
            "{n} samples: {own:?} vs {:?}",
            (f0, prob)
        );
    }
    // The pair form, with windows of two lengths.
    let (a, b) = (sine(8000.0, 150.0, 3000), sine(8000.0, 300.0, 500));
    let [(fa, pa), (fb, pb)] = tracker.track_pair(&a, &b);
    assert!((fa - 150.0).abs() < 1.5 && pa > 0.99, "{fa} {pa}");
    assert!((fb - 300.0).abs() < 3.0 && pb > 0.99, "{fb} {pb}");
}

fn tone(rate: u32) -> Audio {
    Audio {
        sample_rate: rate,
        samples: sine(rate as f64, 200.0, rate as usize / 4)
            .iter()
            .map(|v| 0.5 * *v as f32)
            .collect(),
    }
}

#[test]
fn unusable_numeric_settings_are_config_errors() {
    let bad = [
        ProsodyConfig {
            pitch_win_seconds: f64::INFINITY,
            ..ProsodyConfig::default()
        },
        ProsodyConfig {
            step_seconds: f64::INFINITY,
            ..ProsodyConfig::default()
        },
        ProsodyConfig {
            win_seconds: f64::INFINITY,
            ..ProsodyConfig::default()
        },
        ProsodyConfig {
            voicing_threshold: f64::NAN,
            ..ProsodyConfig::default()
        },
    ];
    for cfg in bad {
        match prosody(&tone(16000), &cfg) {
            Err(Error::Config(m)) => assert!(m.contains("prosody"), "{m}"),
            other => panic!("{cfg:?}: {:?}", other.map(|m| m.rows)),
        }
    }
    let cfg = ProsodyConfig {
        voicing_threshold: f64::NAN,
        ..ProsodyConfig::default()
    };
    assert!(matches!(
        PitchTracker::new(8000.0, 400, &cfg),
        Err(Error::Config(_))
    ));
    // A sample rate that is not a positive number cannot place any lag.
    for rate in [f64::NAN, 0.0, -8000.0, f64::INFINITY] {
        assert!(
            matches!(
                PitchTracker::new(rate, 400, &ProsodyConfig::default()),
                Err(Error::Config(_))
            ),
            "rate {rate}"
        );
    }
}

#[test]
fn a_step_far_longer_than_the_signal_gives_the_documented_grid() {
    // Frame f starts at f * step: frame 0 is the signal's start, frame 1 lies wholly past its
    // end (all zero-padding), whatever the size of the step.
    let audio = tone(16000);
    let cfg = ProsodyConfig {
        step_seconds: 1e300,
        ..ProsodyConfig::default()
    };
    let p = prosody(&audio, &cfg).unwrap();
    assert_eq!(p.rows, 2);
    assert!((p.get(0, 3) - 200.0).abs() < 2.0, "F0 {}", p.get(0, 3));
    assert_eq!(p.get(1, 0), (1e-10f64).ln() as f32);
    assert_eq!((p.get(1, 1), p.get(1, 2), p.get(1, 3)), (0.0, 0.0, 0.0));
}
