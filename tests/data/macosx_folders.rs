//! A `__MACOSX/` folder, which unzipping an archive made on macOS leaves beside the data (it
//! holds only AppleDouble `._` copies of the files), is skipped like a hidden entry wherever a
//! clip list is built: it was read as a class folder, so detection reported two layouts and
//! `--format folder` an empty class.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{scratch, write};
use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};

fn tmp(name: &str) -> PathBuf {
    scratch("macosx", name)
}

fn touch(p: &Path) {
    write(p, b"x");
}

#[test]
fn a_macosx_folder_beside_the_class_folders_is_not_a_class() {
    let d = tmp("folder");
    for class in ["angry", "calm"] {
        touch(&d.join(class).join("a.wav"));
        touch(&d.join("__MACOSX").join(class).join("._a.wav"));
    }
    touch(&d.join("__MACOSX").join("._angry"));
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
    for format in [None, Some(DatasetFormat::Folder)] {
        let list = load_clips(&d, format).unwrap();
        assert_eq!(list.classes, ["angry", "calm"]);
        assert_eq!(list.clips.len(), 2);
    }
}

#[test]
fn a_macosx_folder_inside_a_class_folder_is_not_a_clip() {
    let d = tmp("video");
    for class in ["angry", "calm"] {
        touch(&d.join(class).join("clip1").join("f0001.png"));
        touch(
            &d.join(class)
                .join("__MACOSX")
                .join("clip1")
                .join("._f0001.png"),
        );
    }
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Video);
    let list = load_clips(&d, Some(DatasetFormat::Video)).unwrap();
    assert_eq!(list.classes, ["angry", "calm"]);
    assert_eq!(list.clips.len(), 2);
    assert!(list.clips.iter().all(|c| c.path.ends_with("clip1")));
}

#[test]
fn a_macosx_folder_beside_feature_class_folders_is_not_a_class() {
    let d = tmp("features");
    for class in ["angry", "calm"] {
        std::fs::create_dir_all(d.join(class)).unwrap();
        std::fs::write(d.join(class).join("a.csv"), "1,2\n3,4\n").unwrap();
        touch(&d.join("__MACOSX").join(class).join("._a.csv"));
    }
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Features);
    assert_eq!(list.classes, ["angry", "calm"]);
}
