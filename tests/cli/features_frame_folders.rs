//! `synchgraph features` on face-frame folders whose names hold a dot (`s1.take1`): a clip
//! folder's whole name is its clip name, not a file stem with an "extension" cut off, so two
//! takes of one speaker are two clips of the export, not a collision.

use crate::common;

use std::path::Path;

use common::cli::*;

/// Clips of 6 grey 16x16 frames (`<class>/<name>/f<i>.png`) in the classes `a` and `b`.
pub(crate) fn frame_clips(dir: &Path, names: &[&str]) {
    for (c, class) in ["a", "b"].iter().enumerate() {
        for (k, name) in names.iter().enumerate() {
            let clip = dir.join(format!("{class}/{name}"));
            std::fs::create_dir_all(&clip).unwrap();
            for i in 0..6u32 {
                let img = image::GrayImage::from_fn(16, 16, |x, y| {
                    image::Luma([((x * 7 + y * 13 + i * 29 + (c * 5 + k) as u32 * 31) % 256) as u8])
                });
                img.save(clip.join(format!("f{i}.png"))).unwrap();
            }
        }
    }
}

#[test]
fn frame_folders_with_dots_in_their_names_are_exported_whole() {
    let d = scratch("features-frame-folders", "dots");
    let (data, export) = (d.join("frames"), d.join("export"));
    frame_clips(&data, &["s1.take1", "s1.take2"]);
    let args = [
        "features",
        "--data",
        s(&data),
        "--nodes",
        "3",
        "--out",
        s(&export),
    ];
    succeeds(&run_for(&args, &[], 120), "features");
    for class in ["a", "b"] {
        for name in ["s1.take1", "s1.take2"] {
            let file = export.join(format!("{class}/{name}.npy"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
