//! `train lgrin` with speakers held out: validation speakers select the model, speaker
//! normalisation is stored with the model and repeated by `eval` and `predict`, an empty
//! validation part is reported, and speaker folds test every clip once.

use crate::common;

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::extract_all;
use synchgraph::models::lgrin::{load_model, predict_proba};

use super::train_lgrin::{
    data_dir, eval_metrics, metrics, run, short_run_args, speaker_run_args, synchgraph, tmp, EMODB,
};

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
