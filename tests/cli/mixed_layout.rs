//! Layout detection (`train lgrin`, `features` and `eval` without `--format`) on class folders
//! that hold clips of two kinds, say WAVs beside `.npy` sidecars: an error that names both kinds
//! and asks for `--format`, not a layout chosen by whichever file sorts first in the first class
//! folder (which silently dropped every clip of the other kind). One kind per layout, and files
//! of no clip kind beside the clips, are detected as before; `--format` reads the chosen kind.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sg-review3-mixed-layout-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn touch_all(dir: &Path, files: &[&str]) {
    for f in files {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"").unwrap();
    }
}

#[test]
fn class_folders_mixing_wavs_and_feature_files_are_ambiguous() {
    let d = tmp("wav-npy");
    touch_all(
        &d,
        &[
            "anger/a1.npy",
            "anger/a1.wav",
            "anger/a2.wav",
            "anger/a3.wav",
            "sad/s1.wav",
            "sad/s2.wav",
        ],
    );
    for e in [
        detect_format(&d).unwrap_err(),
        load_clips(&d, None).unwrap_err(),
    ] {
        let text = e.to_string();
        for needle in ["a1.npy", "a1.wav", "--format"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }
    // The kind asked for is read.
    let wavs = load_clips(&d, Some(DatasetFormat::Folder)).unwrap();
    assert_eq!(wavs.clips.len(), 5);

    // The other kind first in a later class folder is just as ambiguous.
    let d = tmp("wav-then-csv");
    touch_all(&d, &["anger/a1.wav", "sad/s1.csv", "sad/s2.wav"]);
    assert!(detect_format(&d).is_err());
    let d = tmp("bvh-wav");
    touch_all(&d, &["anger/a1.bvh", "sad/s1.wav"]);
    assert!(detect_format(&d).is_err());
}

#[test]
fn one_clip_kind_per_layout_is_detected_as_before() {
    let d = tmp("csv-npy");
    touch_all(&d, &["a/x.csv", "a/y.npy", "b/z.npy", "b/notes.txt"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Features);
    let d = tmp("wav-and-txt");
    touch_all(&d, &["a/readme.txt", "a/x.wav", "b/y.wav"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
    let d = tmp("frames");
    touch_all(&d, &["a/clip1/f0.png", "b/clip2/f0.png"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Video);
}
