//! A data folder in which no layout finds clips is an [`Error::Empty`] whose message names every
//! kind of clip a layout reads (it named WAV, CSV and `.npy` only, not BVH files nor frame
//! folders), and which, for BVH, CSV or `.npy` clips lying at the top level, says that those
//! layouts take one folder per class.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::load_clips;
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-layout-empty-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The message of the [`Error::Empty`] that detecting the layout of `dir` gives.
fn empty_message(dir: &Path) -> String {
    match load_clips(dir, None).unwrap_err() {
        e @ Error::Empty { .. } => e.to_string(),
        e => panic!("expected an empty-input error, got {e}"),
    }
}

#[test]
fn bvh_clips_at_the_top_level_are_asked_into_class_folders() {
    // The shared CMU clips lie at the top of their folder, as downloaded.
    let m = empty_message(Path::new("../shared/data/mocap"));
    assert!(m.contains("131_01.bvh"), "{m}");
    assert!(m.contains("one folder per class"), "{m}");
    let d = tmp("bvh");
    std::fs::write(d.join("walk.bvh"), "HIERARCHY\n").unwrap();
    let m = empty_message(&d);
    assert!(
        m.contains("BVH") && m.contains("one folder per class"),
        "{m}"
    );
}

#[test]
fn feature_files_at_the_top_level_are_asked_into_class_folders() {
    for name in ["clip.csv", "clip.npy"] {
        let d = tmp(name);
        std::fs::write(d.join(name), "1,2\n").unwrap();
        let m = empty_message(&d);
        assert!(
            m.contains(name) && m.contains("one folder per class"),
            "{m}"
        );
    }
}

#[test]
fn an_empty_folder_names_every_kind_of_clip() {
    let d = tmp("nothing");
    let m = empty_message(&d);
    for kind in ["WAV", "CSV", ".npy", "BVH", "frame"] {
        assert!(m.contains(kind), "{kind}: {m}");
    }
    // The clip list of an export whose class folders are gone is not a clip at the top.
    std::fs::write(d.join("clips.csv"), "path,label\n").unwrap();
    assert_eq!(empty_message(&d), m);
}
