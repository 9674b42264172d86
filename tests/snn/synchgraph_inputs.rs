//! Synch-Graph inputs and the spike path: intensity scaling, clip listing and image pairing,
//! and the simulated spikes of several clips presented together.

use synchgraph::models::synchgraph_features::{audio_clips, scale_to_intensity};
use synchgraph::snn::encoding::SpikeList;

#[test]
fn intensity_scaling_refuses_non_finite_features() {
    // A NaN in the fitting rows was skipped by min/max, so a column whose fitting values are
    // all NaN became a "constant" column and every row, finite test rows included, read 0.
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut rows = vec![vec![bad, 1.0], vec![bad, 2.0], vec![5.0, 3.0]];
        let err = scale_to_intensity(&mut rows, &[0, 1]).unwrap_err();
        assert!(
            err.to_string().contains("not finite"),
            "{bad}: unexpected error {err}"
        );
        // A non-finite value in a row that is only scaled is refused too, not passed on.
        let mut rows = vec![vec![1.0, 1.0], vec![2.0, 2.0], vec![bad, 3.0]];
        let err = scale_to_intensity(&mut rows, &[0, 1]).unwrap_err();
        assert!(
            err.to_string().contains("row 2"),
            "{bad}: unexpected error {err}"
        );
    }
}

#[test]
fn a_folder_mixing_digit_and_emodb_names_is_refused_as_mixed() {
    // Every Free Spoken Digit name was reported as following neither scheme once one EmoDB
    // name sat beside it: the error must say the folder mixes the two schemes.
    let dir = std::env::temp_dir().join(format!("sg_mixed_names_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["0_george_0.wav", "1_george_0.wav", "03a01Fa.wav"] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    let err = audio_clips(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        err.contains("mixes") && err.contains("0_george_0.wav") && err.contains("03a01Fa.wav"),
        "unexpected error: {err}"
    );
    assert!(!err.contains("follows neither"), "unexpected error: {err}");
}

#[test]
fn a_stray_name_among_digit_names_is_the_one_reported() {
    // "x.wav" beside Free Spoken Digit names: the error named 0_george_0.wav, which follows
    // the digit scheme, as following neither.
    let dir = std::env::temp_dir().join(format!("sg_stray_name_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["0_george_0.wav", "1_george_0.wav", "x.wav"] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    let err = audio_clips(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        err.contains("x.wav") && err.contains("follows neither") && !err.contains("george"),
        "unexpected error: {err}"
    );
}

#[test]
fn a_spike_list_refuses_a_step_that_is_not_a_positive_time() {
    // At dt NaN (or 0, whose 0 / 0 is NaN) every time fell to step 0: three spikes at 0, 1
    // and 2 ms were read as one step's spikes instead of being refused.
    let text = "0,0\n1,1\n2,2\n";
    for dt in [f64::NAN, 0.0, -0.5, f64::INFINITY] {
        let err = SpikeList::from_csv(text, "x.csv", 4, 100, dt).unwrap_err();
        assert!(err.to_string().contains("dt"), "dt {dt}: {err}");
    }
}

#[test]
fn hidden_files_beside_the_clips_are_skipped() {
    // macOS leaves `._<name>` resource forks beside copied files: `._0_george_0.wav` was read
    // as a clip name that follows neither scheme, where `train lgrin` skips hidden entries.
    let dir = std::env::temp_dir().join(format!("sg_hidden_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "0_george_0.wav",
        "1_george_0.wav",
        "._0_george_0.wav",
        ".x.wav",
    ] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    let listed = audio_clips(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let (clips, classes) = listed.expect("the hidden files are skipped");
    assert_eq!(clips.len(), 2);
    assert_eq!(classes, ["0", "1"]);
}
