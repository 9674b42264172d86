//! A `synchgraph features` export reads back with the speakers its `clips.csv` lists, the
//! source's: re-deriving them from the file names of the exported clips alone gave speakers to
//! an export of a `--limit`ed per-class layout whose full clip list mixed naming schemes (the
//! source had none, so `--split speaker` and speaker normalisation grouped its clips otherwise).

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::load_clips;
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::features::FrameMatrix;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-export-speakers-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An export of `clips` (class, file stem, listed speaker) as `synchgraph features` writes one;
/// `header` is the first line of its `clips.csv`.
fn export(dir: &Path, header: &str, clips: &[(&str, &str, &str)]) {
    let mut list = format!("{header}\n");
    for (k, (class, stem, speaker)) in clips.iter().enumerate() {
        let m = FrameMatrix {
            rows: 2,
            cols: 3,
            data: (0..6).map(|v| (v + 10 * k) as f32).collect(),
        };
        std::fs::create_dir_all(dir.join(class)).unwrap();
        std::fs::write(dir.join(class).join(format!("{stem}.npy")), npy_bytes(&m)).unwrap();
        let row = match header.split(',').count() {
            5 => format!("{class}/{stem}.npy,{class},{speaker},2,3\n"),
            _ => format!("{class}/{stem}.npy,{class},2,3\n"),
        };
        list.push_str(&row);
    }
    std::fs::write(dir.join("clips.csv"), list).unwrap();
    let index =
        serde_json::json!({"classes": ["sad", "anger"], "settings": {"nodes": 2, "dims": 3}});
    std::fs::write(dir.join("features.json"), index.to_string()).unwrap();
}

const CLIPS: [(&str, &str, &str); 4] = [
    ("sad", "03a02Ta", ""),
    ("anger", "03a01Wa", ""),
    ("sad", "08a02Tb", ""),
    ("anger", "08a01Wa", ""),
];

#[test]
fn an_export_listed_without_speakers_has_none() {
    let d = tmp("none");
    export(&d, "file,class,speaker,nodes,dims", &CLIPS);
    let list = load_clips(&d, None).unwrap();
    let speakers: Vec<Option<String>> = list.clips.iter().map(|c| c.speaker.clone()).collect();
    assert_eq!(speakers, vec![None; 4], "{:?}", list.clips);
    assert!(list.speakers().is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn listed_speakers_are_read_in_the_listed_order() {
    let d = tmp("listed");
    let clips = [
        ("sad", "clip_b", "m1"),
        ("anger", "clip_a", "f2"),
        ("anger", "clip_c", "m1"),
    ];
    export(&d, "file,class,speaker,nodes,dims", &clips);
    let list = load_clips(&d, None).unwrap();
    let got: Vec<(String, usize, Option<String>)> = list
        .clips
        .iter()
        .map(|c| {
            let name = c.path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, c.label, c.speaker.clone())
        })
        .collect();
    let want = [
        ("clip_b", 0, "m1"),
        ("clip_a", 1, "f2"),
        ("clip_c", 1, "m1"),
    ];
    let want: Vec<(String, usize, Option<String>)> = want
        .iter()
        .map(|&(n, l, s)| (n.to_string(), l, Some(s.to_string())))
        .collect();
    assert_eq!(got, want);
    assert_eq!(list.speakers(), ["f2", "m1"]);
    let (train, test) = list.speaker_split(&["f2".to_string()]).unwrap();
    assert_eq!((train, test), (vec![0, 2], vec![1]));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_list_without_a_speaker_column_keeps_the_speakers_of_the_names() {
    let d = tmp("old");
    export(&d, "file,class,nodes,dims", &CLIPS);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.speakers(), ["03", "08"]);
    assert!(list.clips.iter().all(|c| c.speaker.is_some()));
    let _ = std::fs::remove_dir_all(&d);
}
