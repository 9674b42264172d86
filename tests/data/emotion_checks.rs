//! Emotion data sets that used to be read wrongly without a word: a RAVDESS `Actor_NN/` layout
//! with one badly named WAV (read as a folder per class), EmoDB or RAVDESS clips found twice
//! (a `backup/` copy), two clips exported to one `.npy` file, a speaker split whose test speakers
//! hold a class no training clip has, and feature CSVs whose first row was guessed to be a
//! header (or whose pandas header was read as data).

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{fails_with, lgrin_args, matrix, run_for, s, scratch, succeeds, write};
use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};
use synchgraph::data::emotion_features::{npy_bytes, read_csv_matrix};
use synchgraph::Error;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    scratch("emotion-checks", name)
}

/// Empty files at `names` under `dir` (the clip lists read names, not contents).
fn touch_all(dir: &Path, names: &[&str]) {
    for n in names {
        write(&dir.join(n), b"");
    }
}

/// A small `.npy` clip of 20 frames x 4 features at `dir/name`.
fn npy_clip(dir: &Path, name: &str, seed: usize) {
    write(&dir.join(name), npy_bytes(&matrix(20, 4, seed)));
}

// ---------------------------------------------------------------- RAVDESS actor folders

#[test]
fn ravdess_actor_folder_with_a_badly_named_wav_is_an_error_not_classes() {
    let d = tmp("rav-actors");
    touch_all(
        &d,
        &[
            "Actor_01/03-01-05-01-01-01-01.wav",
            "Actor_01/03-01-03-01-01-01-01.wav",
            "Actor_02/03-01-05-01-01-01-02.wav",
            "Actor_02/03-01-03-01-01-01-02.wav",
        ],
    );
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Ravdess);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.classes, ["happy", "angry"]);
    assert_eq!(list.speakers(), ["01", "02"]);

    // A Windows duplicate: detection names it, exactly as `--format ravdess` does, instead of
    // reading the actors as two classes.
    let bad = "03-01-05-01-01-01-02 (1).wav";
    touch_all(&d, &[&format!("Actor_02/{bad}")]);
    let detected = detect_format(&d).unwrap_err();
    let loaded = load_clips(&d, None).unwrap_err();
    let forced = load_clips(&d, Some(DatasetFormat::Ravdess)).unwrap_err();
    for e in [&detected, &loaded, &forced] {
        assert!(matches!(e, Error::Data { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains(bad) && text.contains("not a RAVDESS file name"),
            "{text}"
        );
    }
    assert_eq!(detected.to_string(), forced.to_string());

    // Folders that do not all name actors are still classes, and so are actor folders none of
    // whose names is coded.
    let f = tmp("rav-not-actors");
    touch_all(&f, &["Actor_01/a.wav", "happy/b.wav"]);
    assert_eq!(detect_format(&f).unwrap(), DatasetFormat::Folder);
    assert_eq!(load_clips(&f, None).unwrap().classes, ["Actor_01", "happy"]);
    let g = tmp("rav-uncoded-actors");
    touch_all(&g, &["Actor_01/a.wav", "Actor_02/b.wav"]);
    assert_eq!(detect_format(&g).unwrap(), DatasetFormat::Folder);
}

// ---------------------------------------------------------------- clips found twice

#[test]
fn emodb_clips_with_a_backup_copy_are_refused_naming_both() {
    let d = tmp("emodb-dup");
    touch_all(
        &d,
        &["03a01Fa.wav", "03a01Wa.wav", "08a01Fa.wav", "08a01Wa.wav"],
    );
    assert_eq!(load_clips(&d, None).unwrap().clips.len(), 4);
    touch_all(&d, &["backup/03a01Fa.wav"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Emodb);
    for format in [None, Some(DatasetFormat::Emodb)] {
        let e = load_clips(&d, format).unwrap_err();
        assert!(matches!(e, Error::Data { .. }), "{e}");
        let text = e.to_string();
        let first = d.join("03a01Fa.wav");
        let copy = d.join("backup/03a01Fa.wav");
        assert!(
            text.contains(&first.display().to_string())
                && text.contains(&copy.display().to_string()),
            "{text}"
        );
    }
    // A different extension case is the same clip.
    let c = tmp("emodb-dup-case");
    touch_all(&c, &["03a01Fa.wav", "03a01Wa.wav", "sub/03a01Wa.WAV"]);
    let e = load_clips(&c, None).unwrap_err().to_string();
    assert!(
        e.contains("03a01Wa.WAV") && e.contains("03a01Wa.wav"),
        "{e}"
    );
}

#[test]
fn ravdess_clips_found_twice_are_refused_naming_both() {
    let d = tmp("rav-dup");
    touch_all(
        &d,
        &[
            "Actor_01/03-01-05-01-01-01-01.wav",
            "Actor_02/03-01-05-01-01-01-02.wav",
            "Actor_03/03-01-05-01-01-01-01.wav",
        ],
    );
    let e = load_clips(&d, None).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("Actor_01") && text.contains("Actor_03"),
        "{text}"
    );
    // Flat RAVDESS with a copy one folder down.
    let f = tmp("rav-dup-flat");
    touch_all(
        &f,
        &[
            "03-01-05-01-01-01-01.wav",
            "03-01-03-01-01-01-02.wav",
            "old/03-01-03-01-01-01-02.wav",
        ],
    );
    let e = load_clips(&f, Some(DatasetFormat::Ravdess))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("old") && e.contains("03-01-03-01-01-01-02"),
        "{e}"
    );
}

// ---------------------------------------------------------------- features export

#[test]
fn features_export_refuses_two_clips_with_one_output_file() {
    let d = tmp("export-collision");
    let data = d.join("data");
    let csv: String = (0..20)
        .map(|r| format!("{},{},{},{}\n", r, r + 1, r * 2, r % 3))
        .collect();
    write(&data.join("a/x.csv"), &csv);
    npy_clip(&data, "a/x.npy", 1);
    npy_clip(&data, "b/y.npy", 2);
    let out = d.join("out");
    let run = |out: &Path| {
        run_for(
            &[
                "features",
                "--data",
                s(&data),
                "--out",
                s(out),
                "--nodes",
                "4",
            ],
            &[],
            60,
        )
    };
    let r = run(&out);
    // The clip list itself refuses one clip name in two files (it would count twice).
    fails_with(&r, &["a/x.csv", "a/x.npy", "count twice"]);
    // Nothing was written, not even the folder.
    assert!(!out.exists(), "{} was created", out.display());

    // With distinct names every clip gets its own file and the count is right.
    std::fs::rename(data.join("a/x.csv"), data.join("a/x_csv.csv")).unwrap();
    let r = run(&out);
    succeeds(&r, "features");
    assert!(String::from_utf8_lossy(&r.stdout).contains("wrote 3 clips"));
    for f in ["a/x.npy", "a/x_csv.npy", "b/y.npy"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let index = std::fs::read_to_string(out.join("clips.csv")).unwrap();
    assert_eq!(index.lines().count(), 4, "{index}");
}

// ---------------------------------------------------------------- speaker splits

/// A features layout of coded EmoDB names: anger and happiness from speakers 03 and 08,
/// sadness from speaker 08 only.
fn sadness_only_from_08(dir: &Path) {
    for (k, f) in [
        "anger/03a01Wa.npy",
        "anger/08a01Wc.npy",
        "happiness/03a01Fa.npy",
        "happiness/08a01Fb.npy",
        "sadness/08a02Ta.npy",
        "sadness/08a04Tb.npy",
    ]
    .iter()
    .enumerate()
    {
        npy_clip(dir, f, k);
    }
}

#[test]
fn speaker_split_without_a_training_clip_of_a_test_class_is_refused() {
    let d = tmp("split-class");
    let data = d.join("data");
    sadness_only_from_08(&data);
    let list = load_clips(&data, None).unwrap();
    assert_eq!(list.speakers(), ["03", "08"]);
    let e = list.speaker_split(&["08".to_string()]).unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("'sadness'") && text.contains("test speakers 08"),
        "{text}"
    );
    assert!(!text.contains("'anger'"), "{text}");
    // Speaker folds (and so --split loso) check each fold alike.
    let e = list
        .speaker_folds(&[vec!["03".to_string()], vec!["08".to_string()]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'sadness'"), "{e}");
    // Testing on 03 is fine: every class of its clips trains on 08.
    let (train, test) = list.speaker_split(&["03".to_string()]).unwrap();
    assert_eq!((train.len(), test.len()), (4, 2));

    // The command says so before any training.
    let out = d.join("out");
    let r = run_for(
        &lgrin_args(
            s(&data),
            s(&out),
            &[
                "--split",
                "speaker",
                "--test-speakers",
                "08",
                "--epochs",
                "1",
            ],
        ),
        &[],
        120,
    );
    fails_with(&r, &["'sadness'", "test speakers 08", "no training clip"]);
}

#[test]
fn bundled_emodb_example_split_trains_every_test_class() {
    // README's first command: train on speakers 03 and 13, test on 14.
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/examples/emodb"
    ));
    let list = load_clips(dir, None).unwrap();
    let (train, test) = list.speaker_split(&["14".to_string()]).unwrap();
    assert_eq!(train.len() + test.len(), list.clips.len());
}

// ---------------------------------------------------------------- CSV headers

/// `text` written to `dir/name` and read as a feature matrix.
fn csv(dir: &Path, name: &str, text: &str) -> synchgraph::Result<(usize, usize, Vec<f32>)> {
    let p = dir.join(name);
    write(&p, text);
    read_csv_matrix(&p).map(|m| (m.rows, m.cols, m.data))
}

/// Assert a parse error on `line` whose message holds every needle.
fn parse_error(r: synchgraph::Result<(usize, usize, Vec<f32>)>, line: usize, needles: &[&str]) {
    let e = r.unwrap_err();
    assert!(
        matches!(&e, Error::Parse { line: l, .. } if *l == line),
        "expected a parse error on line {line}: {e}"
    );
    let text = e.to_string();
    for n in needles {
        assert!(text.contains(n), "'{n}' missing from: {text}");
    }
}

#[test]
fn csv_first_row_with_a_typo_or_stray_comma_is_an_error_not_a_header() {
    let d = tmp("csv-typo");
    parse_error(csv(&d, "comma.csv", "1,2,\n3,4\n5,6\n"), 1, &["''"]);
    parse_error(csv(&d, "typo.csv", "1,2x\n3,4\n5,6\n"), 1, &["'2x'"]);
    // A later row with a typo was always an error; it still is.
    parse_error(csv(&d, "later.csv", "1,2\n3,4x\n"), 2, &["not a number"]);
    // Real headers are still skipped, also after a byte-order mark or blank lines.
    let two = (2, 2, vec![1.0, 2.0, 3.0, 4.0]);
    for (name, text) in [
        ("named.csv", "f0,f1\n1,2\n3,4\n"),
        ("bom.csv", "\u{feff}f0,f1\n1,2\n3,4\n"),
        ("blank.csv", "\n\nf0,f1\n1,2\n3,4\n"),
        ("plain.csv", "1,2\n3,4\n"),
        ("bom-plain.csv", "\u{feff}1,2\n3,4\n"),
    ] {
        assert_eq!(csv(&d, name, text).unwrap(), two, "{name}");
    }
}

#[test]
fn csv_header_and_rows_of_other_widths_are_an_error() {
    let d = tmp("csv-header-width");
    parse_error(
        csv(&d, "narrow.csv", "f0,f1,f2\n1,2\n3,4\n"),
        2,
        &["2 values", "header names 3 columns"],
    );
    parse_error(
        csv(&d, "wide.csv", "f0,f1\n1,2,3\n"),
        2,
        &["3 values", "header names 2 columns"],
    );
}

#[test]
fn csv_pandas_headers_are_read_as_pandas_wrote_them() {
    let d = tmp("csv-pandas");
    // df.to_csv(index=False) of an unnamed frame: the header 0..D-1 is not a frame.
    assert_eq!(
        csv(&d, "default.csv", "0,1,2\n5,6,7\n8,9,10\n").unwrap(),
        (2, 3, vec![5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    );
    // Integers that are not 0..D-1 in order are data.
    assert_eq!(
        csv(&d, "data.csv", "0,2\n5,6\n").unwrap(),
        (2, 2, vec![0.0, 2.0, 5.0, 6.0])
    );
    assert_eq!(
        csv(&d, "floats.csv", "0.0,1.0\n5,6\n").unwrap(),
        (2, 2, vec![0.0, 1.0, 5.0, 6.0])
    );
    // One column: a first 0 is a feature value, not a column name.
    assert_eq!(
        csv(&d, "one-column.csv", "0\n5\n").unwrap(),
        (2, 1, vec![0.0, 5.0])
    );
    // df.to_csv() with its index: the row number would become feature 0.
    for (name, text) in [
        ("index.csv", ",0,1\n0,5,6\n1,7,8\n"),
        ("index-named.csv", ",f0,f1\n0,5,6\n1,7,8\n"),
        ("index-bom.csv", "\u{feff},0,1\n0,5,6\n"),
    ] {
        parse_error(csv(&d, name, text), 1, &["index=False"]);
    }
}

#[test]
fn landmark_csvs_are_still_detected_by_their_header() {
    let d = tmp("landmarks");
    let mut header = vec!["frame".to_string()];
    for i in 0..68 {
        header.push(format!("x{i}"));
        header.push(format!("y{i}"));
    }
    let row = |f: usize| {
        let mut r = vec![f.to_string()];
        for i in 0..68 {
            r.push(format!("{}", 100.0 + (i as f32 * 0.3).cos() * 30.0));
            r.push(format!(
                "{}",
                100.0 + (i as f32 * 0.7).sin() * 30.0 + f as f32
            ));
        }
        r.join(",")
    };
    let text = format!("\u{feff}{}\n{}\n{}\n", header.join(","), row(0), row(1));
    write(&d.join("happy/a.csv"), &text);
    write(&d.join("sad/b.csv"), &text);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Landmarks);
    // Read as plain features, the header is skipped and the frame column kept.
    let (rows, cols, _) = csv(&d, "as-features.csv", &text).unwrap();
    assert_eq!((rows, cols), (2, 137));
}
