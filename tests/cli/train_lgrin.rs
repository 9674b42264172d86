//! End to end on real EmoDB clips at CI size: `train lgrin` with a speaker split for a few epochs
//! (the loss falls, every output exists), `eval` of the saved model on the test speaker
//! reproduces the training run's test confusion exactly, `predict` prints labels, and a saved
//! model reloads to the same probabilities. Bad inputs: a corrupt or truncated checkpoint, a
//! clip shorter than one frame, an unknown file-name code.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::{extract_all, FeatureSettings};
use synchgraph::models::lgrin::{load_model, predict_proba, save_model, Lgrin, LgrinConfig};

const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/emodb/wav");

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

fn synchgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-lgrin-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copy the clips that exist (the list is checked to cover both speakers and four classes).
fn data_dir(name: &str, speaker: Option<&str>) -> PathBuf {
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
fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap()
}

/// Run `eval` of the model in `model` on `data` and return its metrics.
fn eval_metrics(model: &Path, data: &Path, name: &str) -> serde_json::Value {
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

fn run(cmd: &mut Command) -> (String, String) {
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
fn speaker_run_args(data: &Path, out: &Path, epochs: usize, seed: u64) -> Vec<String> {
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
fn short_run_args(data: &Path, out: &Path) -> Vec<String> {
    speaker_run_args(data, out, 3, 5)
}

#[test]
fn extracted_features_train_like_the_wavs() {
    let data = data_dir("wavs-for-features", None);
    let feat = tmp("features");
    let (so, _) = run(synchgraph().args([
        "features",
        "--data",
        data.to_str().unwrap(),
        "--nodes",
        "12",
        "--out",
        feat.to_str().unwrap(),
    ]));
    assert!(
        so.contains("wrote 16 clips (12 nodes x 32 features)"),
        "{so}"
    );
    let index = std::fs::read_to_string(feat.join("clips.csv")).unwrap();
    assert_eq!(index.lines().count(), 17, "{index}");
    assert!(
        index.contains("anger/03a01Wa.npy,anger,03,12,32"),
        "{index}"
    );
    assert!(feat.join("features.json").is_file());

    // Every written matrix equals the features extracted from its WAV in memory.
    let list = load_clips(&data, Some(DatasetFormat::Emodb)).unwrap();
    let mut settings = FeatureSettings::for_format(list.format, 12);
    let feats = extract_all(&list.clips, &mut settings, 2, &|| {}).unwrap();
    for (clip, m) in list.clips.iter().zip(&feats) {
        let stem = clip.path.file_stem().unwrap().to_str().unwrap();
        let class = &list.classes[clip.label];
        let read = synchgraph::data::emotion_features::read_npy_matrix(
            &feat.join(class).join(format!("{stem}.npy")),
        )
        .unwrap();
        assert_eq!((read.rows, read.cols), (12, 32));
        assert_eq!(read.data, m.data, "{stem}");
    }

    // Training on the feature files (speakers come from the kept names) gives the same run.
    let out_wav = tmp("from-wavs");
    let out_feat = tmp("from-features");
    run(synchgraph().args(short_run_args(&data, &out_wav)));
    run(synchgraph().args(short_run_args(&feat, &out_feat)));
    let (a, b) = (metrics(&out_wav), metrics(&out_feat));
    assert_eq!(b["format"], "features");
    assert_eq!(a["split"], b["split"]);
    assert_eq!(a["confusion"], b["confusion"]);
    assert_eq!(
        a["epochs_log"][2]["train_loss"],
        b["epochs_log"][2]["train_loss"]
    );

    // Without --nodes, training on the export takes its 12 nodes (not the default 120, which
    // would pad 12 nodes out to 120); a different --nodes is refused, naming both counts.
    let out_default = tmp("from-features-default-nodes");
    let mut no_nodes = speaker_run_args(&feat, &out_default, 1, 5);
    let at = no_nodes.iter().position(|a| a == "--nodes").unwrap();
    no_nodes.drain(at..at + 2);
    run(synchgraph().args(&no_nodes));
    assert_eq!(metrics(&out_default)["config"]["nodes"], 12);
    let out_refused = tmp("from-features-other-nodes");
    let mut other = no_nodes.clone();
    *other.last_mut().unwrap() = out_refused.display().to_string();
    other.extend(["--nodes".to_string(), "20".to_string()]);
    let o = synchgraph().args(&other).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    for needle in ["export of 12 nodes per clip", "--nodes 20 would regroup"] {
        assert!(err.contains(needle), "{err} lacks {needle}");
    }
    assert!(!out_refused.join("metrics.json").exists());

    // A model of 12 nodes scores an export of 12 nodes, and refuses one of 6.
    let feat6 = tmp("features-6-nodes");
    run(synchgraph().args([
        "features",
        "--data",
        data.to_str().unwrap(),
        "--nodes",
        "6",
        "--out",
        feat6.to_str().unwrap(),
    ]));
    let eval = |features: &Path, out: &str| {
        synchgraph()
            .args(["eval", "--model", out_wav.to_str().unwrap(), "--data"])
            .arg(features)
            .args(["--out", tmp(out).to_str().unwrap()])
            .output()
            .unwrap()
    };
    let o = eval(&feat, "eval-12");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = eval(&feat6, "eval-6");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("exported with 6 nodes per clip; the model takes 12")
            && err.contains("--nodes 12"),
        "{err}"
    );

    // A speaker-normalised export trains like the WAVs with --normalize speaker (normalised
    // once, not twice), and the model records the normalisation even without the flag.
    let feat_norm = tmp("features-normalised");
    run(synchgraph().args([
        "features",
        "--data",
        data.to_str().unwrap(),
        "--nodes",
        "12",
        "--normalize",
        "speaker",
        "--out",
        feat_norm.to_str().unwrap(),
    ]));
    let out_wav_norm = tmp("from-wavs-normalised");
    let out_feat_norm = tmp("from-features-normalised");
    let mut wav_norm = short_run_args(&data, &out_wav_norm);
    wav_norm.extend(["--normalize".to_string(), "speaker".to_string()]);
    run(synchgraph().args(&wav_norm));
    run(synchgraph().args(short_run_args(&feat_norm, &out_feat_norm)));
    let (a, b) = (metrics(&out_wav_norm), metrics(&out_feat_norm));
    assert_eq!(b["features"]["normalize"], "speaker");
    assert_eq!(a["confusion"], b["confusion"]);
    assert_eq!(
        a["epochs_log"][2]["train_loss"],
        b["epochs_log"][2]["train_loss"]
    );
    // A model trained without normalisation refuses normalised features.
    let o = eval(&feat_norm, "eval-normalised");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("trained on features without normalisation")
            && err.contains("--normalize speaker"),
        "{err}"
    );

    // predict checks the files of an export the same way.
    let predict = |model: &Path, clips: PathBuf| {
        synchgraph()
            .args(["predict", "--model", model.to_str().unwrap()])
            .arg(clips)
            .output()
            .unwrap()
    };
    let o = predict(&out_wav, feat.join("anger"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (clips, needle) in [
        (
            feat6.join("anger"),
            "exported with 6 nodes per clip; the model takes 12",
        ),
        (
            feat_norm.join("anger"),
            "exported with --normalize speaker; the model was trained on features without",
        ),
    ] {
        let o = predict(&out_wav, clips);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(needle), "{err}");
    }
    let o = predict(&out_wav_norm, feat_norm.join("anger"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The normalised export's files reach the normalised model as they are.
    let g = common::gpu();
    let mut saved = load_model(&g, &out_wav_norm.join("model.safetensors")).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(feat_norm.join("anger"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let stored: Vec<_> = files
        .iter()
        .map(|f| synchgraph::data::emotion_features::read_npy_matrix(f).unwrap())
        .collect();
    let want = predict_proba(&mut saved.model, &stored.iter().collect::<Vec<_>>()).unwrap();
    let got = saved.predict_files(&files).unwrap();
    assert_eq!(got.len(), files.len());
    for (p, w) in got.iter().zip(&want) {
        assert_eq!(&p.probabilities, w, "{}", p.path.display());
    }
}

/// The CI clips (speakers 03 and 08) plus one clip per class of speaker 09.
fn three_speaker_dir(name: &str) -> PathBuf {
    let data = data_dir(name, None);
    for c in ["09a01Wb.wav", "09a01Fa.wav", "09a01Nb.wav", "09a05Tb.wav"] {
        std::fs::copy(Path::new(EMODB).join(c), data.join(c)).unwrap();
    }
    data
}

/// The short run, validated on the clips of `speakers` instead of a share of the training
/// clips (`--val-fraction` and `--val-speakers` exclude each other).
fn held_out_run_args(data: &Path, out: &Path, speakers: &str) -> Vec<String> {
    let mut args = short_run_args(data, out);
    let at = args.iter().position(|a| a == "--val-fraction").unwrap();
    args.drain(at..at + 2);
    args.extend(["--val-speakers".to_string(), speakers.to_string()]);
    args
}

#[test]
fn held_out_speakers_select_the_model() {
    let data = three_speaker_dir("val-speakers");
    let out = tmp("val-speakers-out");
    run(synchgraph().args(held_out_run_args(&data, &out, "09")));
    let m = metrics(&out);
    assert_eq!(m["val_speakers"], serde_json::json!(["09"]));
    // Every epoch was scored on the held-out speaker's 4 clips.
    let log = m["epochs_log"].as_array().unwrap();
    for e in log {
        let acc = e["val_accuracy"].as_f64().unwrap();
        assert!((acc * 4.0 - (acc * 4.0).round()).abs() < 1e-6, "{acc}");
    }
    // A test speaker cannot validate.
    let bad = held_out_run_args(&data, &out, "08");
    let o = synchgraph().args(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("validation speaker '08' has no training clip"),
        "{err}"
    );
}

#[test]
fn speaker_normalisation_is_stored_and_repeated() {
    let data = data_dir("speaker-norm", None);
    let out = tmp("speaker-norm-out");
    let mut args = short_run_args(&data, &out);
    args.extend(["--normalize".to_string(), "speaker".to_string()]);
    run(synchgraph().args(&args));
    let m = metrics(&out);
    assert_eq!(m["features"]["normalize"], "speaker");

    // eval normalises the test speaker's clips as training did: the same confusion.
    let test_only = data_dir("speaker-norm-test", Some("08"));
    let e = eval_metrics(&out, &test_only, "speaker-norm-eval");
    assert_eq!(e["confusion"], m["confusion"]);

    // predict groups the clips by the speaker in their names: its probabilities are those of
    // the saved model on speaker 08's standardised features.
    let (so, _) = run(synchgraph().args([
        "predict",
        "--model",
        out.to_str().unwrap(),
        test_only.to_str().unwrap(),
    ]));
    let g = common::gpu();
    let mut saved = load_model(&g, &out.join("model.safetensors")).unwrap();
    assert_eq!(
        saved.features.normalize,
        synchgraph::data::speaker_norm::FeatureNorm::Speaker
    );
    let list = load_clips(&test_only, Some(DatasetFormat::Emodb)).unwrap();
    let mut s = saved.features.clone();
    let mut feats = extract_all(&list.clips, &mut s, 2, &|| {}).unwrap();
    synchgraph::data::speaker_norm::standardize_by_speaker(&[Some("08"); 8], &mut feats).unwrap();
    let refs: Vec<_> = feats.iter().collect();
    let probs = predict_proba(&mut saved.model, &refs).unwrap();
    let mut by_file = std::collections::HashMap::new();
    for line in so.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        by_file.insert(PathBuf::from(f[0]), f[3].to_string());
    }
    for (clip, p) in list.clips.iter().zip(&probs) {
        let want = synchgraph::models::lgrin::train::probability_line(&saved.classes, p);
        let got = by_file
            .get(&clip.path)
            .unwrap_or_else(|| panic!("{} not predicted:\n{so}", clip.path.display()));
        assert_eq!(got, &want, "{}", clip.path.display());
    }

    // Names of mixed schemes carry no speakers, in predict as in training: one EmoDB-named clip
    // and one other name are standardised together, exactly like the same two clips under two
    // plain names (grouping the EmoDB name alone would standardise each clip by itself).
    let mixed = tmp("speaker-norm-mixed");
    let sources = [&list.clips[0].path, &list.clips[1].path];
    let named = |names: [&str; 2]| -> Vec<PathBuf> {
        names
            .iter()
            .zip(sources)
            .map(|(n, src)| {
                let p = mixed.join(n);
                std::fs::copy(src, &p).unwrap();
                p
            })
            .collect()
    };
    let probabilities = |files: &[PathBuf], saved: &mut synchgraph::models::lgrin::SavedModel| {
        let p = saved.predict_files(files).unwrap();
        p.into_iter().map(|p| p.probabilities).collect::<Vec<_>>()
    };
    let one_emodb_name = named(["08a01Wa.wav", "other.wav"]);
    let plain_names = named(["first.wav", "second.wav"]);
    assert_eq!(
        probabilities(&one_emodb_name, &mut saved),
        probabilities(&plain_names, &mut saved)
    );

    // An unknown normalisation is refused by name.
    let mut bad = short_run_args(&data, &out);
    bad.extend(["--normalize".to_string(), "global".to_string()]);
    let o = synchgraph().args(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown feature normalisation 'global'"),
        "{err}"
    );
}

#[test]
fn an_empty_validation_part_is_reported() {
    // Speaker 03's few clips per class give round(0.1 n) = 0 validation clips in every class:
    // the run says so and records the validation size, instead of silently keeping the last
    // epoch as the "best".
    let data = data_dir("empty-val", None);
    let out = tmp("empty-val-out");
    let mut args = speaker_run_args(&data, &out, 1, 0);
    let at = args.iter().position(|a| a == "--val-fraction").unwrap();
    args[at + 1] = "0.1".to_string();
    let (_, err) = run(synchgraph().args(&args));
    assert!(
        err.contains("fold 1: the validation part is empty"),
        "{err}"
    );
    assert_eq!(metrics(&out)["validation_clips"], serde_json::json!([0]));
    // Speaker statistics under clip folds see the test fold's clips: said, not silent.
    let at = args.iter().position(|a| a == "--split").unwrap();
    args.splice(
        at..at + 4,
        ["--folds", "2", "--normalize", "speaker"].map(String::from),
    );
    let (_, err) = run(synchgraph().args(&args));
    assert!(
        err.contains("warning: --normalize speaker with clip folds"),
        "{err}"
    );
    assert_eq!(
        metrics(&out)["validation_clips"].as_array().unwrap().len(),
        2
    );
}

#[test]
fn speaker_folds_test_every_clip_once() {
    let data = three_speaker_dir("speaker-folds");
    let out = tmp("speaker-folds-out");
    let mut args = speaker_run_args(&data, &out, 1, 0);
    let at = args.iter().position(|a| a == "speaker").unwrap();
    args[at] = "loso".to_string();
    // --split loso chooses its own folds: test speakers given beside it are refused by name.
    let o = synchgraph().args(&args).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--test-speakers does not apply to --split loso"),
        "{err}"
    );
    let at = args.iter().position(|a| a == "--test-speakers").unwrap();
    args.drain(at..at + 2);
    // A validation speaker is some fold's test speaker: refused before any fold trains.
    let mut late = args.clone();
    let at = late.iter().position(|a| a == "--val-fraction").unwrap();
    late.drain(at..at + 2);
    late.extend(["--val-speakers".to_string(), "09".to_string()]);
    let o = synchgraph().args(&late).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("validation speaker '09' has no training clip") && !err.contains("fold 1:"),
        "{err}"
    );
    run(synchgraph().args(&args));
    // Test speakers without a speaker split would be ignored: refused instead.
    let mut no_split = speaker_run_args(&data, &out, 1, 0);
    let at = no_split.iter().position(|a| a == "--split").unwrap();
    no_split.drain(at..at + 2);
    let o = synchgraph().args(&no_split).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--split <SPLIT>"), "{err}");
    let m = metrics(&out);
    assert_eq!(m["split"]["kind"], "speaker-folds");
    // The run's --seed, beside the last fold's model seed (fold f trains with seed + f).
    assert_eq!(
        (&m["seed"], &m["config"]["seed"]),
        (&serde_json::json!(0), &serde_json::json!(2))
    );
    let folds = m["split"]["folds"].as_array().unwrap();
    let tested: Vec<&serde_json::Value> = folds.iter().map(|f| &f["test_speakers"]).collect();
    assert_eq!(
        tested,
        [
            &serde_json::json!(["03"]),
            &serde_json::json!(["08"]),
            &serde_json::json!(["09"])
        ]
    );
    assert_eq!(folds[1]["train_speakers"], serde_json::json!(["03", "09"]));
    let acc: Vec<f64> = m["fold_accuracies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_f64().unwrap())
        .collect();
    assert_eq!(acc.len(), 3);
    assert_eq!(m["fold_best_epochs"].as_array().unwrap().len(), 3);
    let mean = acc.iter().sum::<f64>() / 3.0;
    assert!((m["test_accuracy"].as_f64().unwrap() - mean).abs() < 1e-9);
    // The pooled confusion counts every one of the 20 clips once.
    let total: u64 = m["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 20);

    // Explicit groups: a speaker in two groups is refused by name.
    let mut bad = speaker_run_args(&data, &out, 1, 0);
    let at = bad.iter().position(|a| a == "08").unwrap();
    bad[at] = "03,08/08".to_string();
    let o = synchgraph().args(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("'08' is named twice in the test groups"),
        "{err}"
    );
}
