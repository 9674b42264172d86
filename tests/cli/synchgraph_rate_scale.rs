//! `train synchgraph` refuses an input rate scale whose top rate (255 units of intensity) is no
//! finite f32 rate before any clip is read, naming the flag: such a scale gave NaN input rates
//! (0 x infinity) or failed only after every clip was read, with an error about the network's
//! configuration.

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn an_overflowing_rate_scale_is_refused_by_name_before_the_clips_are_read() {
    let d = scratch("review4-sgchain-flags", "rate");
    // Names of the Free Spoken Digit scheme, contents that no WAV reader accepts.
    for name in [
        "0_x_0.wav",
        "0_x_1.wav",
        "1_x_0.wav",
        "1_x_1.wav",
        "1_x_2.wav",
    ] {
        write(&d.join("clips").join(name), b"not a wav file");
    }
    for scale in ["1e39", "1e307"] {
        let o = synchgraph()
            .args(["train", "synchgraph", "--audio", s(&d.join("clips"))])
            .args(["--rate-scale", scale, "--epochs", "1"])
            .args(["--out", s(&d.join("o"))])
            .output()
            .unwrap();
        fails_with(&o, &["--rate-scale must be a finite rate > 0", "255 x S"]);
    }
}

/// A mistyped `--modality` (or one that needs `--images`) fails before `--out` is made, so no
/// empty output folder is left behind.
#[test]
fn a_bad_modality_leaves_no_output_folder() {
    let d = scratch("review4-sgchain-flags", "modality");
    write(&d.join("clips").join("0_x_0.wav"), b"not a wav file");
    for (modality, needle) in [("sound", "modality"), ("visual", "needs --images")] {
        let out = d.join(format!("o-{modality}"));
        let o = synchgraph()
            .args(["train", "synchgraph", "--audio", s(&d.join("clips"))])
            .args(["--modality", modality, "--out", s(&out)])
            .output()
            .unwrap();
        fails_with(&o, &[needle]);
        assert!(
            !out.exists(),
            "--modality {modality} left {}",
            out.display()
        );
    }
}
