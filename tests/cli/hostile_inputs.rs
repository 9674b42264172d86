//! Hostile inputs on the command line. Every case must end with a non-zero exit status (1 for a
//! run-time error, 2 for a command-line error), no panic or abort, and a message naming the
//! problem, quickly: cases that used to hang run under a time limit.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{fails_with, lgrin_args, matrix, npy_dataset, run_for, s, scratch, write};
use common::fixtures::{
    planetoid_files as planetoid, tu_pairs as tu, PLANETOID_EDGES as EDGES,
    PLANETOID_NODES as NODES, PLANETOID_SPLIT as SPLIT,
};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::features::FrameMatrix;
use synchgraph::report::Checkpoint;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    scratch("robust", name)
}

fn run(args: &[&str]) -> Output {
    run_for(args, &[], 60)
}

// ---------------------------------------------------------------- generated files

/// A PCM WAV file with the given header fields and 16-bit samples.
fn wav_bytes(channels: u16, rate: u32, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
    let block = channels * 2;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    b
}

/// `n` samples of a tone with a little noise, so every feature varies.
fn tone(n: usize, period: f64, seed: u64) -> Vec<i16> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = ((x >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.05;
            (((i as f64 * std::f64::consts::TAU / period).sin() * 0.4 + noise) * 32767.0) as i16
        })
        .collect()
}

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

/// A features layout: class `a` holds `bad` (named `x.<ext>`) and one good clip, class `b` two
/// good clips.
fn features_layout(dir: &Path, ext: &str, bad: &[u8], good: &[u8]) {
    write(&dir.join(format!("a/x.{ext}")), bad);
    write(&dir.join(format!("a/x2.{ext}")), good);
    write(&dir.join(format!("b/y1.{ext}")), good);
    write(&dir.join(format!("b/y2.{ext}")), good);
}

fn features_run(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["features", "--data", s(data), "--out", s(out)];
    args.extend_from_slice(extra);
    if !extra.contains(&"--nodes") {
        args.extend_from_slice(&["--nodes", "4"]);
    }
    run(&args)
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

fn small_snn_config() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/snn/small.toml"
    ))
    .unwrap()
}

/// A gzip digits CSV of `n` images, labels cycling over 0..3.
fn digits_gz(path: &Path, n: usize) {
    let mut text = String::new();
    for i in 0..n {
        let px: Vec<String> = (0..64)
            .map(|p| ((p * 3 + i * 5) % 17).to_string())
            .collect();
        text.push_str(&format!("{},{}\n", px.join(","), i % 3));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    write(path, enc.finish().unwrap());
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

// ---------------------------------------------------------------- train gcn

#[test]
fn planetoid_with_an_absurd_dims_header_is_refused() {
    let d = tmp("planetoid-dims");
    // 6 x 1e14 values cannot be held at all; 6 x 1e8 can, but the first weight matrix
    // [1e8, 16] is over every device's binding limit.
    for (name, dims, needle) in [
        ("huge", "100000000000000", "dims"),
        ("big", "100000000", "over this device's limit"),
    ] {
        let data = d.join(name);
        planetoid(&data, &format!("# {dims} dims\n{NODES}"), EDGES, SPLIT);
        let out = run_for(
            &[
                "train",
                "gcn",
                "--data",
                s(&data),
                "--epochs",
                "1",
                "--out",
                s(&d.join("o")),
            ],
            &[],
            30,
        );
        fails_with(&out, &[needle]);
    }
}

#[test]
fn planetoid_node_in_two_splits_is_refused() {
    let d = tmp("planetoid-overlap");
    planetoid(
        &d.join("data"),
        NODES,
        EDGES,
        "train 0 1\nval 2 3\ntest 4 1\n",
    );
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&d.join("data")),
        "--epochs",
        "1",
        "--out",
        s(&d.join("o")),
    ]);
    fails_with(&out, &["g.split.txt", "node 1", "train", "test"]);
}

#[test]
fn graph_data_with_one_class_is_refused() {
    let d = tmp("one-class");
    planetoid(
        &d.join("planetoid"),
        "0 0 1 0\n1 0 1 1\n2 0 1 2\n3 0 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2 3\n",
    );
    // Every labelled node in class 1: two class indices, but one class.
    planetoid(
        &d.join("planetoid-ones"),
        "0 1 1 0\n1 1 1 1\n2 1 1 2\n3 1 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2 3\n",
    );
    tu(&d.join("tu"), &[1, 1, 1, 1, 1, 1]);
    let o = d.join("o");
    for (data, flags) in [
        ("planetoid", &[][..]),
        ("planetoid-ones", &[][..]),
        ("tu", &["--folds", "2"][..]),
    ] {
        let data = d.join(data);
        let mut a = vec![
            "train",
            "gcn",
            "--data",
            s(&data),
            "--epochs",
            "1",
            "--out",
            s(&o),
        ];
        a.extend_from_slice(flags);
        let out = run(&a);
        fails_with(&out, &["one class", "at least two"]);
    }
}

#[test]
fn gcn_zero_epochs_or_batch_size_are_refused() {
    let d = tmp("gcn-zero");
    tu(&d.join("tu"), &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    for (flag, needle) in [("--epochs", "--epochs"), ("--batch-size", "--batch-size")] {
        let out = run(&[
            "train",
            "gcn",
            "--data",
            s(&d.join("tu")),
            "--folds",
            "2",
            flag,
            "0",
            "--out",
            s(&d.join("o")),
        ]);
        fails_with(&out, &[needle, "at least 1"]);
    }
}

// ---------------------------------------------------------------- spiking network

#[test]
fn snn_config_overflow_tiny_dt_and_nan_threshold_are_refused() {
    let d = tmp("snn-config");
    let base = small_snn_config();
    for (name, from, to, needle) in [
        (
            "stride",
            "stride = 1",
            "stride = 9223372036854775807",
            "window 11 with stride",
        ),
        ("dt", "dt_ms = 0.5", "dt_ms = 1e-300", "steps"),
        (
            "theta",
            "theta_init = 20.0",
            "theta_init = nan",
            "exc.theta_init",
        ),
    ] {
        assert!(base.contains(from));
        let cfg = d.join(format!("{name}.toml"));
        write(&cfg, base.replacen(from, to, 1));
        let out = run(&[
            "simulate",
            "--config",
            s(&cfg),
            "--record",
            s(&d.join("r.csv")),
        ]);
        fails_with(&out, &["config error", needle]);
    }
}

#[test]
fn snn_over_the_device_limit_is_refused_not_an_abort() {
    let d = tmp("snn-size");
    let cfg = small_snn_config()
        .replace("inputs_per_modality = 20", "inputs_per_modality = 10000000")
        .replace("neurons_per_modality = 10", "neurons_per_modality = 100")
        .replace("window = 11", "window = 0")
        .replace("stride = 1", "stride = 0");
    let p = d.join("big.toml");
    write(&p, cfg);
    let out = run(&[
        "simulate",
        "--config",
        s(&p),
        "--duration-ms",
        "1",
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["input weights", "over this device's limit"]);
    digits_gz(&d.join("digits.csv.gz"), 6);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&d.join("digits.csv.gz")),
        "--neurons",
        "100000000",
        "--out",
        s(&d.join("o")),
    ]);
    fails_with(&out, &["input weights", "over this device's limit"]);
}

#[test]
fn simulate_duration_beyond_the_step_counter_or_below_one_step_is_refused() {
    let d = tmp("snn-duration");
    let cfg = d.join("small.toml");
    write(&cfg, small_snn_config());
    let out = run_for(
        &[
            "simulate",
            "--config",
            s(&cfg),
            "--duration-ms",
            "1e11",
            "--record",
            s(&d.join("r.csv")),
        ],
        &[],
        30,
    );
    fails_with(&out, &["--duration-ms", "steps"]);
    let out = run(&[
        "simulate",
        "--config",
        s(&cfg),
        "--duration-ms",
        "0.1",
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["--duration-ms", "shorter than one step"]);
}

#[test]
fn stdp_bad_numbers_and_a_contradicting_config_are_refused() {
    let d = tmp("stdp");
    let data = d.join("digits.csv.gz");
    digits_gz(&data, 8);
    let out_dir = d.join("o");
    for (flag, value, needle) in [
        ("--epochs", "0", "--epochs must be at least 1"),
        ("--batch", "0", "--batch must be at least 1"),
        ("--train-limit", "0", "--train-limit must be at least 1"),
        ("--limit", "1", "--limit must be at least 2"),
    ] {
        let out = run(&[
            "train",
            "stdp",
            "--data",
            s(&data),
            "--neurons",
            "4",
            flag,
            value,
            "--out",
            s(&out_dir),
        ]);
        fails_with(&out, &[needle]);
    }
    // One image cannot be split into training and test images.
    let one = d.join("one.csv.gz");
    digits_gz(&one, 1);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&one),
        "--neurons",
        "4",
        "--out",
        s(&out_dir),
    ]);
    fails_with(&out, &["1 image(s)", "need at least 2"]);
    // 64 inputs and 10 neurons in the config, 4 asked for on the command line.
    let cfg = small_snn_config()
        .replace("modalities = 2", "modalities = 1")
        .replace("inputs_per_modality = 20", "inputs_per_modality = 64")
        .replace("window = 11", "window = 0")
        .replace("stride = 1", "stride = 0")
        .replace("    0.0,\n    5.0,\n", "    0.0,\n");
    let p = d.join("digits10.toml");
    write(&p, cfg);
    let out = run(&[
        "train",
        "stdp",
        "--data",
        s(&data),
        "--neurons",
        "4",
        "--config",
        s(&p),
        "--limit",
        "4",
        "--out",
        s(&out_dir),
    ]);
    fails_with(&out, &["--neurons 4", "10 excitatory neurons"]);
}

// ---------------------------------------------------------------- train synchgraph

/// Free Spoken Digit style clips: `<digit>_x_<n>.wav` at 8 kHz.
fn digit_clips(dir: &Path, digits: &[u32], per: usize) {
    for &g in digits {
        for k in 0..per {
            let w = wav_bytes(
                1,
                8000,
                &tone(2400, 10.0 + g as f64 * 7.0, (g * 10) as u64 + k as u64),
            );
            write(&dir.join(format!("{g}_x_{k}.wav")), w);
        }
    }
}

#[test]
fn negative_numbers_reach_the_value_checks() {
    // clap reads "-1" after a flag as another flag unless the argument allows negative
    // numbers; every float option does, so a negative value gets the option's own check.
    let d = tmp("negative");
    let clips = d.join("clips");
    digit_clips(&clips, &[0, 1], 3);
    let feats = d.join("feats");
    let good = npy_bytes(&matrix(6, 3, 1));
    features_layout(&feats, "npy", &good, &good);
    let digits = d.join("digits.csv.gz");
    digits_gz(&digits, 12);
    let config = d.join("small.toml");
    write(&config, small_snn_config());
    let (o, record) = (d.join("o"), d.join("r.csv"));
    let (clips, feats, digits, config, o, record) = (
        s(&clips),
        s(&feats),
        s(&digits),
        s(&config),
        s(&o),
        s(&record),
    );
    let lgrin = [
        "train", "lgrin", "--data", feats, "--folds", "2", "--out", o,
    ];
    let synch = ["train", "synchgraph", "--audio", clips, "--out", o];
    let stdp = ["train", "stdp", "--data", digits, "--out", o];
    let simulate = ["simulate", "--config", config, "--record", record];
    let cases: [(&[&str], &str, &str, &str); 9] = [
        (
            &lgrin,
            "--lr",
            "-0.5",
            "lr must be a positive finite number",
        ),
        (
            &lgrin,
            "--val-fraction",
            "-0.1",
            "val_fraction must be in [0, 0.9)",
        ),
        (
            &synch,
            "--window-ms",
            "-1",
            "synchrony window must be a finite number",
        ),
        (
            &synch,
            "--w-cross",
            "-1",
            "--w-cross must be a finite weight >= 0, got -1",
        ),
        (&synch, "--lr", "-1", "lr -1 > 0"),
        (
            &synch,
            "--dropout",
            "-0.5",
            "GCN dropout -0.5 must be in [0, 1)",
        ),
        (
            &stdp,
            "--test-fraction",
            "-0.3",
            "--test-fraction must be in (0, 1)",
        ),
        (&simulate, "--intensity", "-5", "rate -1.25 Hz outside"),
        (
            &simulate,
            "--duration-ms",
            "-5",
            "--duration-ms must be a positive number of ms",
        ),
    ];
    for (command, flag, value, needle) in cases {
        let mut args = command.to_vec();
        args.extend_from_slice(&[flag, value]);
        fails_with(&run(&args), &[needle]);
    }
}

#[test]
fn synchgraph_bad_numbers_names_and_one_class_are_refused_early() {
    let d = tmp("synchgraph");
    let ok = d.join("ok");
    digit_clips(&ok, &[0, 1], 3);
    let o = d.join("o");
    for (flag, value, needle) in [
        ("--epochs", "0", "--epochs must be at least 1"),
        ("--batch", "0", "--batch must be at least 1"),
        ("--w-cross", "NaN", "--w-cross"),
        // Audio only: there is no cross-modal link to weigh.
        ("--w-cross", "2", "--w-cross joins the two modalities"),
        // The GCN's settings are checked before any clip is simulated.
        ("--hidden", "0", "hidden width from 1 to"),
        ("--hidden", "4611686018427387904", "hidden width from 1 to"),
        ("--lr", "0", "lr 0 > 0"),
    ] {
        let out = run(&[
            "train",
            "synchgraph",
            "--audio",
            s(&ok),
            flag,
            value,
            "--out",
            s(&o),
        ]);
        fails_with(&out, &[needle]);
    }
    let one = d.join("one");
    digit_clips(&one, &[4], 6);
    let out = run(&[
        "train",
        "synchgraph",
        "--audio",
        s(&one),
        "--epochs",
        "1",
        "--out",
        s(&o),
    ]);
    fails_with(&out, &["one class", "at least two"]);
    // Names that follow neither scheme used to be labelled by their 6th character.
    let names = d.join("names");
    for (k, name) in [
        "take_a1", "take_b1", "take_a2", "take_b2", "take_a3", "take_b3",
    ]
    .iter()
    .enumerate()
    {
        write(
            &names.join(format!("{name}.wav")),
            wav_bytes(1, 8000, &tone(2400, 12.0, k as u64)),
        );
    }
    let out = run(&[
        "train",
        "synchgraph",
        "--audio",
        s(&names),
        "--epochs",
        "1",
        "--out",
        s(&o),
    ]);
    fails_with(&out, &["take_a1.wav", "EmoDB"]);
}

// ---------------------------------------------------------------- train lgrin, eval, predict

#[test]
fn lgrin_bad_numbers_are_refused_before_training() {
    let d = tmp("lgrin-numbers");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let o = d.join("o");
    for (extra, needle) in [
        (
            &["--folds", "2", "--epochs", "0"][..],
            "epochs must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--lr", "inf"][..],
            "lr must be a positive finite",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--lr-step", "0"][..],
            "lr_step must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--limit", "0"][..],
            "--limit must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--nodes", "1"][..],
            "nodes must be at least 2",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--threads", "0"][..],
            "--threads must be at least 1",
        ),
        (
            &[
                "--folds",
                "2",
                "--epochs",
                "1",
                "--model",
                "gcn-baseline",
                "--fixed-p",
            ][..],
            "the GCN baseline has none of those parts",
        ),
        (
            &[
                "--folds",
                "2",
                "--epochs",
                "1",
                "--model",
                "gcn-baseline",
                "--no-inception",
            ][..],
            "the GCN baseline has none of those parts",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--hidden", "0"][..],
            "hidden must be at least 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--dropout", "1"][..],
            "dropout must be in [0, 1), got 1",
        ),
        (
            &["--folds", "2", "--epochs", "1", "--dropout", "-0.1"][..],
            "dropout must be in [0, 1), got -0.1",
        ),
    ] {
        let out = run(&lgrin_args(s(&data), s(&o), extra));
        fails_with(&out, &[needle]);
        assert!(!o.join("metrics.json").exists(), "{extra:?} wrote metrics");
    }
    // The settings are checked before the clips are read: a bad setting is named even when a
    // clip is broken, and no output folder is made.
    let broken = d.join("broken");
    std::fs::create_dir_all(broken.join("a")).unwrap();
    std::fs::create_dir_all(broken.join("b")).unwrap();
    std::fs::write(broken.join("a/x.npy"), b"not an npy file").unwrap();
    std::fs::write(broken.join("b/y.npy"), b"not an npy file").unwrap();
    let o2 = d.join("o2");
    let out = run(&lgrin_args(
        s(&broken),
        s(&o2),
        &["--folds", "2", "--epochs", "0"],
    ));
    fails_with(&out, &["epochs must be at least 1"]);
    assert!(!o2.exists());
}

#[test]
fn lgrin_classifier_width_and_dropout_are_applied() {
    // The classifier is Linear(pooled, hidden) + PReLU(hidden) + Linear(hidden, classes), so each
    // unit of hidden width holds pooled + 1 (bias) + 1 (PReLU) + classes parameters. Here 4
    // features give a final width of 4 + 2 x (128 + 64) = 388 and pooled = 3 x 388 = 1164.
    let d = tmp("lgrin-head");
    let data = d.join("data");
    npy_dataset(&data, 3, 4);
    let config = |o: &Path, extra: &[&str]| {
        let mut a = vec!["--folds", "3", "--epochs", "1"];
        a.extend_from_slice(extra);
        let out = run(&lgrin_args(s(&data), s(o), &a));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(o.join("metrics.json")).unwrap())
                .unwrap();
        let c = &m["config"];
        (
            m["parameters"].as_u64().unwrap(),
            c["hidden"].as_u64().unwrap(),
            c["dropout"].as_f64().unwrap(),
        )
    };
    let (default_params, hidden, dropout) = config(&d.join("default"), &[]);
    assert_eq!((hidden, dropout), (512, 0.5));
    let (params, hidden, dropout) =
        config(&d.join("small"), &["--hidden", "16", "--dropout", "0.25"]);
    assert_eq!((hidden, dropout), (16, 0.25));
    assert_eq!(default_params - params, (512 - 16) * (1164 + 1 + 1 + 2));
}

#[test]
fn lgrin_training_on_one_class_names_it() {
    let d = tmp("lgrin-one-class");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    std::fs::remove_dir_all(data.join("b")).unwrap();
    let o = d.join("o");
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--folds", "2", "--epochs", "1"],
    ));
    fails_with(&out, &["holds 1 class (a)", "training needs at least 2"]);
    // Extracting the features of one class is fine.
    let out = features_run(&data, &d.join("f"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn lgrin_contradicting_split_flags_are_refused() {
    let d = tmp("lgrin-split");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let o = d.join("o");
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--folds", "2", "--epochs", "1", "--test-speakers", "03"],
    ));
    fails_with(&out, &["--test-speakers", "--folds"]);
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &["--split", "loso", "--epochs", "1"],
    ));
    fails_with(&out, &["names no speakers"]);
    // Both choose the validation clips: one would be ignored.
    let out = run(&lgrin_args(
        s(&data),
        s(&o),
        &[
            "--folds",
            "2",
            "--epochs",
            "1",
            "--val-fraction",
            "0.3",
            "--val-speakers",
            "03",
        ],
    ));
    fails_with(
        &out,
        &["--val-fraction", "cannot be used with", "--val-speakers"],
    );
}

#[test]
fn saved_model_with_inconsistent_metadata_is_refused() {
    let d = tmp("model-meta");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let model = d.join("model");
    let out = run(&lgrin_args(
        s(&data),
        s(&model),
        &["--folds", "2", "--epochs", "1"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = model.join("model.safetensors");
    let original = Checkpoint::load(&path).unwrap();
    let clip = data.join("a/clip0.npy");
    // Each broken checkpoint is saved as the model of its own folder.
    let saved = |name: &str, ck: &Checkpoint| {
        let dir = d.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        ck.save(&dir.join("model.safetensors")).unwrap();
        dir
    };
    let edit = |name: &str, key: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut ck = original.clone();
        let mut v: serde_json::Value = serde_json::from_str(&ck.metadata[key]).unwrap();
        f(&mut v);
        ck.set_meta(key, v.to_string());
        saved(name, &ck)
    };
    // A corrupted weight: refused by name, not a prediction of class 0 with NaN probabilities.
    let mut nan = original.clone();
    nan.tensors.get_mut("classifier1.weight").unwrap().data[3] = f32::NAN;
    // A negative batch-norm variance: refused, not NaN probabilities read as class 0.
    let mut negvar = original.clone();
    negvar.tensors.get_mut("input_bn.running_var").unwrap().data[0] = -1.0;
    // Tensors and metadata that disagree: an extra tensor, a missing one, a wrong name list.
    let mut extra = original.clone();
    extra.insert("bogus.weight", &[2], vec![0.5, 0.5]).unwrap();
    let mut missing = original.clone();
    missing.tensors.remove("psi_p");
    let mut listed = original.clone();
    listed.set_meta("tensor_names", "[\"nothing\"]");
    // A tensor of the right name and the wrong shape.
    let mut shape = original.clone();
    let p = shape.tensors.get_mut("psi_p").unwrap();
    p.shape = vec![1, p.data.len()];
    // A checkpoint of another command's model.
    let mut gcn = Checkpoint::new();
    gcn.set_meta("model", "gcn-graph");
    for (dir, needle) in [
        (
            edit("nodes", "features", &|v| v["nodes"] = 12.into()),
            "12 nodes",
        ),
        (
            edit("dims", "features", &|v| v["dims"] = 20.into()),
            "20 features",
        ),
        (
            edit("kind", "features", &|v| v["kind"] = "foo".into()),
            "unknown feature kind 'foo'",
        ),
        (
            edit("classes", "classes", &|v| v[1] = v[0].clone()),
            "named twice",
        ),
        (
            saved("nan", &nan),
            "tensor 'classifier1.weight' holds a NaN",
        ),
        (saved("gcn", &gcn), "'gcn-graph' model, not an L-GrIN model"),
        (
            saved("negvar", &negvar),
            "tensor 'input_bn.running_var' holds a negative variance",
        ),
        (
            saved("extra", &extra),
            "the file names a tensor 'bogus.weight' that the model does not have",
        ),
        (
            saved("missing", &missing),
            "the file lacks the model's tensor 'psi_p'",
        ),
        (
            saved("listed", &listed),
            "its 'tensor_names' names a tensor 'nothing'",
        ),
        (saved("shape", &shape), "psi_p"),
        (
            edit("window", "features", &|v| {
                v["window_seconds"] = (-1.0).into()
            }),
            "-1 s windows",
        ),
        (
            edit("nclasses", "classes", &|v| {
                v.as_array_mut().unwrap().push("c".into())
            }),
            "3 class names for a 2-class model",
        ),
        // A configuration far larger than the file: refused by its count before the model is
        // built (a million layers would otherwise be allocated until memory runs out).
        (
            edit("layers", "config", &|v| v["layers"] = 1_000_000.into()),
            "more than twice the",
        ),
        (
            edit("widths", "config", &|v| v["g1"] = (u64::MAX / 8).into()),
            "more than usize::MAX trainable values",
        ),
    ] {
        let out = run(&["predict", "--model", s(&dir), s(&clip)]);
        fails_with(&out, &["model.safetensors", needle]);
    }
    // Evaluating into the model folder would overwrite the training metrics.
    let before = std::fs::read(model.join("metrics.json")).unwrap();
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        s(&model),
    ]);
    fails_with(&out, &["--out", "is the --model folder"]);
    assert_eq!(std::fs::read(model.join("metrics.json")).unwrap(), before);
    // Nor into another trained model's folder.
    let other = d.join("nan");
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        s(&other),
    ]);
    fails_with(&out, &["--out", "holds a trained model"]);
    // Features far outside the trained range give non-finite probabilities: refused by clip,
    // not read as a confident first class (eval once reported 100 % on such clips).
    let huge = d.join("huge");
    write(
        &huge.join("a/clip0.npy"),
        npy_bytes(&FrameMatrix {
            rows: 20,
            cols: 4,
            data: vec![3e38; 80],
        }),
    );
    write(&huge.join("b/clip0.npy"), npy_bytes(&matrix(20, 4, 3)));
    let out = run(&[
        "predict",
        "--model",
        s(&model),
        s(&huge.join("a/clip0.npy")),
    ]);
    fails_with(&out, &["clip 0", "not finite"]);
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&huge),
        "--out",
        s(&d.join("huge-eval")),
    ]);
    fails_with(&out, &["not finite"]);
}

#[test]
fn features_written_over_their_own_data_folder_are_refused() {
    let d = tmp("features-self");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let before = std::fs::read(data.join("a/clip0.npy")).unwrap();
    let out = features_run(&data, &data, &[]);
    fails_with(&out, &["--out", "is the --data folder"]);
    assert_eq!(std::fs::read(data.join("a/clip0.npy")).unwrap(), before);
}

// ---------------------------------------------------------------- messages

#[test]
fn io_errors_are_reported_once() {
    let d = tmp("io");
    let out = run(&[
        "simulate",
        "--config",
        s(&d.join("missing.toml")),
        "--record",
        s(&d.join("r.csv")),
    ]);
    fails_with(&out, &["missing.toml", "No such file or directory"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn an_unknown_backend_is_named() {
    let out = run_for(&["devices"], &[("WGPU_BACKEND", "bogus")], 60);
    fails_with(&out, &["WGPU_BACKEND", "'bogus'", "vulkan"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Backends(0x0)"));
}

#[test]
fn demo_of_zero_elements_is_refused() {
    let out = run(&["demo", "--size", "0"]);
    fails_with(&out, &["--size must be at least 1"]);
}

#[test]
fn output_paths_are_checked_before_the_work() {
    // A data folder whose second clip is broken: an output path that cannot be written must be
    // named before any clip is read (it used to fail only after the extraction, or, for
    // `simulate --record`, after the whole simulation).
    let d = tmp("out-paths");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    write(&data.join("a/clip1.npy"), b"not a npy file");
    let file = d.join("a-file");
    write(&file, b"x");
    let lgrin = lgrin_args(s(&data), s(&file), &["--folds", "2", "--epochs", "1"]);
    let features = ["features", "--data", s(&data), "--out", s(&file)];
    for args in [&lgrin[..], &features[..]] {
        let out = run(args);
        fails_with(&out, &["--out", "a-file"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("clip1.npy"),
            "{args:?}: the data was read first: {err}"
        );
    }
    let config = d.join("small.toml");
    write(&config, small_snn_config());
    let simulate = |record: &Path| {
        run(&[
            "simulate",
            "--config",
            s(&config),
            "--record",
            s(record),
            "--duration-ms",
            "5",
        ])
    };
    fails_with(&simulate(&d), &["--record", "is a folder"]);
    let bench = run(&["bench", "--quick", "--filter", "relu", "--json", s(&d)]);
    fails_with(&bench, &["--json", "is a folder"]);
    // A record in a folder that does not exist yet is written there.
    let nested = d.join("new/folder/r.csv");
    let out = simulate(&nested);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(nested.is_file());
}

#[test]
fn a_fold_count_the_data_cannot_take_names_the_flag() {
    // MUTAG has 188 graphs: 1 fold and 189 folds cannot be made, and the error says which flag.
    let d = tmp("gcn-folds");
    let mutag = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");
    for folds in ["1", "189"] {
        let out = run(&[
            "train",
            "gcn",
            "--data",
            mutag,
            "--folds",
            folds,
            "--epochs",
            "1",
            "--out",
            s(&d.join("o")),
        ]);
        fails_with(&out, &[&format!("--folds {folds}"), "k-fold"]);
    }
}
