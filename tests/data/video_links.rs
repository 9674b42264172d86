//! Video layouts reached through symbolic links: a frame file of a clip folder, or a clip folder
//! of a class folder, that is a link to a missing target is an error naming it, as in every
//! other layout; it used to be left out without a word (a clip one frame short, or a class one
//! clip short).
#![cfg(unix)]

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::features::images::{clip_log_features, list_frame_files, FrameImageConfig};
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-video-links-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Frames `f001.png ..= f00{n}.png` of 8x8 pixels in `clip`.
fn frames(clip: &Path, n: usize) {
    std::fs::create_dir_all(clip).unwrap();
    for k in 1..=n {
        image::GrayImage::from_pixel(8, 8, image::Luma([30 * k as u8]))
            .save(clip.join(format!("f00{k}.png")))
            .unwrap();
    }
}

/// `e` is an [`Error::Data`] naming `path` and saying its target is missing.
fn names_the_dangling_link(e: Error, path: &Path) {
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("missing"),
        "{text}"
    );
}

#[test]
fn a_dangling_link_to_a_frame_is_an_error_naming_it() {
    let clip = tmp("frame").join("clip1");
    frames(&clip, 3);
    let dangling = clip.join("f004.png");
    std::os::unix::fs::symlink(clip.join("moved/f004.png"), &dangling).unwrap();
    names_the_dangling_link(list_frame_files(&clip).unwrap_err(), &dangling);
    let cfg = FrameImageConfig {
        side: 8,
        sigma: 1.0,
    };
    names_the_dangling_link(clip_log_features(&clip, &cfg).unwrap_err(), &dangling);
    // A link to a frame that exists is a frame.
    std::fs::remove_file(&dangling).unwrap();
    std::os::unix::fs::symlink(clip.join("f001.png"), &dangling).unwrap();
    assert_eq!(list_frame_files(&clip).unwrap().len(), 4);
}

#[test]
fn a_dangling_link_to_a_clip_folder_is_an_error_naming_it() {
    let d = tmp("clip");
    frames(&d.join("happy/clip1"), 2);
    frames(&d.join("sad/clip2"), 2);
    frames(&d.join("sad/clip3"), 2);
    let dangling = d.join("happy/clip4");
    std::os::unix::fs::symlink(d.join("moved/clip4"), &dangling).unwrap();
    for format in [None, Some(DatasetFormat::Video)] {
        names_the_dangling_link(load_clips(&d, format).unwrap_err(), &dangling);
    }
    // A link to a clip folder that exists is a clip.
    std::fs::remove_file(&dangling).unwrap();
    std::os::unix::fs::symlink(d.join("sad/clip3"), &dangling).unwrap();
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Video);
    assert_eq!(list.clips.len(), 4);
}
