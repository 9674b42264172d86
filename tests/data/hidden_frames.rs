//! Frame folders of a video clip skip hidden files (`._f001.png`, the AppleDouble files macOS
//! leaves beside every file it copies to a FAT or network drive), as the clip lists of every
//! data-set layout do; such a file is not a frame and cannot be decoded.

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::features::images::{clip_log_features, list_frame_files, FrameImageConfig};

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-review3-frames-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// AppleDouble header bytes: what a `._name` file starts with.
const APPLE_DOUBLE: &[u8] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ";

#[test]
fn hidden_files_in_a_clip_folder_are_not_frames() {
    let root = tmp_dir("layout");
    let clip = root.join("happy").join("clip1");
    std::fs::create_dir_all(&clip).unwrap();
    for k in 1..=2 {
        image::GrayImage::from_pixel(8, 8, image::Luma([40 * k as u8]))
            .save(clip.join(format!("f00{k}.png")))
            .unwrap();
        std::fs::write(clip.join(format!("._f00{k}.png")), APPLE_DOUBLE).unwrap();
    }
    let names: Vec<String> = list_frame_files(&clip)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["f001.png", "f002.png"]);
    let cfg = FrameImageConfig {
        side: 8,
        sigma: 1.0,
    };
    let m = clip_log_features(&clip, &cfg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((m.rows, m.cols), (2, 64));
    // The clip list of the layout already skips hidden entries.
    std::fs::write(root.join("happy").join("._clip1"), APPLE_DOUBLE).unwrap();
    let list = load_clips(&root, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Video);
    assert_eq!(list.clips.len(), 1);
}
