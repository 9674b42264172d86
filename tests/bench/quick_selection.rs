//! Row selection of a quick run: `--list` prints the selected rows without measuring, and a
//! `--filter` or `--exclude` word that matches no row, a selection of no word, or a
//! `--time-budget` that is not a duration is refused.

use std::process::Command;

use crate::support::scratch;

#[test]
fn list_prints_the_selected_rows_without_measuring() {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--quick", "--list", "--filter", "relu,transpose"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let names: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["copy", "relu", "transpose", "3"], "{stdout}");
    assert!(
        stdout.lines().next().unwrap().starts_with("name"),
        "{stdout}"
    );
    assert!(stdout.contains("3 rows (quick sizes)"), "{stdout}");
    assert!(!stderr.contains("bench: "), "measured: {stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--list", "--json", "x.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn a_selection_word_that_matches_no_row_is_refused() {
    let path = scratch("typo.json");
    for flags in [["--filter", "add,lif_stpe"], ["--exclude", "matmull"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["bench", "--quick", "--json", path.to_str().unwrap()])
            .args(flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let word = flags[1].rsplit(',').next().unwrap();
        assert!(
            stderr.contains(&format!("{} word '{word}' matches no bench row", flags[0]))
                && stderr.contains("families: "),
            "{stderr}"
        );
        assert!(
            !stderr.contains("bench: copy"),
            "measured before refusing: {stderr}"
        );
        assert!(!path.exists(), "{flags:?} wrote a report");
    }
}

#[test]
fn a_selection_of_no_word_or_no_row_is_refused() {
    // An empty filter (an unset shell variable) would measure the copy ceiling alone.
    for (flags, needle) in [
        (vec!["--filter", ""], "--filter '' holds no word"),
        (vec!["--filter", ","], "--filter ',' holds no word"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["bench", "--quick", "--list"])
            .args(&flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{flags:?}: {stderr}");
    }
    // A filter that its exclusion cancels runs the ceiling alone, and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args([
            "bench",
            "--quick",
            "--list",
            "--filter",
            "matmul",
            "--exclude",
            "matmul",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: the --filter and --exclude words together leave no row"),
        "{stderr}"
    );
}

#[test]
fn a_time_budget_that_is_not_a_duration_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--quick", "--time-budget=-5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--time-budget"), "{stderr}");
}
