//! `benches/peers/inner_speaker_cv.sh` refuses a `--val` other than `speaker` or `fraction`
//! (a typo used to run the stratified-fraction protocol silently) and missing arguments with
//! its usage, before it writes `NAME.jsonl` or starts a training run.

use std::process::Command;

/// Runs the script with `args` in a scratch folder; (exit status, stderr, whether it wrote
/// `cv.jsonl` there).
fn cv(name: &str, args: &[&str]) -> (Option<i32>, String, bool) {
    let dir = std::env::temp_dir().join(format!("synchgraph-cv-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("feat")).unwrap();
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/peers/inner_speaker_cv.sh"
        ))
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap();
    let wrote = dir.join("cv.jsonl").exists();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        wrote,
    )
}

/// A misspelt `--val`, a `--val` without a value and missing arguments are named, nothing run.
#[test]
fn bad_arguments_are_refused_before_anything_runs() {
    for (name, args, needle) in [
        ("typo", &["cv", "feat", "--val", "speakers"][..], "--val"),
        ("novalue", &["cv", "feat", "--val"][..], "--val"),
        ("none", &[][..], "usage"),
        ("nofeat", &["cv", "missing"][..], "missing"),
    ] {
        let (code, stderr, wrote) = cv(name, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("Traceback"),
            "{args:?} ran python: {stderr}"
        );
        assert!(!wrote, "{args:?} wrote cv.jsonl");
    }
}
