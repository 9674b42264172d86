//! A `--filter` or `--exclude` holding several words that match no row names every one of
//! them in its error, so a user fixes all the typos at once instead of one per run.

use std::process::Command;

/// Every unmatched word of one flag is named, each once, and the matching words are not.
#[test]
fn every_word_that_matches_no_row_is_named() {
    for (flag, words, unknown) in [
        (
            "--filter",
            "add,lif_stpe,Spmmx,lif_stpe",
            &["lif_stpe", "Spmmx"][..],
        ),
        ("--exclude", "matmull,relu,adamm", &["matmull", "adamm"][..]),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["bench", "--quick", "--list", flag, words])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {words}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for word in unknown {
            assert_eq!(
                stderr.matches(&format!("'{word}'")).count(),
                1,
                "{flag} {words}: {stderr}"
            );
        }
        assert!(
            stderr.contains(&format!("{flag} words ")) && stderr.contains("match no bench row"),
            "{stderr}"
        );
        for known in ["'add'", "'relu'"] {
            assert!(!stderr.contains(known), "{stderr}");
        }
    }
}
