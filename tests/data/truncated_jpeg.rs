//! A JPEG frame cut short is an error naming it, not a frame padded with made-up pixels.

use synchgraph::features::images::{clip_log_features, load_gray, FrameImageConfig};
use synchgraph::Error;

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-truncjpeg-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x ^ y) * 8) as u8])
    });
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    out
}

/// `main` with an APP1 segment holding `thumb` (a whole JPEG, EOI marker included) after its
/// start-of-image marker, the way EXIF thumbnails are stored.
fn with_thumbnail(main: &[u8], thumb: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(thumb);
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = main[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&main[2..]);
    out
}

fn assert_truncated(path: &std::path::Path) {
    match load_gray(path, 8) {
        Err(Error::Truncated { path: p, .. }) | Err(Error::Data { path: p, .. }) => {
            assert!(
                p.ends_with(path.file_name().unwrap().to_str().unwrap()),
                "{p}"
            )
        }
        other => panic!("a cut JPEG must be an error naming it, got {other:?}"),
    }
}

#[test]
fn a_jpeg_cut_short_is_an_error_naming_the_file() {
    let d = tmp_dir("cut");
    let full = jpeg(64, 48);
    let p = d.join("f001.jpg");
    std::fs::write(&p, &full).unwrap();
    load_gray(&p, 8).unwrap();
    // Cut within the scan data, and just before the end-of-image marker.
    for keep in [full.len() * 3 / 4, full.len() * 9 / 10, full.len() - 2] {
        std::fs::write(&p, &full[..keep]).unwrap();
        assert_truncated(&p);
    }
    // Through the clip reader as well.
    let err = clip_log_features(&d, &FrameImageConfig::default()).unwrap_err();
    assert!(err.to_string().contains("f001.jpg"), "{err}");
}

#[test]
fn the_end_marker_of_an_embedded_thumbnail_does_not_complete_a_cut_jpeg() {
    let d = tmp_dir("thumb");
    let whole = with_thumbnail(&jpeg(64, 48), &jpeg(8, 8));
    let p = d.join("f001.jpeg");
    std::fs::write(&p, &whole).unwrap();
    let g = load_gray(&p, 8).unwrap();
    assert_eq!((g.width, g.height), (8, 8));
    std::fs::write(&p, &whole[..whole.len() * 4 / 5]).unwrap();
    assert_truncated(&p);
}

#[test]
fn bytes_after_the_end_marker_are_allowed() {
    let d = tmp_dir("trailer");
    let mut data = jpeg(32, 32);
    let want = {
        std::fs::write(d.join("a.jpg"), &data).unwrap();
        load_gray(&d.join("a.jpg"), 8).unwrap()
    };
    data.extend_from_slice(b"\0\0trailing camera data");
    std::fs::write(d.join("a.jpg"), &data).unwrap();
    assert_eq!(load_gray(&d.join("a.jpg"), 8).unwrap(), want);
}
