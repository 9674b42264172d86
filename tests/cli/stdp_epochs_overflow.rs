//! `train stdp --epochs` so large that epochs x training images overflows a count is refused
//! naming the flag (it used to panic with "attempt to multiply with overflow").

use crate::common;

use common::cli::{fails_with, run_for, s, scratch};

const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/digits");

/// The largest `--epochs` is refused by name, without a panic, before the GPU opens.
#[test]
fn epochs_times_images_that_overflow_are_refused() {
    let d = scratch("stdp-epochs", "overflow");
    let o = d.join("o");
    let args = [
        "train",
        "stdp",
        "--data",
        DIGITS,
        "--limit",
        "4",
        "--neurons",
        "4",
        "--epochs",
        "18446744073709551615",
        "--out",
        s(&o),
    ];
    let out = run_for(&args, &[], 120);
    fails_with(&out, &["--epochs 18446744073709551615"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("adapter:"), "the GPU was opened first: {err}");
    assert!(!o.exists(), "a refused run left its --out folder");
}
