//! Class folders of landmark CSVs (detected by their header) beside `.npy` clips hold clips of
//! two layouts: detection asks for `--format`, as for any two kinds of clip. It read them as
//! landmarks, which lists CSV files only, so the `.npy` clips were left out without a word.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{scratch, write};
use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::features::FrameMatrix;
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    scratch("lm-npy", name)
}

/// A landmark CSV of two frames with the documented header.
fn landmark_csv(p: &Path) {
    let header: Vec<String> = (0..68)
        .flat_map(|k| [format!("x{k}"), format!("y{k}")])
        .collect();
    let row: Vec<String> = (0..136).map(|k| format!("{}", 100 + k)).collect();
    let text = format!(
        "frame,{}\n0,{}\n1,{}\n",
        header.join(","),
        row.join(","),
        row.join(",")
    );
    write(p, text);
}

#[test]
fn landmark_csvs_beside_npy_clips_ask_for_a_format() {
    let d = tmp("mixed");
    landmark_csv(&d.join("happy/a.csv"));
    landmark_csv(&d.join("sad/b.csv"));
    write(&d.join("sad/c.npy"), npy_bytes(&FrameMatrix::zeros(2, 136)));
    let e = detect_format(&d).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("a.csv") && text.contains("c.npy") && text.contains("--format"),
        "{text}"
    );
    // The format named reads its own clips.
    let list = load_clips(&d, Some(DatasetFormat::Landmarks)).unwrap();
    assert_eq!(list.clips.len(), 2);
    let list = load_clips(&d, Some(DatasetFormat::Features)).unwrap();
    assert_eq!(list.clips.len(), 3);
    // Without the `.npy` clip the folder is landmarks again.
    std::fs::remove_file(d.join("sad/c.npy")).unwrap();
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Landmarks);
}
