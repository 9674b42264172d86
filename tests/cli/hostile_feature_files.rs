//! Hostile feature files given to `features`: absurd `.npy` shapes, NaN or infinite values, a CSV
//! byte-order mark, WAV sample rates of 0 Hz, huge BVH frame counts, landmark values beyond f32
//! and truncated frame images. Every case must end with a non-zero exit status (1 for a run-time
//! error, 2 for a command-line error), no panic or abort, and a message naming the problem,
//! quickly: cases that used to hang run under a time limit.

use crate::common;
use crate::hostile_support::{features_layout, features_run, tmp, tone, wav_bytes};

use common::cli::{fails_with, matrix, write};
use synchgraph::data::emotion_features::npy_bytes;

/// A version-1.0 `.npy` file with a free-form header dictionary and raw f4 values.
fn npy_raw(shape: &str, values: &[f32]) -> Vec<u8> {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}\n");
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    b.extend_from_slice(dict.as_bytes());
    for v in values {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

const BVH_HIERARCHY: &str = "HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Xposition \
                             Yposition Zposition\n  End Site\n  {\n    OFFSET 0 1 0\n  }\n}\n";

fn bvh(frames_line: &str, rows: &[&str]) -> String {
    format!(
        "{BVH_HIERARCHY}MOTION\n{frames_line}\nFrame Time: 0.01\n{}\n",
        rows.join("\n")
    )
}

/// A 68-point landmark row (137 columns with the frame number).
fn landmark_row(frame: usize, first: &str) -> String {
    let mut cols = vec![frame.to_string()];
    for i in 0..68 {
        let (x, y) = (
            100.0 + 30.0 * (i as f64 * 0.3).cos(),
            100.0 + 30.0 * (i as f64 * 0.7).sin(),
        );
        cols.push(if i == 0 {
            first.to_string()
        } else {
            x.to_string()
        });
        cols.push(y.to_string());
    }
    cols.join(",")
}

// ---------------------------------------------------------------- feature files

#[test]
fn npy_with_an_absurd_shape_is_truncated_not_an_overflow() {
    let d = tmp("npy-shape");
    let good = npy_bytes(&matrix(20, 4, 0));
    let bad = npy_raw("(99999999999, 99999999999)", &[1.0; 8]);
    features_layout(&d.join("data"), "npy", &bad, &good);
    let out = features_run(&d.join("data"), &d.join("out"), &[]);
    fails_with(&out, &["truncated", "x.npy", "99999999999"]);
}

#[test]
fn npy_with_nan_inf_or_no_columns_is_refused() {
    let d = tmp("npy-values");
    let good = npy_bytes(&matrix(20, 4, 0));
    for (name, bad, needle) in [
        (
            "nan",
            {
                let mut m = matrix(20, 4, 1);
                m.data[9] = f32::NAN;
                npy_bytes(&m)
            },
            "row 2, column 1",
        ),
        (
            "inf",
            {
                let mut m = matrix(20, 4, 1);
                m.data[0] = f32::INFINITY;
                npy_bytes(&m)
            },
            "row 0, column 0",
        ),
        ("nocols", npy_raw("(20, 0)", &[]), "no feature columns"),
    ] {
        let data = d.join(name);
        features_layout(&data, "npy", &bad, &good);
        let out = features_run(&data, &d.join(format!("{name}-out")), &[]);
        fails_with(&out, &["x.npy", needle]);
    }
}

#[test]
fn csv_with_a_byte_order_mark_keeps_its_first_row() {
    let d = tmp("csv-bom");
    // Values 1..=18: a first row of 0,1,2 would read as pandas' column names.
    let rows: Vec<String> = (0..6)
        .map(|r| {
            (0..3)
                .map(|c| format!("{}", r * 3 + c + 1))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let plain = rows.join("\n");
    write(&d.join("data/a/x.csv"), format!("\u{feff}{plain}"));
    write(&d.join("data/b/x.csv"), &plain);
    let out = features_run(&d.join("data"), &d.join("out"), &["--nodes", "6"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = std::fs::read(d.join("out/a/x.npy")).unwrap();
    let b = std::fs::read(d.join("out/b/x.npy")).unwrap();
    assert_eq!(a, b, "the BOM file lost a row");
    // Six rows on six nodes: every row is a node of its own, the first one included.
    let m = synchgraph::data::emotion_features::read_npy_matrix(&d.join("out/a/x.npy")).unwrap();
    assert_eq!((m.rows, m.cols), (6, 3));
    assert_eq!(&m.data[..3], &[1.0, 2.0, 3.0]);
}

#[test]
fn wav_with_a_zero_or_tiny_sample_rate_names_the_file() {
    let d = tmp("wav-rate");
    let good = wav_bytes(1, 16000, &tone(8000, 40.0, 1));
    for (rate, needle) in [(0, "sample rate is 0 Hz"), (1, "1 Hz")] {
        let data = d.join(format!("r{rate}"));
        features_layout(
            &data,
            "wav",
            &wav_bytes(1, rate, &tone(8000, 40.0, 2)),
            &good,
        );
        let out = features_run(&data, &d.join(format!("r{rate}-out")), &[]);
        fails_with(&out, &["x.wav", needle]);
    }
}

#[test]
fn bvh_with_a_huge_frame_count_or_out_of_range_value_is_refused() {
    let d = tmp("bvh");
    let good = bvh("Frames: 2", &["1 2 3", "4 5 6"]);
    let huge = bvh("Frames: 99999999999999999", &["1 2 3"]);
    let data = d.join("huge");
    features_layout(&data, "bvh", huge.as_bytes(), good.as_bytes());
    fails_with(
        &features_run(&data, &d.join("huge-out"), &[]),
        &["truncated", "x.bvh", "99999999999999999"],
    );
    let big = bvh("Frames: 2", &["1 2 3", "4 1e300 6"]);
    let data = d.join("big");
    features_layout(&data, "bvh", big.as_bytes(), good.as_bytes());
    fails_with(
        &features_run(&data, &d.join("big-out"), &[]),
        &["x.bvh", "line 15", "value 2 of frame 1", "float32"],
    );
}

#[test]
fn landmark_value_beyond_f32_names_its_column() {
    let d = tmp("landmarks");
    let good: Vec<String> = (0..3).map(|f| landmark_row(f, "130")).collect();
    let mut bad = good.clone();
    bad[1] = landmark_row(1, "1e300");
    features_layout(
        &d.join("data"),
        "csv",
        bad.join("\n").as_bytes(),
        good.join("\n").as_bytes(),
    );
    let out = features_run(&d.join("data"), &d.join("out"), &["--format", "landmarks"]);
    fails_with(&out, &["x.csv", "line 2", "column 2 (x0)", "float32"]);
}

#[test]
fn truncated_frame_image_is_called_truncated() {
    let d = tmp("frames");
    let mut png = Vec::new();
    image::GrayImage::from_fn(8, 8, |x, y| image::Luma([(x * 30 + y * 7) as u8]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    for clip in ["a/c1", "a/c2", "b/c3", "b/c4"] {
        write(&d.join(format!("data/{clip}/f0.png")), &png);
    }
    write(&d.join("data/a/c1/f1.png"), &png[..png.len() / 2]);
    let out = features_run(&d.join("data"), &d.join("out"), &[]);
    fails_with(&out, &["truncated", "f1.png"]);
}
