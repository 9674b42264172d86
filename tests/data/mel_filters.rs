//! A mel filter that covers no FFT bin (more filters than the FFT resolves, or a band too
//! narrow for its filters) only ever outputs ln(eps), a constant that the DCT mixes into every
//! cepstral coefficient; `mfcc` refuses such settings, as it refuses filters past Nyquist. The
//! default settings give every filter at least one bin at every sample rate from 1 kHz up.

use synchgraph::features::mfcc::{frame_geometry, mel_filterbank, mfcc, MfccConfig};
use synchgraph::features::wav::Audio;
use synchgraph::Error;

fn tone(rate: u32, n: usize) -> Audio {
    Audio {
        sample_rate: rate,
        samples: (0..n)
            .map(|i| (0.5 * (i as f64 * 0.3).sin()) as f32)
            .collect(),
    }
}

#[test]
fn filters_that_cover_no_fft_bin_are_a_config_error() {
    let audio = tone(8000, 2000);
    for (what, cfg) in [
        (
            "40 filters over 9 bins",
            MfccConfig {
                nfft: Some(16),
                nfilt: 40,
                ..MfccConfig::default()
            },
        ),
        (
            "26 filters over 10 Hz",
            MfccConfig {
                lowfreq: 3990.0,
                highfreq: Some(4000.0),
                ..MfccConfig::default()
            },
        ),
    ] {
        match mfcc(&audio, &cfg) {
            Err(Error::Config(msg)) => {
                assert!(
                    msg.contains("covers no FFT bin") && msg.contains("nfft"),
                    "{what}: {msg}"
                );
            }
            other => panic!("{what}: expected a config error, got {other:?}"),
        }
    }
}

#[test]
fn default_filters_cover_fft_bins_at_every_sample_rate() {
    let cfg = MfccConfig::default();
    for rate in [
        1000u32, 4000, 8000, 11025, 16000, 22050, 44100, 48000, 96000,
    ] {
        let (len, _) = frame_geometry(rate, cfg.win_seconds, cfg.step_seconds);
        let nfft = len.next_power_of_two().max(512);
        let fb = mel_filterbank(cfg.nfilt, nfft, rate as f64, 0.0, rate as f64 / 2.0);
        for (j, row) in fb.iter().enumerate() {
            assert!(row.iter().any(|&w| w > 0.0), "{rate} Hz: filter {j} empty");
        }
        let m = mfcc(&tone(rate, 3 * len), &cfg).unwrap();
        assert!(m.data.iter().all(|v| v.is_finite()), "{rate} Hz");
    }
}
