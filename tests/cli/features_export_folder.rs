//! `synchgraph features` exports that used to be read wrongly later: an export into a folder
//! holding an earlier one (its leftover clips were read as clips of the new one), an export
//! killed or failing part-way (a folder of some clips that read as a plain features layout), and
//! an export folder holding a clip its clip list does not name (or missing one it names).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{fails_with, matrix, npy_dataset, run_for, s, scratch, succeeds, write};
use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::Error;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    scratch("export-folder", name)
}

/// `synchgraph features --data data --out out --nodes 4`.
fn export(data: &Path, out: &Path) -> Output {
    run_for(
        &[
            "features",
            "--data",
            s(data),
            "--out",
            s(out),
            "--nodes",
            "4",
        ],
        &[],
        120,
    )
}

/// The file names in `dir`, sorted (hidden ones too).
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The clip paths of a features folder, relative to it.
fn clip_names(dir: &Path) -> Vec<String> {
    load_clips(dir, Some(DatasetFormat::Features))
        .unwrap()
        .clips
        .iter()
        .map(|c| {
            c.path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

// ---------------------------------------------------------------- an --out holding files

#[test]
fn export_into_a_folder_holding_an_earlier_export_is_refused() {
    let d = tmp("reuse");
    let (first, second, out) = (d.join("first"), d.join("second"), d.join("out"));
    npy_dataset(&first, 3, 4);
    npy_dataset(&second, 2, 4);
    succeeds(&export(&first, &out), "the first export");
    assert_eq!(clip_names(&out).len(), 6);

    // The second export would overwrite clip0 and clip1 and leave clip2 of the first one.
    let r = export(&second, &out);
    fails_with(
        &r,
        &["--out", s(&out), "is not empty", "new or empty folder"],
    );
    // The earlier export is left as it was, and no half-written folder lies beside it.
    assert_eq!(clip_names(&out).len(), 6);
    assert_eq!(names_in(&d), ["first", "out", "second"]);

    // Any file counts, not just an earlier export's.
    let other = d.join("other");
    write(&other.join("notes.txt"), b"mine");
    fails_with(
        &export(&second, &other),
        &["--out", "other", "is not empty"],
    );
    assert_eq!(names_in(&other), ["notes.txt"]);

    // An existing empty folder is fine and ends up holding just the new export.
    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    succeeds(&export(&second, &empty), "an export into an empty folder");
    assert_eq!(clip_names(&empty).len(), 4);
    assert_eq!(names_in(&empty), ["a", "b", "clips.csv", "features.json"]);

    // A file is still not a folder, and a missing parent is created.
    let file = d.join("a-file");
    write(&file, b"x");
    fails_with(&export(&second, &file), &["--out", "a-file"]);
    let nested = d.join("new/deeper/out");
    succeeds(
        &export(&second, &nested),
        "an export into a new nested folder",
    );
    assert_eq!(clip_names(&nested).len(), 4);
    let _ = std::fs::remove_dir_all(&d);
}

// ---------------------------------------------------------------- interrupted exports

/// A features layout of `per` clips per class with long names, so its `clips.csv` is large
/// while each exported `.npy` (4 nodes x 4 features) stays small.
fn many_clips(dir: &Path, per: usize) {
    for (c, class) in ["a", "b"].iter().enumerate() {
        for k in 0..per {
            write(
                &dir.join(format!("{class}/a_rather_long_clip_name_{k:04}.npy")),
                npy_bytes(&matrix(20, 4, c * 10 + k)),
            );
        }
    }
}

// Linux: the test kills the export with a file size limit, and a new export removes a killed
// one's work folder only where `/proc` shows that its process is gone.
#[cfg(target_os = "linux")]
#[test]
fn export_killed_before_its_index_leaves_no_features_folder() {
    use std::os::unix::process::ExitStatusExt;

    let d = tmp("killed");
    let (data, out) = (d.join("data"), d.join("out"));
    many_clips(&data, 60);
    // A file size limit of 1 KiB (or 512 bytes, by the shell) lets every small `.npy` through
    // and kills the process with SIGXFSZ when it writes the 5 KiB clips.csv: the export dies
    // after all its clips and before its index, as a killed run would.
    let bin = env!("CARGO_BIN_EXE_synchgraph");
    let killed = std::process::Command::new("sh")
        .args(["-c", "ulimit -f 1; exec \"$0\" \"$@\""])
        .args([bin, "features", "--data", s(&data), "--out", s(&out)])
        .args(["--nodes", "4"])
        .output()
        .unwrap();
    assert!(
        killed.status.signal().is_some(),
        "the size limit did not kill the export: {:?}, {}",
        killed.status,
        String::from_utf8_lossy(&killed.stderr)
    );
    // No `out` folder that would read as a features layout of some of the clips.
    assert!(
        !out.exists(),
        "the killed export left {}: {:?}",
        out.display(),
        names_in(&out)
    );
    let left = names_in(&d);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left[0].starts_with(".out.partial-"),
        "the killed export's work folder: {left:?}"
    );

    // A new export of the same name completes and removes the dead run's work folder.
    succeeds(&export(&data, &out), "the export after the killed one");
    assert_eq!(clip_names(&out).len(), 120);
    assert_eq!(names_in(&d), ["data", "out"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn export_that_fails_leaves_nothing_behind() {
    let d = tmp("fails");
    let (data, out) = (d.join("data"), d.join("out"));
    npy_dataset(&data, 2, 4);
    write(&data.join("b/clip1.npy"), b"not a npy file");
    fails_with(&export(&data, &out), &["clip1.npy"]);
    assert_eq!(names_in(&d), ["data"], "the failed export left files");

    // Into an existing empty folder: the folder stays, empty.
    std::fs::create_dir(&out).unwrap();
    fails_with(&export(&data, &out), &["clip1.npy"]);
    assert_eq!(names_in(&d), ["data", "out"]);
    assert!(names_in(&out).is_empty());

    // --out is still refused when it is the --data folder.
    fails_with(&export(&data, &data), &["is the --data folder"]);
    let _ = std::fs::remove_dir_all(&d);
}

// ---------------------------------------------------------------- the clip list

/// An export of a small features layout (2 classes x 2 clips) in `d/export`.
fn small_export(d: &Path) -> PathBuf {
    let (data, out) = (d.join("data"), d.join("export"));
    npy_dataset(&data, 2, 4);
    succeeds(&export(&data, &out), "the export");
    assert_eq!(
        clip_names(&out),
        ["a/clip0.npy", "a/clip1.npy", "b/clip0.npy", "b/clip1.npy"]
    );
    out
}

#[test]
fn export_holding_a_clip_its_list_does_not_name_is_an_error() {
    let d = tmp("stray");
    let out = small_export(&d);
    // A stray clip, say copied in from another export.
    write(&out.join("a/stray.npy"), npy_bytes(&matrix(4, 4, 7)));
    let e = load_clips(&out, Some(DatasetFormat::Features)).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("stray.npy") && text.contains("clips.csv") && text.contains("not listed"),
        "{text}"
    );
    // Detection reads the same clip list.
    assert!(load_clips(&out, None).is_err());
    // Training on it names the file too.
    let r = run_for(
        &common::cli::lgrin_args(s(&out), s(&d.join("model")), &["--epochs", "1"]),
        &[],
        120,
    );
    fails_with(&r, &["stray.npy", "clips.csv"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn export_missing_a_clip_its_list_names_is_an_error() {
    let d = tmp("missing");
    let out = small_export(&d);
    std::fs::remove_file(out.join("b/clip0.npy")).unwrap();
    let e = load_clips(&out, Some(DatasetFormat::Features)).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("b/clip0.npy") && text.contains("clips.csv") && text.contains("missing"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn export_of_names_with_commas_and_quotes_reads_back_in_order() {
    let d = tmp("commas");
    let (data, out) = (d.join("data"), d.join("export"));
    // Source order: class folders and file names sorted; the export keeps it.
    let names = ["p,q/x\"1.npy", "p,q/y,2.npy", "r/z.npy"];
    for (k, n) in names.iter().enumerate() {
        write(&data.join(n), npy_bytes(&matrix(20, 4, k)));
    }
    succeeds(&export(&data, &out), "the export");
    let index = std::fs::read_to_string(out.join("clips.csv")).unwrap();
    assert!(index.contains("\"p,q/y,2.npy\",\"p,q\","), "{index}");
    assert!(index.contains("\"p,q/x\"\"1.npy\""), "{index}");
    assert_eq!(clip_names(&out), names);
    let _ = std::fs::remove_dir_all(&d);
}
