//! Speaker normalisation of node features against a plain reference: per speaker group, every
//! feature has mean 0 and standard deviation 1 over all nodes of the group's clips (tolerance
//! 1e-4 on the mean, 1e-3 relative on the deviation); the result is invariant to an affine change
//! of one speaker's features and leaves the other speakers alone; bad input is a named error.

use synchgraph::data::emotion::speaker_from_name;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::data::speaker_norm::{standardize_by_speaker, FeatureNorm};
use synchgraph::features::FrameMatrix;

/// Deterministic pseudo-random values (xorshift), offset and scaled per speaker so the groups
/// differ in both mean and spread.
fn clips(speakers: &[Option<&str>], rows: usize, cols: usize, seed: u64) -> Vec<FrameMatrix> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    speakers
        .iter()
        .map(|s| {
            let k = s.map_or(0.0, |s| s.len() as f64 + s.as_bytes()[0] as f64 % 5.0);
            let data = (0..rows * cols)
                .map(|i| ((next() - 0.5) * (1.0 + k) * (1.0 + (i % cols) as f64) + 3.0 * k) as f32)
                .collect();
            FrameMatrix { rows, cols, data }
        })
        .collect()
}

/// Per-feature (mean, population std) over every node of the clips at `members`.
fn reference_stats(feats: &[FrameMatrix], members: &[usize], col: usize) -> (f64, f64) {
    let values: Vec<f64> = members
        .iter()
        .flat_map(|&i| {
            let m = &feats[i];
            (0..m.rows).map(move |r| m.data[r * m.cols + col] as f64)
        })
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

const SPEAKERS: [Option<&str>; 9] = [
    Some("03"),
    Some("08"),
    None,
    Some("03"),
    Some("11"),
    Some("08"),
    None,
    Some("03"),
    Some("11"),
];

#[test]
fn every_speaker_group_is_standardised() {
    let mut feats = clips(&SPEAKERS, 13, 7, 1);
    let raw = feats.clone();
    standardize_by_speaker(&SPEAKERS, &mut feats).unwrap();
    for group in [Some("03"), Some("08"), Some("11"), None] {
        let members: Vec<usize> = (0..SPEAKERS.len())
            .filter(|&i| SPEAKERS[i] == group)
            .collect();
        for col in 0..7 {
            let (mean, std) = reference_stats(&feats, &members, col);
            assert!(mean.abs() < 1e-4, "{group:?} col {col}: mean {mean}");
            assert!((std - 1.0).abs() < 1e-3, "{group:?} col {col}: std {std}");
            // Each value is the reference (x - mean) / (std + 1e-5) of the raw group.
            let (m0, s0) = reference_stats(&raw, &members, col);
            for &i in &members {
                for r in 0..13 {
                    let want = (raw[i].data[r * 7 + col] as f64 - m0) / (s0 + 1e-5);
                    let got = feats[i].data[r * 7 + col] as f64;
                    assert!(
                        (got - want).abs() < 1e-5 * (1.0 + want.abs()),
                        "{got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn one_speakers_affine_change_leaves_the_result_unchanged() {
    let raw = clips(&SPEAKERS, 5, 3, 2);
    let mut base = raw.clone();
    standardize_by_speaker(&SPEAKERS, &mut base).unwrap();
    // Louder, shifted speaker 08: its normalised features stay, everyone else's are untouched.
    let mut moved = raw.clone();
    for (m, s) in moved.iter_mut().zip(SPEAKERS) {
        if s == Some("08") {
            m.data.iter_mut().for_each(|v| *v = *v * 7.5 - 40.0);
        }
    }
    standardize_by_speaker(&SPEAKERS, &mut moved).unwrap();
    for (i, s) in SPEAKERS.iter().enumerate() {
        if *s == Some("08") {
            for (a, b) in base[i].data.iter().zip(&moved[i].data) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        } else {
            assert_eq!(base[i].data, moved[i].data, "clip {i} changed");
        }
    }
    // Normalising again changes nothing beyond rounding.
    let mut twice = base.clone();
    standardize_by_speaker(&SPEAKERS, &mut twice).unwrap();
    for (a, b) in base.iter().zip(&twice) {
        for (x, y) in a.data.iter().zip(&b.data) {
            assert!((x - y).abs() < 1e-4);
        }
    }
}

#[test]
fn a_constant_feature_becomes_zero() {
    let speakers = [Some("03"), Some("03")];
    let mut feats = clips(&speakers, 4, 2, 3);
    for m in &mut feats {
        for r in 0..4 {
            m.data[r * 2 + 1] = 2.5;
        }
    }
    standardize_by_speaker(&speakers, &mut feats).unwrap();
    for m in &feats {
        for r in 0..4 {
            assert_eq!(m.data[r * 2 + 1], 0.0);
        }
    }
}

#[test]
fn none_keeps_the_features_and_speaker_applies_the_standardisation() {
    let raw = clips(&SPEAKERS, 3, 4, 4);
    let mut kept = raw.clone();
    FeatureNorm::None.apply(&SPEAKERS, &mut kept).unwrap();
    assert_eq!(kept, raw);
    let mut applied = raw.clone();
    FeatureNorm::Speaker.apply(&SPEAKERS, &mut applied).unwrap();
    let mut direct = raw;
    standardize_by_speaker(&SPEAKERS, &mut direct).unwrap();
    assert_eq!(applied, direct);
    assert_ne!(applied, kept);
}

#[test]
fn bad_input_is_a_named_error() {
    let mut feats = clips(&SPEAKERS, 3, 4, 5);
    let err = standardize_by_speaker(&SPEAKERS[..4], &mut feats).unwrap_err();
    assert!(err.to_string().contains("4 speakers for 9 clips"), "{err}");
    feats[2] = FrameMatrix::zeros(3, 5);
    let err = standardize_by_speaker(&SPEAKERS, &mut feats).unwrap_err();
    assert!(
        err.to_string()
            .contains("clip 2 has 5 features per node, clip 0 has 4"),
        "{err}"
    );
    let mut feats = clips(&SPEAKERS, 3, 4, 6);
    feats[5].data[7] = f32::NAN;
    let err = standardize_by_speaker(&SPEAKERS, &mut feats).unwrap_err();
    assert!(
        err.to_string()
            .contains("clip 5 holds a non-finite feature value"),
        "{err}"
    );
    let err = FeatureNorm::parse("global").unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown feature normalisation 'global'"),
        "{err}"
    );
    assert_eq!(FeatureNorm::parse("speaker").unwrap(), FeatureNorm::Speaker);
    // No clips is no work.
    standardize_by_speaker(&[], &mut []).unwrap();
}

#[test]
fn speakers_come_from_emodb_and_ravdess_names() {
    use std::path::Path;
    assert_eq!(
        speaker_from_name(Path::new("x/03a01Wa.wav")).as_deref(),
        Some("03")
    );
    assert_eq!(
        speaker_from_name(Path::new("03-01-05-01-02-01-12.wav")).as_deref(),
        Some("12")
    );
    assert_eq!(speaker_from_name(Path::new("clip.wav")), None);
}

#[test]
fn settings_without_a_normalisation_field_read_as_none() {
    // Checkpoints written before the field existed keep loading.
    let json =
        r#"{"kind":"is09-lld","nodes":40,"dims":32,"window_seconds":0.025,"stride_seconds":0.01}"#;
    let s: FeatureSettings = serde_json::from_str(json).unwrap();
    assert_eq!(s.normalize, FeatureNorm::None);
    let with = serde_json::to_string(&FeatureSettings {
        normalize: FeatureNorm::Speaker,
        ..s
    })
    .unwrap();
    assert!(with.contains(r#""normalize":"speaker""#), "{with}");
}
