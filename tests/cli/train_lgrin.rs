//! End to end on real EmoDB clips at CI size: `train lgrin` with a speaker split for a few epochs
//! (the loss falls, every output exists), `eval` of the saved model on the test speaker
//! reproduces the training run's test confusion exactly, `predict` prints labels, and a saved
//! model reloads to the same probabilities. Bad inputs: a corrupt or truncated checkpoint, a
//! clip shorter than one frame, an unknown file-name code. `train_lgrin_features.rs` and
//! `train_lgrin_speakers.rs` hold the runs on extracted features and with held-out speakers,
//! and share this file's clips and helpers.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::{extract_all, FeatureSettings};
use synchgraph::models::lgrin::{load_model, predict_proba, save_model, Lgrin, LgrinConfig};

pub(super) const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/emodb/wav");

/// Speaker 03 (train) and speaker 08 (test): two clips of each of anger, happiness, neutral, sadness.
const CLIPS: [&str; 16] = [
    "03a01Wa.wav",
    "03a02Wb.wav",
    "03a01Fa.wav",
    "03a02Fc.wav",
    "03a01Nc.wav",
    "03a02Nc.wav",
    "03a02Ta.wav",
    "03a05Tc.wav",
    "08a01Wa.wav",
    "08a01Wc.wav",
    "08a01Fd.wav",
    "08a02Fe.wav",
    "08a01Na.wav",
    "08a02Na.wav",
    "08a02Tb.wav",
    "08a04Tb.wav",
];

pub(super) fn synchgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
}

pub(super) fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-lgrin-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copy the clips that exist (the list is checked to cover both speakers and four classes).
pub(super) fn data_dir(name: &str, speaker: Option<&str>) -> PathBuf {
    let d = tmp(name);
    let mut n = 0;
    for c in CLIPS {
        if speaker.is_some_and(|s| !c.starts_with(s)) {
            continue;
        }
        let src = Path::new(EMODB).join(c);
        std::fs::copy(&src, d.join(c)).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        n += 1;
    }
    assert!(n >= 8);
    d
}

/// The `metrics.json` a command wrote into `dir`.
pub(super) fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap()
}

/// Run `eval` of the model in `model` on `data` and return its metrics.
pub(super) fn eval_metrics(model: &Path, data: &Path, name: &str) -> serde_json::Value {
    let out = tmp(name);
    run(synchgraph().args([
        "eval",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    metrics(&out)
}

pub(super) fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "failed:\n{so}\n{se}");
    (so, se)
}

#[test]
fn train_eval_predict_on_emodb_clips() {
    let data = data_dir("all", None);
    let out = tmp("out");
    let mut args = speaker_run_args(&data, &out, 5, 3);
    args.extend(["--lr".to_string(), "0.001".to_string()]);
    run(synchgraph().args(&args));
    for f in [
        "metrics.json",
        "model.safetensors",
        "loss.png",
        "confusion.png",
        "adjacency.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let m = metrics(&out);
    for k in [
        "test_accuracy",
        "unweighted_accuracy",
        "per_class_recall",
        "confusion",
        "seconds_per_epoch",
        "parameters",
        "adapter",
        "config",
    ] {
        assert!(m.get(k).is_some(), "metrics.json lacks {k}");
    }
    let log = m["epochs_log"].as_array().unwrap();
    let first = log[0]["train_loss"].as_f64().unwrap();
    let last = log.last().unwrap()["train_loss"].as_f64().unwrap();
    assert!(last < first, "training loss {first} -> {last} did not fall");
    let classes = common::metric_classes(&m);
    assert_eq!(classes.len(), 4);
    common::assert_run_metrics(&m, true, Some(&classes), 8);

    // eval on the test speaker alone reproduces the test confusion of training.
    let test_only = data_dir("test", Some("08"));
    let e = eval_metrics(&out, &test_only, "eval");
    common::assert_run_metrics(&e, false, Some(&classes), 8);
    assert_eq!(e["confusion"], m["confusion"]);
    assert_eq!(e["test_accuracy"], m["test_accuracy"]);

    // eval on a folder-per-class layout holding one class (the test speaker's anger clips)
    // scores them against the model's classes: its confusion is the training run's anger row.
    let anger = tmp("anger-only");
    std::fs::create_dir_all(anger.join("anger")).unwrap();
    for c in CLIPS
        .iter()
        .filter(|c| c.starts_with("08") && c.as_bytes()[5] == b'W')
    {
        std::fs::copy(Path::new(EMODB).join(c), anger.join("anger").join(c)).unwrap();
    }
    let e = eval_metrics(&out, &anger, "eval-anger");
    let k = m["classes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "anger")
        .unwrap();
    let rows = e["confusion"].as_array().unwrap();
    for (r, row) in rows.iter().enumerate() {
        if r == k {
            assert_eq!(row, &m["confusion"][k], "anger row");
        } else {
            assert!(
                row.as_array().unwrap().iter().all(|v| v == 0),
                "row {r}: {row}"
            );
        }
    }

    // predict prints one line per clip with a known label.
    let (so, _) = run(synchgraph().args([
        "predict",
        "--model",
        out.to_str().unwrap(),
        test_only.to_str().unwrap(),
    ]));
    assert_eq!(so.lines().count(), 8, "{so}");
    let classes: Vec<&str> = ["anger", "happiness", "sadness", "neutral"].to_vec();
    for line in so.lines() {
        let label = line.split('\t').nth(1).unwrap();
        assert!(classes.contains(&label), "{line}");
    }

    // A corrupt checkpoint and a truncated one are clear errors.
    let bad = tmp("bad");
    std::fs::write(bad.join("model.safetensors"), b"not a checkpoint at all").unwrap();
    let o = synchgraph()
        .args([
            "predict",
            "--model",
            bad.to_str().unwrap(),
            test_only.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("checkpoint error"), "{err}");
    let full = std::fs::read(out.join("model.safetensors")).unwrap();
    std::fs::write(bad.join("model.safetensors"), &full[..full.len() / 2]).unwrap();
    let o = synchgraph()
        .args([
            "predict",
            "--model",
            bad.to_str().unwrap(),
            test_only.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("checkpoint error"));
}

#[test]
fn bad_clips_fail_with_named_errors() {
    // A clip shorter than one 25 ms frame among real clips.
    let data = data_dir("short", Some("03"));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(data.join("03a09Wz.wav"), spec).unwrap();
    for _ in 0..50 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let out = tmp("short-out");
    let o = synchgraph()
        .args([
            "train",
            "lgrin",
            "--data",
            data.to_str().unwrap(),
            "--folds",
            "2",
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("too short") && err.contains("03a09Wz.wav"),
        "{err}"
    );
    // An unknown emotion code.
    std::fs::remove_file(data.join("03a09Wz.wav")).unwrap();
    std::fs::copy(
        Path::new(EMODB).join("03a01Wa.wav"),
        data.join("03a01Qa.wav"),
    )
    .unwrap();
    let o = synchgraph()
        .args([
            "train",
            "lgrin",
            "--data",
            data.to_str().unwrap(),
            "--format",
            "emodb",
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown EmoDB emotion code 'Q'"), "{err}");
}

#[test]
fn saved_model_reloads_to_the_same_probabilities() {
    let g = common::gpu();
    let data = data_dir("reload", Some("03"));
    let list = load_clips(&data, Some(DatasetFormat::Emodb)).unwrap();
    let mut s = FeatureSettings::for_format(list.format, 10);
    let feats = extract_all(&list.clips, &mut s, 2, &|| {}).unwrap();
    let mut cfg = LgrinConfig::reference(s.dims, list.classes.len());
    cfg.nodes = 10;
    cfg.g1 = 8;
    cfg.g2 = 4;
    cfg.hidden = 16;
    cfg.batch = 4;
    cfg.iters_per_epoch = 2;
    cfg.epochs = 1;
    let mut model = Lgrin::new(&g, cfg).unwrap();
    let labels: Vec<usize> = list.clips.iter().map(|c| c.label).collect();
    let idx: Vec<usize> = (0..labels.len()).collect();
    common::fixtures::train_lgrin(&mut model, &feats, &labels, &idx, &[]);
    let refs: Vec<_> = feats.iter().collect();
    let before = predict_proba(&mut model, &refs).unwrap();
    let dir = tmp("reload-model");
    let path = dir.join("model.safetensors");
    save_model(&mut model, &list.classes, &s, &path).unwrap();
    let mut saved = load_model(&g, &path).unwrap();
    assert_eq!(saved.classes, list.classes);
    assert_eq!(saved.features, s);
    let after = predict_proba(&mut saved.model, &refs).unwrap();
    assert_eq!(before, after);
}

/// `train lgrin` arguments of a short run on `data` (test speaker 08, 12 nodes, batches of 8,
/// no validation part), writing to `out`.
pub(super) fn speaker_run_args(data: &Path, out: &Path, epochs: usize, seed: u64) -> Vec<String> {
    let mut v: Vec<String> = ["train", "lgrin", "--data"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.push(data.display().to_string());
    for a in [
        "--split",
        "speaker",
        "--test-speakers",
        "08",
        "--nodes",
        "12",
        "--batch",
        "8",
        "--iters-per-epoch",
        "0",
        "--val-fraction",
        "0",
    ] {
        v.push(a.to_string());
    }
    v.extend([
        "--epochs".to_string(),
        epochs.to_string(),
        "--seed".to_string(),
        seed.to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ]);
    v
}

/// The short run the feature-file and validation tests repeat.
pub(super) fn short_run_args(data: &Path, out: &Path) -> Vec<String> {
    speaker_run_args(data, out, 3, 5)
}
