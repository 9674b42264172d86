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
    // Frame 2 (written first) is a JPEG, frame 1 an RGBA PNG of the same, non-square size (frames
    // of one clip share a size; each is resized to side x side); a text file is ignored.
    let rgb = image::RgbImage::from_fn(20, 12, |x, _| image::Rgb([(x * 12) as u8, 0, 0]));
    rgb.save(d.join("f002.jpg")).unwrap();
    let rgba = image::RgbaImage::from_pixel(20, 12, image::Rgba([255, 255, 255, 128]));
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

// ---- facial landmarks -------------------------------------------------------------------------

use synchgraph::features::landmarks::{
    landmark_features, normalise, parse_landmarks, read_landmarks, COORDS,
};

fn landmark_row(frame: Option<usize>, pts: &[(f64, f64)]) -> String {
    let mut f: Vec<String> = frame.map(|v| v.to_string()).into_iter().collect();
    for (x, y) in pts {
        f.push(format!("{x}"));
        f.push(format!("{y}"));
    }
    f.join(",")
}

fn face(seed: u64, shift: (f64, f64), scale: f64) -> Vec<(f64, f64)> {
    let v = lcg(seed, 136);
    (0..68)
        .map(|i| {
            (
                shift.0 + scale * v[2 * i] as f64,
                shift.1 + scale * v[2 * i + 1] as f64,
            )
        })
        .collect()
}

fn header() -> String {
    let mut h = vec!["frame".to_string()];
    for i in 0..68 {
        h.push(format!("x{i}"));
        h.push(format!("y{i}"));
    }
    h.join(",")
}

#[test]
fn landmarks_parse_with_and_without_header_and_frame_column() {
    let p = std::path::Path::new("mem.csv");
    let a = face(5, (0.0, 0.0), 1.0);
    let b = face(6, (0.0, 0.0), 1.0);
    let with = format!(
        "{}\n{}\n\n{}\n",
        header(),
        landmark_row(Some(0), &a),
        landmark_row(Some(1), &b)
    );
    let without = format!("{}\n{}", landmark_row(None, &a), landmark_row(None, &b));
    let m1 = parse_landmarks(&with, p).unwrap();
    let m2 = parse_landmarks(&without, p).unwrap();
    assert_eq!((m1.rows, m1.cols), (2, COORDS));
    assert_eq!(m1, m2);
    assert_eq!(m1.get(1, 3), b[1].1 as f32);
    // A byte-order mark before a header-less file is not a header: no frame is dropped.
    let bom = format!("\u{feff}{without}");
    assert_eq!(parse_landmarks(&bom, p).unwrap(), m2);
}

#[test]
fn landmark_normalisation_removes_position_and_scale() {
    let p = std::path::Path::new("mem.csv");
    let base = face(7, (0.0, 0.0), 1.0);
    let moved = face(7, (320.0, -41.5), 250.0);
    let text = format!(
        "{}\n{}",
        landmark_row(None, &base),
        landmark_row(None, &moved)
    );
    let n = normalise(&parse_landmarks(&text, p).unwrap()).unwrap();
    // Tolerance: f32 storage of coordinates up to ~570: 1e-4 relative.
    for c in 0..COORDS {
        assert!((n.get(0, c) - n.get(1, c)).abs() < 1e-4, "coord {c}");
    }
    let (mut sx, mut sy, mut ss) = (0.0f64, 0.0f64, 0.0f64);
    for pt in n.row(0).chunks(2) {
        sx += pt[0] as f64;
        sy += pt[1] as f64;
        ss += (pt[0] as f64).powi(2) + (pt[1] as f64).powi(2);
    }
    assert!(sx.abs() < 1e-4 && sy.abs() < 1e-4);
    assert!((ss / 68.0 - 1.0).abs() < 1e-5);
}

#[test]
fn landmark_errors_are_typed_and_name_the_line() {
    let p = std::path::Path::new("mem.csv");
    let a = face(8, (0.0, 0.0), 1.0);
    // Wrong column count on line 3.
    let short = format!(
        "{}\n{}\n{}",
        header(),
        landmark_row(Some(0), &a),
        landmark_row(Some(1), &a[..67])
    );
    match parse_landmarks(&short, p) {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 3);
            assert!(message.contains("columns"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // NaN in x5 on line 2.
    let mut bad = a.clone();
    bad[5].0 = f64::NAN;
    let nan = format!("{}\n{}", landmark_row(None, &a), landmark_row(None, &bad));
    match parse_landmarks(&nan, p) {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("x5"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A non-number.
    let text = landmark_row(None, &a);
    let mut fields: Vec<&str> = text.split(',').collect();
    fields[10] = "abc";
    assert!(matches!(
        parse_landmarks(&fields.join(","), p),
        Err(Error::Parse { line: 1, .. })
    ));
    // Mixed row widths.
    let mixed = format!("{}\n{}", landmark_row(None, &a), landmark_row(Some(1), &a));
    assert!(matches!(
        parse_landmarks(&mixed, p),
        Err(Error::Parse { line: 2, .. })
    ));
    // Header only, and empty.
    assert!(matches!(
        parse_landmarks(&header(), p),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(parse_landmarks("", p), Err(Error::Empty { .. })));
    // All points coincide.
    let d = tmp_dir("landmarks");
    let f = d.join("flat.csv");
    std::fs::write(&f, landmark_row(None, &[(3.0, 4.0); 68])).unwrap();
    assert!(matches!(landmark_features(&f), Err(Error::Data { .. })));
    assert!(matches!(
        read_landmarks(&d.join("missing.csv")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn clips_become_nodes_with_cyclic_padding() {
    use synchgraph::features::images::{clip_log_magnitude, clip_log_nodes};
    use synchgraph::features::landmarks::landmark_nodes;
    let d = tmp_dir("nodes");
    for (k, shade) in [40u8, 200, 90].iter().enumerate() {
        let img = image::GrayImage::from_fn(12, 12, |x, y| {
            image::Luma([if (x + y) % 4 == 0 { *shade } else { 0 }])
        });
        img.save(d.join(format!("frame{k:03}.png"))).unwrap();
    }
    let cfg = FrameImageConfig {
        side: 12,
        sigma: 1.0,
    };
    let m = clip_log_features(&d, &cfg).unwrap();
    let n = clip_log_nodes(&d, &cfg, 7).unwrap();
    assert_eq!((n.rows, n.cols), (7, 144));
    for i in 0..7 {
        assert_eq!(n.row(i), m.row(i % 3), "node {i}");
    }
    let mag = clip_log_magnitude(&d, &cfg).unwrap();
    assert!(mag.data.iter().all(|v| *v >= 0.0));
    assert!(mag.data.iter().zip(&m.data).all(|(a, b)| *a == b.abs()));
    assert!(m.data.iter().any(|v| *v < 0.0), "LoG responses are signed");

    let f = d.join("lm.csv");
    let rows: Vec<String> = (0..2)
        .map(|s| landmark_row(Some(s), &face(s as u64 + 20, (1.0, 2.0), 50.0)))
        .collect();
    std::fs::write(&f, rows.join("\n")).unwrap();
    let ln = landmark_nodes(&f, 5).unwrap();
    let lf = landmark_features(&f).unwrap();
    assert_eq!((ln.rows, ln.cols), (5, COORDS));
    assert_eq!(ln.row(4), lf.row(0));
}
