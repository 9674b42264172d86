//! Emotion data-set layouts: EmoDB/RAVDESS file-name codes, folder per class, feature files,
//! format detection, splits, and the typed errors for bad layouts and bad feature files.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{
    detect_format, load_clips, speaker_from_name, speakers_from_names, DatasetFormat,
};
use synchgraph::data::emotion_features::{
    extract_all, node_features, npy_bytes, read_npy_matrix, FeatureSettings,
};
use synchgraph::data::feature_export::{exported_features, ExportedFeatures};
use synchgraph::data::speaker_norm::FeatureNorm;
use synchgraph::data::split::{stratified_folds, validation_split};
use synchgraph::features::FrameMatrix;
use synchgraph::Error;

const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/emodb/wav");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-emotion-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn touch(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn emodb_is_detected_and_labelled_from_file_names() {
    let dir = Path::new(EMODB);
    assert_eq!(detect_format(dir).unwrap(), DatasetFormat::Emodb);
    let list = load_clips(dir, None).unwrap();
    assert_eq!(list.clips.len(), 408);
    assert_eq!(
        list.classes,
        [
            "anger",
            "boredom",
            "disgust",
            "fear",
            "happiness",
            "sadness",
            "neutral"
        ]
    );
    assert_eq!(
        list.speakers(),
        ["03", "08", "09", "10", "11", "12", "13", "14"]
    );
    let first = &list.clips[0];
    assert!(first.path.ends_with("03a01Fa.wav"));
    assert_eq!(list.classes[first.label], "happiness");
    let test: Vec<String> = vec!["13".into(), "14".into()];
    let (train, te) = list.speaker_split(&test).unwrap();
    assert_eq!(train.len() + te.len(), 408);
    assert!(te
        .iter()
        .all(|&i| test.contains(list.clips[i].speaker.as_ref().unwrap())));
    let e = list.speaker_split(&["99".into()]).unwrap_err().to_string();
    assert!(e.contains("'99'"), "{e}");

    // Whole training speakers held out for validation.
    let (tr, val) = list
        .speaker_validation_split(&train, &["12".to_string()])
        .unwrap();
    assert!(val
        .iter()
        .all(|&i| list.clips[i].speaker.as_deref() == Some("12")));
    assert!(tr
        .iter()
        .all(|&i| list.clips[i].speaker.as_deref() != Some("12")));
    assert_eq!(tr.len() + val.len(), train.len());
    assert!(!val.is_empty());
    let e = list
        .speaker_validation_split(&train, &["13".to_string()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'13' has no training clip"), "{e}");
    let all: Vec<String> = ["03", "08", "09", "10", "11", "12"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let e = list
        .speaker_validation_split(&train, &all)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no training clips"), "{e}");
}

#[test]
fn speaker_folds_test_each_speaker_once() {
    let list = load_clips(Path::new(EMODB), None).unwrap();
    let group = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let groups = vec![
        group(&["03", "08"]),
        group(&["09", "10"]),
        group(&["11", "12"]),
        group(&["13", "14"]),
    ];
    let folds = list.speaker_folds(&groups).unwrap();
    assert_eq!(folds.len(), 4);
    let mut tested = vec![0usize; list.clips.len()];
    for ((train, test), g) in folds.iter().zip(&groups) {
        assert_eq!(train.len() + test.len(), 408);
        let speaker = |i: usize| list.clips[i].speaker.clone().unwrap();
        assert!(test.iter().all(|&i| g.contains(&speaker(i))));
        assert!(train.iter().all(|&i| !g.contains(&speaker(i))));
        for &i in test {
            tested[i] += 1;
        }
    }
    // With the groups covering every speaker, every clip is tested exactly once.
    assert!(tested.iter().all(|&n| n == 1));
    // One group is the plain speaker split.
    let one = list.speaker_folds(&groups[3..]).unwrap();
    assert_eq!(one[0], list.speaker_split(&groups[3]).unwrap());

    let e = list
        .speaker_folds(&[group(&["03", "08"]), group(&["08"])])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'08' is named twice in the test groups"), "{e}");
    // A speaker repeated inside one group is named the same way.
    let e = list
        .speaker_folds(&[group(&["08", "08"])])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'08' is named twice in the test groups"), "{e}");
    let e = list.speaker_folds(&[]).unwrap_err().to_string();
    assert!(e.contains("at least one non-empty group"), "{e}");
    let e = list
        .speaker_folds(&[group(&["03"]), vec![]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least one non-empty group"), "{e}");
    let e = list
        .speaker_folds(&[group(&["03"]), group(&["77"])])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'77' is not in the data"), "{e}");
}

#[test]
fn ravdess_codes_and_unknown_codes() {
    let d = tmp("ravdess");
    touch(&d.join("03-01-05-01-02-01-12.wav"), "");
    touch(&d.join("03-01-01-01-01-01-07.wav"), "");
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Ravdess);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.classes, ["neutral", "angry"]);
    assert_eq!(list.clips[0].speaker.as_deref(), Some("07"));
    assert_eq!(list.clips[1].label, 1);
    touch(&d.join("03-01-11-01-01-01-07.wav"), "");
    let e = load_clips(&d, None).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    assert!(
        e.to_string().contains("unknown RAVDESS emotion code '11'"),
        "{e}"
    );

    let d = tmp("emodb-bad");
    touch(&d.join("03a01Fa.wav"), "");
    touch(&d.join("03a01Xa.wav"), "");
    let e = load_clips(&d, Some(DatasetFormat::Emodb)).unwrap_err();
    assert!(
        e.to_string().contains("unknown EmoDB emotion code 'X'"),
        "{e}"
    );
}

#[test]
fn names_of_other_corpora_are_not_taken_for_emodb() {
    // CREMA-D's names start with two digits and have an upper-case 6th character; read as
    // EmoDB, every actor 1001-1091 became speaker "10" and the sentence code the emotion.
    let d = tmp("cremad");
    touch(&d.join("1001_DFA_ANG_XX.wav"), "");
    touch(&d.join("1002_TAI_SAD_XX.wav"), "");
    let e = detect_format(&d).unwrap_err().to_string();
    assert!(e.contains("match neither the EmoDB"), "{e}");
    assert_eq!(speaker_from_name(Path::new("1001_DFA_ANG_XX.wav")), None);
    assert_eq!(
        speakers_from_names(&[Path::new("a/1001_DFA_ANG_XX.wav")]),
        [None]
    );
    // EmoDB names are exactly seven characters: a longer stem or a missing version letter is
    // not one.
    for stem in ["03a01Fa", "16b10Wb"] {
        assert!(
            speaker_from_name(Path::new(&format!("{stem}.wav"))).is_some(),
            "{stem}"
        );
    }
    for stem in ["03a01F", "03a01Fab", "0301aFa", "03A01Fa"] {
        assert_eq!(
            speaker_from_name(Path::new(&format!("{stem}.wav"))),
            None,
            "{stem}"
        );
    }
}

#[test]
fn ravdess_actor_folders_are_labelled_by_emotion_not_by_actor() {
    // RAVDESS unpacks into Actor_NN folders: the folders name speakers, the emotion is the
    // third field of each file name.
    let d = tmp("ravdess-actors");
    touch(&d.join("Actor_01/03-01-05-01-01-01-01.wav"), "");
    touch(&d.join("Actor_02/03-01-01-01-01-01-02.wav"), "");
    touch(&d.join("Actor_02/03-01-05-02-01-01-02.wav"), "");
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Ravdess);
    for format in [None, Some(DatasetFormat::Ravdess)] {
        let list = load_clips(&d, format).unwrap();
        assert_eq!(list.classes, ["neutral", "angry"]);
        let got: Vec<(usize, Option<&str>)> = list
            .clips
            .iter()
            .map(|c| (c.label, c.speaker.as_deref()))
            .collect();
        assert_eq!(got, [(1, Some("01")), (0, Some("02")), (1, Some("02"))]);
    }
    // Class folders that hold other names stay a folder per class.
    let d = tmp("actor-named-classes");
    touch(&d.join("Actor_01/a.wav"), "");
    touch(&d.join("Actor_02/b.wav"), "");
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
}

#[test]
fn keeping_a_subset_drops_the_classes_it_empties() {
    // a: 3 clips, b: 1, c: 2. Keeping 3 of the 6 takes clips 0, 2 and 4 (a1, a3, c1): class b
    // is gone, and c is renumbered from 2 to 1, so the class list and labels still agree.
    let d = tmp("keep-evenly");
    for f in [
        "a/1.wav", "a/2.wav", "a/3.wav", "b/1.wav", "c/1.wav", "c/2.wav",
    ] {
        touch(&d.join(f), "");
    }
    let mut list = load_clips(&d, None).unwrap();
    list.keep_evenly(3);
    assert_eq!(list.classes, ["a", "c"]);
    let got: Vec<(String, usize)> = list
        .clips
        .iter()
        .map(|c| {
            (
                c.path.strip_prefix(&d).unwrap().display().to_string(),
                c.label,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a/1.wav".into(), 0),
            ("a/3.wav".into(), 0),
            ("c/1.wav".into(), 1)
        ]
    );
    let mut all = load_clips(&d, None).unwrap();
    all.keep_evenly(10);
    assert_eq!((all.clips.len(), all.classes.len()), (6, 3));
}

#[test]
fn folder_per_class_empty_class_and_empty_folder() {
    let d = tmp("folder");
    touch(&d.join("happy/a.wav"), "");
    touch(&d.join("sad/b.wav"), "");
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.classes, ["happy", "sad"]);
    assert!(list.speaker_split(&["x".into()]).is_err());
    std::fs::create_dir_all(d.join("angry")).unwrap();
    let e = load_clips(&d, None).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    assert!(e.to_string().contains("angry"), "{e}");
    let empty = tmp("empty");
    let e = load_clips(&empty, None).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    assert!(DatasetFormat::parse("nonsense").is_err());
}

#[test]
fn landmark_csvs_with_their_header_are_detected() {
    // With the documented header the folder reads as landmarks; the same numbers without it
    // are 136 features per row, which other feature files have too.
    let coords: Vec<String> = (0..68)
        .flat_map(|k| [format!("x{k}"), format!("y{k}")])
        .collect();
    let row: Vec<String> = (0..136).map(|k| format!("{}", 100 + k)).collect();
    let body = format!("0,{}\n1,{}\n", row.join(","), row.join(","));
    for (name, header, want) in [
        (
            "lm-frame",
            format!("frame,{}\n", coords.join(",")),
            DatasetFormat::Landmarks,
        ),
        (
            "lm-plain",
            format!(" X0 ,{}\n", coords[1..].join(",")),
            DatasetFormat::Landmarks,
        ),
        (
            "lm-bom",
            format!("\u{feff}\r\nframe,{}\r\n", coords.join(",")),
            DatasetFormat::Landmarks,
        ),
        ("lm-none", String::new(), DatasetFormat::Features),
    ] {
        let d = tmp(name);
        let body = if name == "lm-plain" {
            body.lines().map(|l| &l[2..]).collect::<Vec<_>>().join("\n")
        } else {
            body.clone()
        };
        touch(&d.join("happy/a.csv"), &format!("{header}{body}"));
        touch(&d.join("sad/b.csv"), &format!("{header}{body}"));
        assert_eq!(detect_format(&d).unwrap(), want, "{name}");
    }
}

#[test]
fn feature_files_csv_and_npy() {
    let d = tmp("features");
    touch(&d.join("a/x.csv"), "f1,f2,f3\n1,2,3\n4,5,6\n");
    touch(&d.join("b/y.csv"), "1,2,3\n4,5,6\n7,8,9\n");
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Features);
    let list = load_clips(&d, None).unwrap();
    let mut s = FeatureSettings::for_format(list.format, 5);
    let feats = extract_all(&list.clips, &mut s, 2, &|| {}).unwrap();
    assert_eq!(s.dims, 3);
    assert_eq!((feats[0].rows, feats[0].cols), (5, 3));
    // Cyclic padding: 2 frames -> nodes 0,1,0,1,0.
    assert_eq!(feats[0].row(2), &[1.0, 2.0, 3.0]);
    // No speakers in a plain folder layout: held-out-speaker validation says so.
    let e = list
        .speaker_validation_split(&[0, 1], &["03".to_string()])
        .unwrap_err();
    assert!(e.to_string().contains("names no speakers"), "{e}");
    // Mismatched width.
    touch(&d.join("b/z.csv"), "1,2\n3,4\n");
    let list = load_clips(&d, None).unwrap();
    let e = extract_all(&list.clips, &mut s, 1, &|| {}).unwrap_err();
    assert!(e.to_string().contains("feature width 2"), "{e}");
    // With the width taken from the first clip, the error names that clip too.
    let mut fresh = FeatureSettings::for_format(list.format, 5);
    let e = extract_all(&list.clips, &mut fresh, 1, &|| {}).unwrap_err();
    let first = list.clips[0].path.display().to_string();
    assert!(
        e.to_string().contains(&format!("the first clip, {first}")),
        "{e}"
    );
    // Ragged rows.
    touch(&d.join("b/r.csv"), "1,2,3\n3,4\n");
    let e = node_features(&d.join("b/r.csv"), &s).unwrap_err();
    assert!(matches!(e, Error::Parse { line: 2, .. }), "{e}");
    // .npy: float32, 2 x 3.
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    let mut h = header.to_string();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(h.len() as u16).to_le_bytes());
    bytes.extend_from_slice(h.as_bytes());
    for v in [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let p = d.join("a/n.npy");
    std::fs::write(&p, &bytes).unwrap();
    let m = read_npy_matrix(&p).unwrap();
    assert_eq!((m.rows, m.cols), (2, 3));
    assert_eq!(m.data, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // The writer produces exactly the hand-built file.
    assert_eq!(npy_bytes(&m), bytes);
    std::fs::write(&p, &bytes[..bytes.len() - 4]).unwrap();
    assert!(matches!(
        read_npy_matrix(&p).unwrap_err(),
        Error::Truncated { .. }
    ));
}

#[test]
fn feature_files_keep_speakers_of_coded_names() {
    let d = tmp("coded-features");
    let m = FrameMatrix {
        rows: 2,
        cols: 3,
        data: vec![0.5; 6],
    };
    for f in [
        "anger/03a01Wa.npy",
        "anger/08a01Wc.npy",
        "sadness/03a02Ta.npy",
    ] {
        std::fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
        std::fs::write(d.join(f), npy_bytes(&m)).unwrap();
    }
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Features);
    assert_eq!(list.speakers(), ["03", "08"]);
    let (train, test) = list.speaker_split(&["08".to_string()]).unwrap();
    assert_eq!((train.len(), test.len()), (2, 1));
    // An index from `synchgraph features` sets the class order; one that disagrees with the
    // folders, or is not JSON, is an error naming the file.
    std::fs::write(
        d.join("features.json"),
        r#"{"classes": ["sadness", "anger"]}"#,
    )
    .unwrap();
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.classes, ["sadness", "anger"]);
    assert_eq!(list.clips.iter().filter(|c| c.label == 0).count(), 1);
    // The node count, normalisation and kind of an export: none without a node count, else a
    // positive integer, a known normalisation (none when missing) and a known kind (none when
    // missing).
    assert_eq!(exported_features(&d).unwrap(), None);
    let speaker = ExportedFeatures {
        nodes: 12,
        normalize: FeatureNorm::Speaker,
        kind: None,
    };
    let landmarks = ExportedFeatures {
        kind: Some("landmarks"),
        ..speaker
    };
    let plain = ExportedFeatures {
        normalize: FeatureNorm::None,
        ..speaker
    };
    for (settings, want) in [
        (r#"{"nodes": 12, "normalize": "speaker"}"#, Some(speaker)),
        (r#"{"nodes": 12}"#, Some(plain)),
        (r#"{"nodes": 0}"#, None),
        (r#"{"nodes": -3}"#, None),
        (r#"{"nodes": "x"}"#, None),
        (r#"{"nodes": 12, "normalize": "clip"}"#, None),
        (
            r#"{"nodes": 12, "normalize": "speaker", "kind": "landmarks"}"#,
            Some(landmarks),
        ),
        (r#"{"nodes": 12, "kind": "mfcc"}"#, None),
    ] {
        let index = format!(r#"{{"classes": ["sadness", "anger"], "settings": {settings}}}"#);
        std::fs::write(d.join("features.json"), index).unwrap();
        match want {
            Some(w) => assert_eq!(exported_features(&d).unwrap(), Some(w)),
            None => {
                let e = exported_features(&d).unwrap_err().to_string();
                assert!(
                    e.contains("features.json") && e.contains("'settings."),
                    "{e}"
                );
            }
        }
    }
    assert_eq!(exported_features(&d.join("anger")).unwrap(), None);
    std::fs::write(d.join("features.json"), r#"{"classes": ["anger", "fear"]}"#).unwrap();
    let e = load_clips(&d, None).unwrap_err().to_string();
    assert!(
        e.contains("features.json") && e.contains("class folders"),
        "{e}"
    );
    std::fs::write(d.join("features.json"), "{ not json").unwrap();
    let e = load_clips(&d, None).unwrap_err().to_string();
    assert!(e.contains("not valid JSON"), "{e}");
    std::fs::remove_file(d.join("features.json")).unwrap();
    // One name outside the scheme: no speakers at all, and a speaker split says why.
    std::fs::write(d.join("sadness/other.npy"), npy_bytes(&m)).unwrap();
    let list = load_clips(&d, None).unwrap();
    assert!(list.speakers().is_empty());
    let e = list.speaker_split(&["08".to_string()]).unwrap_err();
    assert!(e.to_string().contains("names no speakers"), "{e}");
}

#[test]
fn bad_wavs_are_typed_errors() {
    let d = tmp("wav");
    let s = FeatureSettings::for_format(DatasetFormat::Emodb, 120);
    // Truncated: the first 60 bytes of a real clip.
    let real = std::fs::read(Path::new(EMODB).join("03a01Fa.wav")).unwrap();
    std::fs::write(d.join("trunc.wav"), &real[..60]).unwrap();
    let e = node_features(&d.join("trunc.wav"), &s).unwrap_err();
    assert!(matches!(e, Error::Truncated { .. }), "{e}");
    // Non-PCM (format tag 2 = ADPCM).
    let mut adpcm = real.clone();
    adpcm[20] = 2;
    std::fs::write(d.join("adpcm.wav"), &adpcm).unwrap();
    let e = node_features(&d.join("adpcm.wav"), &s).unwrap_err();
    assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
    // Shorter than one 25 ms frame: 100 samples at 22.05 kHz.
    let spec = hound_spec();
    let mut w = hound_writer(&d.join("short.wav"), spec);
    for _ in 0..100 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let e = node_features(&d.join("short.wav"), &s).unwrap_err();
    assert!(matches!(e, Error::TooShort { .. }), "{e}");
    // A real clip gives 120 x 32 finite node features.
    let m = node_features(&Path::new(EMODB).join("03a01Fa.wav"), &s).unwrap();
    assert_eq!((m.rows, m.cols), (120, 32));
    assert!(m.data.iter().all(|v| v.is_finite()));
}

fn hound_spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: 22050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

fn hound_writer(
    p: &Path,
    spec: hound::WavSpec,
) -> hound::WavWriter<std::io::BufWriter<std::fs::File>> {
    hound::WavWriter::create(p, spec).unwrap()
}

#[test]
fn folds_and_validation_are_stratified_and_disjoint() {
    let labels: Vec<usize> = (0..40).map(|i| i % 4).collect();
    let folds = stratified_folds(&labels, 5, 3).unwrap();
    let mut seen = [0; 40];
    for (train, test) in &folds {
        assert_eq!(train.len() + test.len(), 40);
        assert_eq!(test.len(), 8);
        for &i in test {
            seen[i] += 1;
        }
    }
    assert!(seen.iter().all(|&n| n == 1));
    assert_eq!(folds, stratified_folds(&labels, 5, 3).unwrap());
    assert!(stratified_folds(&labels, 1, 0).is_err());
    let idx: Vec<usize> = (0..40).collect();
    let (tr, va) = validation_split(&idx, &labels, 0.2, 1).unwrap();
    assert_eq!(va.len(), 8);
    assert!(tr.iter().all(|i| !va.contains(i)));
}

/// `.npy` headers are read by key whatever their spacing: a compact C-order header reads as
/// written, and a compact Fortran-order one as the column-major matrix it is (it once passed a
/// check for the spaced text `'fortran_order': True` and was read as if in C order).
#[test]
fn npy_header_keys_are_read_whatever_the_spacing() {
    let d = tmp("npy-compact");
    std::fs::create_dir_all(&d).unwrap();
    let file = |name: &str, dict: &str| {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        b.extend_from_slice(dict.as_bytes());
        for v in 1..=6 {
            b.extend_from_slice(&(v as f32).to_le_bytes());
        }
        let p = d.join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let c = file(
        "c.npy",
        "{'descr':'<f4','fortran_order':False,'shape':(2,3)}\n",
    );
    let m = read_npy_matrix(&c).unwrap();
    assert_eq!((m.rows, m.cols), (2, 3));
    assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
    let f = file(
        "f.npy",
        "{'descr':'<f4','fortran_order':True,'shape':(2,3)}\n",
    );
    let m = read_npy_matrix(&f).unwrap();
    assert_eq!((m.rows, m.cols), (2, 3));
    assert_eq!(m.row(0), &[1.0, 3.0, 5.0]);
    assert_eq!(m.row(1), &[2.0, 4.0, 6.0]);
    let _ = std::fs::remove_dir_all(&d);
}

/// Only `.npy` format versions 1.0, 2.0 and 3.0 are read; another major version is refused by
/// name rather than read with a guessed header layout.
#[test]
fn npy_of_an_unknown_format_version_is_refused() {
    let d = tmp("npy-version");
    std::fs::create_dir_all(&d).unwrap();
    let dict = "{'descr':'<f4','fortran_order':False,'shape':(1,1)}\n";
    for (major, ok) in [(1u8, true), (2, true), (3, true), (0, false), (4, false)] {
        let mut b = b"\x93NUMPY".to_vec();
        b.extend_from_slice(&[major, 0]);
        if major == 1 {
            b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        } else {
            b.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        }
        b.extend_from_slice(dict.as_bytes());
        b.extend_from_slice(&7.0f32.to_le_bytes());
        let p = d.join(format!("v{major}.npy"));
        std::fs::write(&p, b).unwrap();
        match (read_npy_matrix(&p), ok) {
            (Ok(m), true) => assert_eq!(m.row(0), &[7.0]),
            (Err(Error::UnsupportedFormat { message, .. }), false) => {
                assert!(message.contains(&format!("version {major}.0")), "{message}")
            }
            (other, _) => panic!("version {major}: {other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
