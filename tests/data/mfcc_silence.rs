//! MFCCs of digitally silent frames must not depend on their neighbours.
//!
//! `mfcc` used to transform frames two at a time (one in the real part, one in the imaginary
//! part of a complex FFT). Separating the two spectra leaves rounding noise of the louder frame
//! (about 1e-16 of its magnitude) in the quieter one, so an all-zero frame paired with speech got
//! a log energy near -74 and cepstra of size 20 instead of python_speech_features' floor
//! (log energy ln(eps) = -36.04, c1.. = 0).

use synchgraph::features::mfcc::{frame_geometry, mfcc, MfccConfig};
use synchgraph::features::wav::Audio;

/// Silence, then a tone, then silence, at 16 kHz (400-sample frames, 160-sample step).
fn clip() -> Audio {
    let rate = 16000;
    let (lead, tone, tail) = (2640, 3000, 2000);
    let mut samples = vec![0.0f32; lead];
    samples.extend((0..tone).map(|i| {
        let t = i as f32 / rate as f32;
        0.4 * (2.0 * std::f32::consts::PI * 220.0 * t).sin()
            + 0.1 * (2.0 * std::f32::consts::PI * 1330.0 * t).sin()
    }));
    samples.extend(vec![0.0f32; tail]);
    Audio {
        sample_rate: rate,
        samples,
    }
}

#[test]
fn silent_frames_next_to_speech_get_the_silence_floor() {
    let audio = clip();
    let cfg = MfccConfig::default();
    let (len, step) = frame_geometry(audio.sample_rate, cfg.win_seconds, cfg.step_seconds);
    let m = mfcc(&audio, &cfg).unwrap();
    let floor = f64::EPSILON.ln();
    let mut silent = 0;
    let mut next_to_speech = 0;
    for f in 0..m.rows {
        // Pre-emphasis reaches one sample back, so look one sample further.
        let zero = |g: usize| {
            let (lo, hi) = ((g * step).saturating_sub(1), g * step + len);
            audio.samples[lo.min(audio.samples.len())..hi.min(audio.samples.len())]
                .iter()
                .all(|&v| v == 0.0)
        };
        if !zero(f) {
            continue;
        }
        silent += 1;
        if (f > 0 && !zero(f - 1)) || (f + 1 < m.rows && !zero(f + 1)) {
            next_to_speech += 1;
        }
        let row = m.row(f);
        assert!(
            (row[0] as f64 - floor).abs() < 1e-4,
            "silent frame {f}: log energy {} (want ln(eps) = {floor})",
            row[0]
        );
        for (k, &c) in row.iter().enumerate().skip(1) {
            assert!(c.abs() < 1e-4, "silent frame {f}: c{k} = {c} (want 0)");
        }
    }
    // Both a frame just before the tone (frame 14, paired with 15) and ones after it are checked.
    assert!(
        silent >= 10 && next_to_speech >= 2,
        "{silent} silent, {next_to_speech} at edges"
    );
}
