//! Messages that echo what the user typed echo it as typed: a `--modality` value in the spelling
//! the flag accepts (it was printed as the Rust variant, `--modality Visual`, a value the flag
//! refuses), and file paths as given (they were printed in Rust's debug form, quoted and with
//! `"` and `\` escaped, so the message named a file that does not exist).

use crate::common;
use common::cli::{fails_with, run_for, s, scratch};

#[test]
fn a_modality_is_named_as_the_flag_takes_it() {
    let d = scratch("user-messages", "modality");
    let (audio, out) = (d.join("clips"), d.join("o"));
    for value in ["visual", "both"] {
        let o = run_for(
            &[
                "train",
                "synchgraph",
                "--audio",
                s(&audio),
                "--modality",
                value,
                "--out",
                s(&out),
            ],
            &[],
            60,
        );
        fails_with(&o, &[&format!("--modality {value} needs --images")]);
    }
    // Without --modality the audio branch runs alone; the message names it as the flag would.
    let o = run_for(
        &[
            "train",
            "synchgraph",
            "--audio",
            s(&audio),
            "--w-cross",
            "2",
            "--out",
            s(&out),
        ],
        &[],
        60,
    );
    fails_with(&o, &["--modality audio has one"]);
}

#[test]
fn a_missing_file_is_named_as_given() {
    let d = scratch("user-messages", "paths");
    // A quote is legal in a file name; the message must show the name, not an escaped form.
    let missing = d.join("no \"such\" file");
    let name = s(&missing);
    let out = d.join("o");
    let record = d.join("r.csv");
    let cases: [Vec<&str>; 3] = [
        vec!["train", "stdp", "--data", name, "--out", s(&out)],
        vec!["train", "synchgraph", "--audio", name, "--out", s(&out)],
        vec!["simulate", "--config", name, "--record", s(&record)],
    ];
    for args in cases {
        let o = run_for(&args, &[], 60);
        fails_with(&o, &[name]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("\\\""), "{args:?}: an escaped path in: {err}");
    }
}

/// `--help` and `--version` whose text cannot be written (a full disk, here `/dev/full`) end
/// with a failure that says so; they ended with success, as if the text had been shown.
#[cfg(target_os = "linux")]
#[test]
fn help_that_cannot_be_written_is_a_failure() {
    use std::process::Stdio;
    for args in [
        &["--help"][..],
        &["--version"],
        &["train", "lgrin", "--help"],
        &["help", "predict"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = common::cli::synchgraph()
            .args(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("writing to standard output"),
            "{args:?}: {err}"
        );
    }
    // A reader that has gone (`synchgraph --help | head -0`) is no failure, and a shown help
    // still ends with success.
    let o = common::cli::synchgraph().arg("--help").output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("Usage: synchgraph"));
    let mut child = common::cli::synchgraph()
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A usage error still ends with status 2 and its message on stderr.
    fails_with(
        &run_for(&["train", "lgrin", "--bogus"], &[], 60),
        &["--bogus"],
    );
}

/// An unknown `--format` is refused naming the flag, as a bad `--normalize` is; the message
/// named only the value ("unknown data format 'x'"), not which flag held it.
#[test]
fn an_unknown_format_names_the_flag() {
    let d = scratch("user-messages", "format");
    let data = "assets/examples/emodb";
    let (out, model) = (d.join("o"), d.join("m"));
    let cases: [Vec<&str>; 3] = [
        vec![
            "features",
            "--data",
            data,
            "--format",
            "wavs",
            "--out",
            s(&out),
        ],
        vec![
            "train",
            "lgrin",
            "--data",
            data,
            "--format",
            "wavs",
            "--out",
            s(&out),
        ],
        vec![
            "eval",
            "--model",
            s(&model),
            "--data",
            data,
            "--format",
            "wavs",
            "--out",
            s(&out),
        ],
    ];
    for args in cases {
        let o = run_for(&args, &[], 60);
        fails_with(&o, &["--format", "unknown data format 'wavs'"]);
        assert!(!out.exists(), "{args:?} made --out");
    }
}
