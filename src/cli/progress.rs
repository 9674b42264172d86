//! The progress bar that the feature, fold and STDP loops show on stderr.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `what`, with elapsed time and an estimate of the time left.
pub(crate) fn bar(len: usize, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len as u64);
    b.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed_precise} eta {eta}")
            .expect("valid template"),
    );
    b.set_message(what.to_string());
    b
}
