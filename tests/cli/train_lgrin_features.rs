//! Features extracted once by `synchgraph features`: each matrix equals the in-memory
//! extraction, `train lgrin` on the export gives the same run as on the WAV files (plain and
//! speaker-normalised), the export's node count is taken and a different `--nodes` refused, and
//! `eval` and `predict` refuse an export whose node count or normalisation the model was not
//! trained on.

use crate::common;

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::{extract_all, FeatureSettings};
use synchgraph::models::lgrin::{load_model, predict_proba};

use super::train_lgrin::{
    data_dir, metrics, run, short_run_args, speaker_run_args, synchgraph, tmp,
};

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
