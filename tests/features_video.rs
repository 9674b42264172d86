//! Face-frame front end: LoG filter against a direct reference, frame folders through `image`.

use synchgraph::features::images::{
    clip_log_features, list_frame_files, load_gray, FrameImageConfig,
};
use synchgraph::features::log_filter::{Gray, LogFilter};
use synchgraph::Error;

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-video-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Deterministic pseudo-random values in [0, 1).
fn lcg(seed: u64, n: usize) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32) / (1u64 << 24) as f32
        })
        .collect()
}

/// Plain reference: the LoG formula evaluated tap by tap, zero-mean, replicate borders.
fn reference(img: &Gray, sigma: f64) -> Vec<f64> {
    let r = ((3.0 * sigma).ceil() as isize).max(1);
    let mut k = Vec::new();
    for y in -r..=r {
        for x in -r..=r {
            let q = (x * x + y * y) as f64;
            let g =
                (-q / (2.0 * sigma * sigma)).exp() / (2.0 * std::f64::consts::PI * sigma * sigma);
            k.push((q - 2.0 * sigma * sigma) / sigma.powi(4) * g);
        }
    }
    let mean = k.iter().sum::<f64>() / k.len() as f64;
    k.iter_mut().for_each(|v| *v -= mean);
    let s = (2 * r + 1) as usize;
    let mut out = Vec::new();
    for y in 0..img.height as isize {
        for x in 0..img.width as isize {
            let mut acc = 0.0;
            for ky in -r..=r {
                for kx in -r..=r {
                    let px = (x + kx).clamp(0, img.width as isize - 1) as usize;
                    let py = (y + ky).clamp(0, img.height as isize - 1) as usize;
                    acc += k[((ky + r) as usize) * s + (kx + r) as usize]
                        * img.data[py * img.width + px] as f64;
                }
            }
            out.push(acc);
        }
    }
    out
}

#[test]
fn log_matches_direct_reference_on_small_images() {
    for (seed, (w, h), sigma) in [(1, (7, 5), 0.8f32), (2, (13, 11), 1.4), (3, (4, 9), 2.0)] {
        let img = Gray::new(w, h, lcg(seed, w * h)).unwrap();
        let f = LogFilter::new(sigma).unwrap();
        assert_eq!(f.size(), 2 * ((3.0 * sigma as f64).ceil() as usize) + 1);
        let want = reference(&img, sigma as f64);
        let sep = f.apply(&img);
        let direct = f.apply_direct(&img);
        // Tolerance: f64 accumulation in both, rounded to f32 once: 1e-5 absolute.
        for (i, want) in want.iter().enumerate() {
            assert!((sep.data[i] as f64 - want).abs() < 1e-5, "separable {i}");
            assert!((direct.data[i] as f64 - want).abs() < 1e-5, "direct {i}");
        }
    }
}

#[test]
fn log_kernel_sums_to_zero_and_flat_image_gives_zero() {
    let f = LogFilter::new(1.5).unwrap();
    assert!(f.kernel().iter().sum::<f64>().abs() < 1e-12);
    let flat = Gray::new(10, 6, vec![0.7; 60]).unwrap();
    assert!(f.apply(&flat).data.iter().all(|v| v.abs() < 1e-6));
    // A bright dot gives a negative centre (the LoG is a negative-centred "Mexican hat").
    let mut dot = vec![0.0; 121];
    dot[60] = 1.0;
    let out = f.apply(&Gray::new(11, 11, dot).unwrap());
    assert!(out.data[60] < 0.0);
}

#[test]
fn bad_sigma_and_shapes_are_errors() {
    for s in [0.0f32, -1.0, f32::NAN, f32::INFINITY] {
        assert!(matches!(LogFilter::new(s), Err(Error::InvalidInput(_))));
    }
    assert!(matches!(
        Gray::new(3, 3, vec![0.0; 8]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        Gray::new(0, 3, vec![]),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn frames_are_read_sorted_grayscale_and_resized() {
    let d = tmp_dir("clip");
    // Frame 2 (written first) is a JPEG, frame 1 an RGBA PNG of another size; a text file is ignored.
    let rgb = image::RgbImage::from_fn(20, 12, |x, _| image::Rgb([(x * 12) as u8, 0, 0]));
    rgb.save(d.join("f002.jpg")).unwrap();
    let rgba = image::RgbaImage::from_pixel(7, 9, image::Rgba([255, 255, 255, 128]));
    rgba.save(d.join("f001.png")).unwrap();
    std::fs::write(d.join("notes.txt"), "not a frame").unwrap();
    let files = list_frame_files(&d).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["f001.png", "f002.jpg"]);
    let white = load_gray(&files[0], 8).unwrap();
    assert_eq!((white.width, white.height), (8, 8));
    assert!(white.data.iter().all(|&v| (v - 1.0).abs() < 1e-5));
    let ramp = load_gray(&files[1], 8).unwrap();
    // A red ramp: luma rises left to right and stays below the red weight.
    assert!(ramp.data[7] > ramp.data[0]);
    assert!(ramp.data.iter().all(|&v| (0.0..=0.3).contains(&v)));

    let cfg = FrameImageConfig {
        side: 8,
        sigma: 1.0,
    };
    let m = clip_log_features(&d, &cfg).unwrap();
    assert_eq!((m.rows, m.cols), (2, 64));
    // The white frame is flat: zero response.
    assert!(m.row(0).iter().all(|v| v.abs() < 1e-5));
    let f = LogFilter::new(1.0).unwrap();
    assert_eq!(m.row(1), f.apply(&ramp).data.as_slice());
}

#[test]
fn broken_image_is_a_data_error_naming_the_file() {
    let d = tmp_dir("broken");
    let mut png = Vec::new();
    image::GrayImage::from_pixel(16, 16, image::Luma([9]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.join("a.png"), &png[..png.len() / 2]).unwrap();
    let err = clip_log_features(&d, &FrameImageConfig::default()).unwrap_err();
    match &err {
        Error::Data { path, .. } | Error::Truncated { path, .. } => {
            assert!(path.ends_with("a.png"))
        }
        Error::Io { path, .. } => assert!(path.ends_with("a.png")),
        other => panic!("unexpected error {other:?}"),
    }
    std::fs::write(d.join("a.png"), b"this is not an image").unwrap();
    let err = clip_log_features(&d, &FrameImageConfig::default()).unwrap_err();
    assert!(err.to_string().contains("a.png"), "{err}");
}

#[test]
fn empty_or_missing_folder_is_an_error() {
    let d = tmp_dir("empty");
    std::fs::write(d.join("readme.txt"), "no frames here").unwrap();
    assert!(matches!(list_frame_files(&d), Err(Error::Empty { .. })));
    assert!(matches!(
        clip_log_features(&d.join("missing"), &FrameImageConfig::default()),
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        clip_log_features(
            &d,
            &FrameImageConfig {
                side: 0,
                sigma: 1.0
            }
        ),
        Err(Error::Empty { .. }) | Err(Error::InvalidInput(_))
    ));
}
