//! `train synchgraph --limit`: a limit of 0, or one that keeps too few clips for the
//! 60/20/20 split, is refused naming `--limit` (it used to report "0 clips" as if the folder
//! were empty).

use crate::common;

use common::cli::{fails_with, run_for, s, scratch};

/// `--limit 0` and `--limit 3` on the 41 bundled EmoDB clips name the flag at fault.
#[test]
fn a_limit_that_keeps_too_few_clips_names_the_flag() {
    let d = scratch("synchgraph-limit", "limit");
    let o = d.join("o");
    for (limit, needles) in [
        ("0", &["--limit must be at least 1"][..]),
        ("3", &["--limit 3", "need at least 5"][..]),
    ] {
        let args = [
            "train",
            "synchgraph",
            "--audio",
            "assets/examples/emodb",
            "--limit",
            limit,
            "--out",
            s(&o),
        ];
        fails_with(&run_for(&args, &[], 120), needles);
    }
    assert!(!o.exists(), "a refused run left its --out folder");
}
