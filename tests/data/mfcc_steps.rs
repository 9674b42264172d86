//! MFCC framing settings that no frame grid can use are configuration errors, and a finite step
//! far longer than the signal follows the documented grid (frame 1 lies wholly past the end)
//! instead of overflowing the sample index.

use synchgraph::error::Error;
use synchgraph::features::mfcc::{mfcc, MfccConfig};
use synchgraph::features::wav::Audio;

fn tone() -> Audio {
    let rate = 16000u32;
    Audio {
        sample_rate: rate,
        samples: (0..rate as usize / 4)
            .map(|i| (0.5 * (2.0 * std::f64::consts::PI * 200.0 * i as f64 / 16000.0).sin()) as f32)
            .collect(),
    }
}

#[test]
fn infinite_or_nan_window_and_step_are_config_errors() {
    for (win, step) in [
        (f64::INFINITY, 0.01),
        (0.025, f64::INFINITY),
        (f64::NAN, 0.01),
        (0.025, f64::NAN),
    ] {
        let cfg = MfccConfig {
            win_seconds: win,
            step_seconds: step,
            ..MfccConfig::default()
        };
        match mfcc(&tone(), &cfg) {
            Err(Error::Config(m)) => assert!(m.contains("mfcc"), "{m}"),
            other => panic!("{win} {step}: {:?}", other.map(|m| m.rows)),
        }
    }
}

#[test]
fn a_step_far_longer_than_the_signal_gives_two_frames() {
    let cfg = MfccConfig {
        step_seconds: 1e300,
        ..MfccConfig::default()
    };
    let m = mfcc(&tone(), &cfg).unwrap();
    assert_eq!(m.rows, 2);
    let silent = mfcc(
        &Audio {
            sample_rate: 16000,
            samples: vec![0.0; 4000],
        },
        &cfg,
    )
    .unwrap();
    // Frame 1 is all padding: the coefficients of a silent frame.
    for c in 0..m.cols {
        assert_eq!(m.get(1, c), silent.get(1, c), "column {c}");
    }
}
