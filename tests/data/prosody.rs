//! Prosody, LLD and frame-grouping tests (no GPU needed).

use synchgraph::features::frames::{group_frames, NODES_SPEECH};
use synchgraph::features::lld::{deltas, lld, moving_average, LLD_COLUMNS, LLD_DIMS};
use synchgraph::features::prosody::{prosody, zero_crossing_rate, ProsodyConfig};
use synchgraph::features::wav::{read_wav, Audio};
use synchgraph::features::FrameMatrix;

fn shared() -> std::path::PathBuf {
    let p = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if p.is_dir() {
        p
    } else {
        std::path::PathBuf::from("/work/shared/data")
    }
}

fn audio(rate: u32, secs: f64, mut f: impl FnMut(f64) -> f64) -> Audio {
    let n = (rate as f64 * secs) as usize;
    Audio {
        sample_rate: rate,
        samples: (0..n).map(|i| f(i as f64 / rate as f64) as f32).collect(),
    }
}

fn median_f0(m: &FrameMatrix) -> (f64, usize) {
    let mut v: Vec<f64> = (0..m.rows)
        .map(|r| m.get(r, 3) as f64)
        .filter(|&f| f > 0.0)
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (if v.is_empty() { 0.0 } else { v[v.len() / 2] }, v.len())
}

/// A 0.5 s sine of `f0` Hz sampled at `rate`: every frame away from the clip's ends (whose
/// pitch windows are zero-padded) gives F0 within 3% and voicing above 0.9.
fn assert_sine_f0(rate: u32, f0: f64) {
    let a = audio(rate, 0.5, |t| {
        0.5 * (2.0 * std::f64::consts::PI * f0 * t).sin()
    });
    let p = prosody(&a, &ProsodyConfig::default()).unwrap();
    for r in 3..p.rows - 6 {
        let got = p.get(r, 3) as f64;
        assert!(
            (got - f0).abs() / f0 < 0.03,
            "sine {f0} Hz at {rate}: frame {r} gave {got}"
        );
        assert!(p.get(r, 2) > 0.9, "voicing {}", p.get(r, 2));
    }
}

#[test]
fn f0_of_sine_and_pulse_train() {
    let cfg = ProsodyConfig::default();
    for (rate, f0) in [
        (16000u32, 150.0),
        (22050, 150.0),
        (8000, 220.0),
        (16000, 90.0),
    ] {
        assert_sine_f0(rate, f0);
        // A glottal-like pulse train through a 700 Hz resonance (a crude vowel).
        let period = rate as f64 / f0;
        let (r, w) = (0.95, 2.0 * std::f64::consts::PI * 700.0 / rate as f64);
        let (mut y1, mut y2) = (0.0, 0.0);
        let pulses = audio(rate, 0.5, |t| {
            let i = t * rate as f64;
            let x = if (i % period) < 1.0 { 0.05 } else { 0.0 };
            let y = x + 2.0 * r * w.cos() * y1 - r * r * y2;
            y2 = y1;
            y1 = y;
            y
        });
        let (med, voiced) = median_f0(&prosody(&pulses, &cfg).unwrap());
        assert!(
            voiced > 30 && (med - f0).abs() / f0 < 0.03,
            "pulses {f0} Hz at {rate}: {med} ({voiced} voiced)"
        );
    }
}

#[test]
fn silence_and_noise_are_unvoiced() {
    let cfg = ProsodyConfig::default();
    let p = prosody(&audio(16000, 0.3, |_| 0.0), &cfg).unwrap();
    assert!((0..p.rows).all(|r| p.get(r, 3) == 0.0 && p.get(r, 2) == 0.0));
    let mut s: u64 = 12345;
    let noise = audio(16000, 0.5, |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5
    });
    let p = prosody(&noise, &cfg).unwrap();
    let voiced = (0..p.rows).filter(|&r| p.get(r, 3) > 0.0).count();
    assert!(
        voiced * 10 < p.rows,
        "{voiced} of {} noise frames voiced",
        p.rows
    );
    assert!(p.get(10, 1) > 0.3, "white noise ZCR {}", p.get(10, 1));
    assert_eq!(zero_crossing_rate(&[1.0, -1.0, 1.0, -1.0, 1.0]), 1.0);
    assert_eq!(zero_crossing_rate(&[1.0, 2.0, 3.0]), 0.0);
}

#[test]
fn smoothing_and_deltas() {
    let m = FrameMatrix {
        rows: 5,
        cols: 1,
        data: vec![0.0, 3.0, 6.0, 9.0, 12.0],
    };
    let s = moving_average(&m, 3);
    assert_eq!(s.data, vec![1.5, 3.0, 6.0, 9.0, 10.5]);
    let d = deltas(&m, 2);
    assert!((d.data[2] - 3.0).abs() < 1e-6);
}

#[test]
fn grouping_into_nodes() {
    let m = FrameMatrix {
        rows: 7,
        cols: 2,
        data: (0..14).map(|v| v as f32).collect(),
    };
    let g = group_frames(&m, 3).unwrap();
    // chunks: frames 0..2, 2..4, 4..7
    assert_eq!(g.row(0), &[1.0, 2.0]);
    assert_eq!(g.row(1), &[5.0, 6.0]);
    assert_eq!(g.row(2), &[10.0, 11.0]);
    let g = group_frames(&m, 10).unwrap();
    assert_eq!(g.rows, 10);
    assert_eq!(g.row(7), m.row(0));
    assert_eq!(g.row(9), m.row(2));
    assert_eq!(group_frames(&m, 7).unwrap(), m);
    assert!(group_frames(&m, 0).is_err());
    assert!(group_frames(&FrameMatrix::zeros(0, 2), 4).is_err());
    let big = FrameMatrix {
        rows: 1000,
        cols: 1,
        data: vec![2.0; 1000],
    };
    let g = group_frames(&big, NODES_SPEECH).unwrap();
    assert!(g.data.iter().all(|&v| (v - 2.0).abs() < 1e-6));
}

#[test]
fn lld_on_real_emodb_clips() {
    let dir = shared().join("emodb/wav");
    assert_eq!(LLD_COLUMNS.len(), LLD_DIMS);
    let t = std::time::Instant::now();
    for name in ["03a01Fa.wav", "03a01Nc.wav", "03a01Wa.wav"] {
        let a = read_wav(dir.join(name)).unwrap();
        assert_eq!(a.sample_rate, 22050);
        let f = lld(&a).unwrap();
        assert_eq!(f.cols, 32);
        assert_eq!(f.rows, 1 + (a.samples.len() - 551).div_ceil(221));
        assert!(f.data.iter().all(|v| v.is_finite()), "{name}");
        let voiced = (0..f.rows).filter(|&r| f.get(r, 15) > 0.0).count();
        assert!(voiced > 10, "{name}: only {voiced} voiced frames");
        assert_eq!(f, lld(&a).unwrap(), "{name} not deterministic");
        let nodes = group_frames(&f, NODES_SPEECH).unwrap();
        assert_eq!((nodes.rows, nodes.cols), (120, 32));
    }
    eprintln!("3 clips x 2 runs: {:?}", t.elapsed());
}

#[test]
fn f0_at_both_ends_of_the_search_range() {
    // Periods on the first and last lags searched (500 Hz is lag 16 of the 8 kHz pitch signal
    // of 16 kHz audio; 61 Hz is lag 181 of 184 at 11.025 kHz) must be found, not halved or
    // dropped. Tolerance 3%, voicing > 0.9, as for mid-range sines.
    for (rate, f0) in [
        (16000u32, 500.0),
        (16000, 490.0),
        (22050, 495.0),
        (22050, 61.0),
    ] {
        assert_sine_f0(rate, f0);
    }
}
