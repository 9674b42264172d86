//! All frames of one clip folder must share one size: a frame of another size is an error naming
//! it, its size and the size of the clip's first frame, not silently resized.

use synchgraph::features::images::{
    clip_log_features, clip_log_nodes, load_clip_frames, FrameImageConfig,
};
use synchgraph::Error;

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-frontend-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn gray(w: u32, h: u32, shade: u8) -> image::GrayImage {
    image::GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if (x + 2 * y) % 5 == 0 { shade } else { 0 }])
    })
}

/// The error is an [`Error::Data`] on `odd` whose message names both sizes and the first frame.
fn assert_size_error(e: Error, odd: &str, odd_size: &str, first: &str, first_size: &str) {
    let text = e.to_string();
    match &e {
        Error::Data { path, message } => {
            assert!(path.ends_with(odd), "{text}");
            assert!(message.contains(odd_size), "{text}");
            assert!(message.contains(first_size), "{text}");
            assert!(message.contains(first), "{text}");
        }
        other => panic!("expected a data error on {odd}, got {other:?}"),
    }
}

#[test]
fn a_frame_of_another_size_is_an_error_naming_it_and_both_sizes() {
    let d = tmp_dir("odd-size");
    gray(24, 20, 200).save(d.join("f001.png")).unwrap();
    gray(24, 20, 120).save(d.join("f002.png")).unwrap();
    gray(20, 24, 90).save(d.join("f003.png")).unwrap(); // rotated: same pixel count
    gray(24, 20, 60).save(d.join("f004.png")).unwrap();
    let cfg = FrameImageConfig {
        side: 16,
        sigma: 1.0,
    };
    for e in [
        load_clip_frames(&d, 16).unwrap_err(),
        clip_log_features(&d, &cfg).unwrap_err(),
        clip_log_nodes(&d, &cfg, 6).unwrap_err(),
    ] {
        assert_size_error(e, "f003.png", "20x24", "f001.png", "24x20");
    }
    // Also when the odd frame is a JPEG and the first frame already has the target size.
    let d = tmp_dir("odd-jpeg");
    gray(16, 16, 200).save(d.join("a.png")).unwrap();
    image::RgbImage::from_pixel(17, 16, image::Rgb([30, 60, 90]))
        .save(d.join("b.jpg"))
        .unwrap();
    assert_size_error(
        clip_log_features(&d, &cfg).unwrap_err(),
        "b.jpg",
        "17x16",
        "a.png",
        "16x16",
    );
}

#[test]
fn frames_of_one_size_are_still_resized_to_the_side() {
    // One common size other than side × side: every frame is resized, as documented.
    let d = tmp_dir("same-size");
    for (k, shade) in [50u8, 150, 250].iter().enumerate() {
        gray(30, 18, *shade)
            .save(d.join(format!("f{k:03}.png")))
            .unwrap();
    }
    let frames = load_clip_frames(&d, 12).unwrap();
    assert_eq!(frames.len(), 3);
    assert!(frames.iter().all(|g| (g.width, g.height) == (12, 12)));
    let cfg = FrameImageConfig {
        side: 12,
        sigma: 1.0,
    };
    let m = clip_log_features(&d, &cfg).unwrap();
    assert_eq!((m.rows, m.cols), (3, 144));
}
