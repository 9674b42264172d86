//! Malformed index files of a `synchgraph features` export that the export-index fuzzing
//! (`fuzz_export_index`) reached and that used to load as if whole: a `clips.csv` row with
//! fewer or more fields than its header (a truncated or shifted row, whose missing `nodes`,
//! `dims` and `speaker` were then taken as "not listed"), and a `features.json` class list with
//! an entry that is not a string (dropped silently), and a row with an empty file field (reported
//! as a missing clip without a name). Each is now an error naming the file, the
//! line or entry, and the value.

use std::path::Path;

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::data::feature_export::ExportClipShapes;
use synchgraph::features::FrameMatrix;

use crate::common::cli::{scratch, write};

/// The header of the clip list.
const HEADER: &str = "file,class,speaker,nodes,dims\n";

/// An export of two 2 x 3 clips, `sad/a.npy` and `anger/b.npy`, with the clip list `rows`
/// (after [`HEADER`]) and the class list `classes` (JSON).
fn export(dir: &Path, rows: &str, classes: &str) {
    let m = FrameMatrix {
        rows: 2,
        cols: 3,
        data: vec![0.5; 6],
    };
    write(&dir.join("sad/a.npy"), npy_bytes(&m));
    write(&dir.join("anger/b.npy"), npy_bytes(&m));
    write(&dir.join("clips.csv"), format!("{HEADER}{rows}"));
    let index = format!(r#"{{"classes": {classes}, "settings": {{"nodes": 2, "dims": 3}}}}"#);
    write(&dir.join("features.json"), index);
}

/// The errors of loading the export in `dir` and of reading its clip shapes.
fn errors(dir: &Path) -> [String; 2] {
    let clips = load_clips(dir, Some(DatasetFormat::Features));
    let shapes = ExportClipShapes::read(dir);
    [
        clips.err().map(|e| e.to_string()).unwrap_or_default(),
        shapes.err().map(|e| e.to_string()).unwrap_or_default(),
    ]
}

/// The well-formed export loads: the cases below differ from it in one place only.
#[test]
fn the_whole_export_loads() {
    let d = scratch("export-index-fields", "whole");
    export(
        &d,
        "sad/a.npy,sad,03,2,3\nanger/b.npy,anger,,2,3\n",
        r#"["sad", "anger"]"#,
    );
    assert_eq!(errors(&d), [String::new(), String::new()]);
    let _ = std::fs::remove_dir_all(&d);
}

/// A row cut after its file name (the fuzz case: a truncated last line), or after its speaker,
/// is refused by the list's line, with its field count and the header's.
#[test]
fn a_row_shorter_than_the_header_is_refused() {
    for (name, last) in [
        ("file", "anger/b.npy\n"),
        ("speaker", "anger/b.npy,anger,08"),
    ] {
        let d = scratch("export-index-fields", &format!("short-{name}"));
        export(
            &d,
            &format!("sad/a.npy,sad,03,2,3\n{last}"),
            r#"["sad", "anger"]"#,
        );
        for e in errors(&d) {
            assert!(
                e.contains("clips.csv") && e.contains("line 3") && e.contains("5 columns"),
                "{name}: {e}"
            );
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}

/// A row with a field more than the header names (a value duplicated, as the fuzzing's
/// duplicated byte ranges do, or an unquoted comma in a speaker name) is refused.
#[test]
fn a_row_longer_than_the_header_is_refused() {
    let d = scratch("export-index-fields", "long");
    export(
        &d,
        "sad/a.npy,sad,03,2,3,3\nanger/b.npy,anger,,2,3\n",
        r#"["sad", "anger"]"#,
    );
    for e in errors(&d) {
        assert!(
            e.contains("clips.csv") && e.contains("line 2") && e.contains("6 fields"),
            "{e}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A class entry that is not a string is refused, naming it, rather than dropped.
#[test]
fn a_class_that_is_not_a_string_is_refused() {
    let d = scratch("export-index-fields", "classes");
    let rows = "sad/a.npy,sad,03,2,3\nanger/b.npy,anger,,2,3\n";
    for classes in [r#"["sad", "anger", 0]"#, r#"["sad", null, "anger"]"#] {
        export(&d, rows, classes);
        let e = load_clips(&d, Some(DatasetFormat::Features))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("features.json") && e.contains("'classes'") && e.contains("not a"),
            "{classes}: {e}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A row whose file field is empty (the fuzz case: `,sad,,2,3`) is refused by its line, rather
/// than reported as a missing clip with no name.
#[test]
fn a_row_without_a_file_name_is_refused_by_its_line() {
    let d = scratch("export-index-fields", "empty-file");
    export(
        &d,
        "sad/a.npy,sad,03,2,3\n,anger,,2,3\n",
        r#"["sad", "anger"]"#,
    );
    for e in errors(&d) {
        assert!(
            e.contains("clips.csv") && e.contains("line 3") && e.contains("no file name"),
            "{e}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}
