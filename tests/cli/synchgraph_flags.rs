//! `train synchgraph` refuses a `--window-ms` that is not a finite number >= 0 before the audio
//! clips are read (it was refused only when the synchrony graph was built, after the features
//! were extracted and every clip simulated); a folder of broken WAV files shows the order (the
//! window must be named, not the WAV).

use crate::common;
use common::cli::{fails_with, s, scratch, synchgraph, write};

#[test]
fn a_bad_window_is_refused_before_the_clips_are_read() {
    let d = scratch("review3-synch-flags", "window");
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
    for window in ["NaN", "-1", "inf"] {
        let o = synchgraph()
            .args(["train", "synchgraph", "--audio", s(&d.join("clips"))])
            .args(["--window-ms", window, "--epochs", "1"])
            .args(["--out", s(&d.join("o"))])
            .output()
            .unwrap();
        fails_with(
            &o,
            &["--window-ms", "synchrony window must be a finite number"],
        );
    }
}
