//! Mutation fuzzing of the index files of a `synchgraph features` export, `features.json` and
//! `clips.csv`, read through [`load_clips`] and [`ExportClipShapes::read`]: every mutated index
//! either fails with a message or gives the export's clips, each once, with labels of its
//! classes and a node count and width the export can have.

use std::collections::HashSet;
use std::path::Path;

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::data::feature_export::ExportClipShapes;
use synchgraph::features::{FrameMatrix, MAX_NODES};

use crate::common::cli::{scratch, write};
use crate::fuzz::{cases, loaded, Mutator, Tally};

/// The clips of the export: (class, file stem, speaker).
const CLIPS: [(&str, &str, &str); 4] = [
    ("sad", "03a02Ta", "03"),
    ("anger", "03a01Wa", "03"),
    ("sad", "08a02Tb", ""),
    ("anger", "08a01Wa", "08"),
];

/// Write the clip matrices (2 x 3) of an export to `dir`; return its `clips.csv` and
/// `features.json` texts.
fn export(dir: &Path) -> (String, String) {
    let mut list = "file,class,speaker,nodes,dims\n".to_string();
    for (k, (class, stem, speaker)) in CLIPS.iter().enumerate() {
        let m = FrameMatrix {
            rows: 2,
            cols: 3,
            data: (0..6).map(|v| (v + 10 * k) as f32).collect(),
        };
        write(&dir.join(class).join(format!("{stem}.npy")), npy_bytes(&m));
        list.push_str(&format!("{class}/{stem}.npy,{class},{speaker},2,3\n"));
    }
    let index = r#"{"classes": ["sad", "anger"], "settings": {"nodes": 2, "dims": 3, "normalize": "none", "kind": "mfcc"}}"#;
    (list, index.to_string())
}

/// Fail unless every line of content of the accepted clip list `list` (without quotes, as the
/// fuzzing's lists mostly are) has as many fields as its header: a truncated or shifted row
/// would have lost its listed shape or speaker.
fn assert_rows_as_wide_as_header(case: usize, list: &[u8]) {
    if list.contains(&b'"') {
        return;
    }
    let text = String::from_utf8_lossy(list);
    let widths: Vec<usize> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').count())
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "case {case}: clips.csv rows of {widths:?} fields accepted"
    );
}

/// Export indexes with `clips.csv`, `features.json` or both mutated: an error, or every clip
/// once with a label of the export's classes, and shapes the export can have.
#[test]
fn mutated_export_indexes_fail_cleanly_or_load_consistently() {
    let d = scratch("fuzz-export-index", "export");
    let (list, index) = export(&d);
    let mut m = Mutator::new(6);
    let mut tally = Tally::default();
    for case in 0..cases(300) {
        let (mut l, mut i) = (list.clone().into_bytes(), index.clone().into_bytes());
        match m.below(3) {
            0 => l = m.mutate(&l),
            1 => i = m.mutate(&i),
            _ => {
                l = m.mutate(&l);
                i = m.mutate(&i);
            }
        }
        std::fs::write(d.join("clips.csv"), &l).unwrap();
        std::fs::write(d.join("features.json"), &i).unwrap();
        let mut all = l.clone();
        all.extend_from_slice(b"\n--- features.json\n");
        all.extend_from_slice(&i);
        let limit = 64 * all.len() + (1 << 20);
        let e = d.clone();
        let r = loaded("export clips", case, &all, limit, move || {
            load_clips(&e, Some(DatasetFormat::Features))
        });
        if let Some(c) = &r {
            assert_rows_as_wide_as_header(case, &l);
            let mut classes = c.classes.clone();
            classes.sort();
            assert_eq!(classes, ["anger", "sad"], "case {case}");
            assert_eq!(c.clips.len(), CLIPS.len(), "case {case}");
            let paths: HashSet<_> = c.clips.iter().map(|c| &c.path).collect();
            assert_eq!(paths.len(), CLIPS.len(), "case {case}: a clip twice");
            for clip in &c.clips {
                assert!(clip.path.is_file(), "case {case}: {clip:?}");
                let class = clip.path.parent().and_then(|p| p.file_name()).unwrap();
                assert_eq!(
                    c.classes[clip.label],
                    class.to_str().unwrap(),
                    "case {case}"
                );
            }
        }
        tally.add(&r);
        let e = d.clone();
        let s = loaded("export shapes", case, &all, limit, move || {
            ExportClipShapes::read(&e)
        });
        if let Some(Some(s)) = &s {
            assert!((2..=MAX_NODES).contains(&s.nodes()), "case {case}");
            assert!(s.dims().is_none_or(|d| d >= 1), "case {case}");
        }
    }
    tally.assert_both("export index");
    let _ = std::fs::remove_dir_all(&d);
}
