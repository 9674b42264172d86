//! Split inputs outside their range are typed errors: a validation fraction that is not in
//! [0, 1) (it was clamped or read as zero without a word), and training indices beyond the
//! clip list in a speaker validation split (they panicked).

use std::path::PathBuf;

use synchgraph::data::emotion::load_clips;
use synchgraph::data::split::validation_split;
use synchgraph::Error;

#[test]
fn validation_fractions_outside_zero_to_one_are_refused() {
    let labels: Vec<usize> = (0..20).map(|i| i % 2).collect();
    let idx: Vec<usize> = (0..20).collect();
    for fraction in [f32::NAN, -0.1, 1.0, 1.5, f32::INFINITY] {
        let e = validation_split(&idx, &labels, fraction, 3).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{fraction}: {e}");
        assert!(e.to_string().contains("fraction"), "{fraction}: {e}");
    }
    // The range's ends that make sense still split.
    let (train, val) = validation_split(&idx, &labels, 0.0, 3).unwrap();
    assert_eq!((train.len(), val.len()), (20, 0));
    let (train, val) = validation_split(&idx, &labels, 0.5, 3).unwrap();
    assert_eq!((train.len(), val.len()), (10, 10));
}

#[test]
fn speaker_validation_split_refuses_indices_beyond_the_clips() {
    let d: PathBuf = std::env::temp_dir().join(format!(
        "sg-emotion-split-inputs-{}-emodb",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for n in ["03a01Fa.wav", "03a01Wa.wav", "08a01Fa.wav", "08a01Wa.wav"] {
        std::fs::write(d.join(n), b"").unwrap();
    }
    let list = load_clips(&d, None).unwrap();
    let e = list
        .speaker_validation_split(&[0, 1, 2, 4], &["03".to_string()])
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(e.to_string().contains("4"), "{e}");
    let (train, val) = list
        .speaker_validation_split(&[0, 1, 2, 3], &["03".to_string()])
        .unwrap();
    assert_eq!((train, val), (vec![2, 3], vec![0, 1]));
}
