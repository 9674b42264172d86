//! `mfcc` refuses settings that used to give NaN or cut-off filters instead of an error:
//! an FFT size of 0 (power spectrum divided by 0: NaN features) and filterbank edges past
//! Nyquist or out of order (filters partly or wholly above Nyquist, all-zero rows at ln(eps)).
//! python_speech_features asserts `highfreq <= samplerate / 2` likewise.

use synchgraph::features::mfcc::{mfcc, MfccConfig};
use synchgraph::features::wav::Audio;
use synchgraph::Error;

fn tone(rate: u32) -> Audio {
    Audio {
        sample_rate: rate,
        samples: (0..rate as usize / 4)
            .map(|i| 0.3 * (i as f32 * 0.2).sin())
            .collect(),
    }
}

#[test]
fn fft_size_zero_is_a_config_error() {
    let cfg = MfccConfig {
        nfft: Some(0),
        ..MfccConfig::default()
    };
    let r = mfcc(&tone(16000), &cfg);
    assert!(matches!(r, Err(Error::Config(_))), "{r:?}");
}

#[test]
fn filterbank_edges_past_nyquist_or_reversed_are_config_errors() {
    let audio = tone(8000);
    for (low, high) in [
        (0.0, Some(8000.0)),
        (0.0, Some(4000.5)),
        (3000.0, Some(1000.0)),
        (4000.0, None),
        (-10.0, None),
    ] {
        let cfg = MfccConfig {
            lowfreq: low,
            highfreq: high,
            ..MfccConfig::default()
        };
        let r = mfcc(&audio, &cfg);
        assert!(
            matches!(r, Err(Error::Config(ref m)) if m.contains("Nyquist")),
            "{low}..{high:?}: {r:?}"
        );
    }
    // Edges inside the band still work, Nyquist itself included.
    for (low, high) in [(0.0, Some(4000.0)), (300.0, Some(3400.0)), (0.0, None)] {
        let cfg = MfccConfig {
            lowfreq: low,
            highfreq: high,
            ..MfccConfig::default()
        };
        let m = mfcc(&audio, &cfg).unwrap();
        assert!(m.data.iter().all(|v| v.is_finite()));
    }
}
