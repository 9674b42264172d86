//! Video (face-frame folders), landmark CSV and motion-capture layouts become L-GrIN node
//! features: layout detection, per-kind extraction with cyclic padding, clear errors, and one
//! end-to-end `train lgrin` run on real CMU BVH clips.

use std::path::{Path, PathBuf};
use std::process::Command;

use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};
use synchgraph::data::emotion_features::{extract_all, FeatureSettings};
use synchgraph::Error;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-modal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mocap(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mocap")).join(name)
}

/// Two classes of three BVH clips each, copied from the CMU clips.
fn mocap_layout() -> PathBuf {
    let dir = scratch("mocap");
    for class in ["jump", "walk"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for i in 1..=3 {
            let src = mocap(&format!("131_0{i}.bvh"));
            std::fs::copy(src, dir.join(class).join(format!("{class}{i}.bvh"))).unwrap();
        }
    }
    dir
}

/// `synchgraph features` on `dir` (in `format`) without `--nodes`: the node count it chose.
fn default_node_count(dir: &Path, format: &str) -> u64 {
    let out = scratch(&format!("{format}-features"));
    let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["features", "--format", format, "--data"])
        .arg(dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("features.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    index["settings"]["nodes"].as_u64().unwrap()
}

#[test]
fn frame_folders_become_log_nodes() {
    let dir = scratch("video");
    for (class, shade) in [("calm", 40u8), ("happy", 200u8)] {
        for clip in 0..2 {
            let clip_dir = dir.join(class).join(format!("clip{clip}"));
            std::fs::create_dir_all(&clip_dir).unwrap();
            for f in 0..3u32 {
                let img = image::GrayImage::from_fn(20, 16, |x, y| {
                    image::Luma([shade.wrapping_add(((x * 7 + y * 3 + f) % 50) as u8)])
                });
                img.save(clip_dir.join(format!("{f:03}.png"))).unwrap();
            }
        }
    }
    assert_eq!(detect_format(&dir).unwrap(), DatasetFormat::Video);
    let list = load_clips(&dir, None).unwrap();
    assert_eq!(list.classes, vec!["calm", "happy"]);
    assert_eq!(list.clips.len(), 4);
    let mut settings = FeatureSettings::for_format(list.format, 5);
    assert_eq!(settings.kind, "log-frames");
    let nodes = extract_all(&list.clips, &mut settings, 2, &|| {}).unwrap();
    assert_eq!(settings.dims, 32 * 32, "32 px frames by default");
    for m in &nodes {
        assert_eq!((m.rows, m.cols), (5, 32 * 32));
        // 3 frames padded cyclically to 5 nodes: node 3 repeats node 0.
        assert_eq!(&m.data[3 * 1024..4 * 1024], &m.data[..1024]);
    }
    // Without --nodes, video clips become the paper's 90 nodes.
    assert_eq!(default_node_count(&dir, "video"), 90);
    // A class folder without clip folders is named in the error.
    std::fs::create_dir_all(dir.join("sad")).unwrap();
    std::fs::write(dir.join("sad").join("note.txt"), "x").unwrap();
    let err = load_clips(&dir, Some(DatasetFormat::Video)).unwrap_err();
    assert!(
        matches!(err, Error::Empty { .. }) && err.to_string().contains("sad"),
        "{err}"
    );
}

#[test]
fn landmark_csvs_become_normalised_nodes() {
    let dir = scratch("landmarks");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for clip in 0..2 {
            let mut text = String::new();
            for frame in 0..4 {
                let row: Vec<String> = (0..136)
                    .map(|k| format!("{}", 100.0 + (k * 13 % 29) as f32 + frame as f32))
                    .collect();
                text.push_str(&row.join(","));
                text.push('\n');
            }
            std::fs::write(dir.join(class).join(format!("c{clip}.csv")), text).unwrap();
        }
    }
    let list = load_clips(&dir, Some(DatasetFormat::parse("landmarks").unwrap())).unwrap();
    let mut settings = FeatureSettings::for_format(list.format, 6);
    let nodes = extract_all(&list.clips, &mut settings, 1, &|| {}).unwrap();
    assert_eq!(settings.dims, 136);
    for m in &nodes {
        assert_eq!((m.rows, m.cols), (6, 136));
        // Centred: the x coordinates of each node average to zero.
        let mean_x: f32 = (0..68).map(|k| m.data[2 * k]).sum::<f32>() / 68.0;
        assert!(mean_x.abs() < 1e-4, "{mean_x}");
    }
    assert_eq!(default_node_count(&dir, "landmarks"), 90);
    std::fs::write(dir.join("b").join("c9.csv"), "1,2,3\n").unwrap();
    let list = load_clips(&dir, Some(DatasetFormat::Landmarks)).unwrap();
    let mut settings = FeatureSettings::for_format(list.format, 6);
    let err = extract_all(&list.clips, &mut settings, 1, &|| {}).unwrap_err();
    assert!(err.to_string().contains("c9.csv"), "{err}");
}

/// Run the CLI with `args`, asserting success.
fn cli(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_model_trained_on_a_landmark_export_reads_landmark_csvs_as_landmarks() {
    // Landmark CSVs are exported (normalised landmarks, 6 nodes), a model is trained on the
    // export, and then scores both the export and the source CSVs: the same features, so the
    // same confusion. (Read as plain CSV matrices, the source would give raw pixel values.)
    let dir = scratch("landmark-export");
    for (class, shift) in [("a", 0.0f32), ("b", 40.0)] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for clip in 0..3 {
            let mut text = String::new();
            for frame in 0..5 {
                let row: Vec<String> = (0..136)
                    .map(|k| {
                        let wobble = ((k * 7 + clip * 5 + frame * 3) % 11) as f32;
                        format!("{}", 100.0 + shift * (k % 2) as f32 + wobble)
                    })
                    .collect();
                text.push_str(&row.join(","));
                text.push('\n');
            }
            std::fs::write(dir.join(class).join(format!("c{clip}.csv")), text).unwrap();
        }
    }
    let base = scratch("landmark-export-runs");
    let p = |name: &str| base.join(name).display().to_string();
    let src = dir.display().to_string();
    let (export, model) = (p("export"), p("model"));
    cli(&[
        "features",
        "--format",
        "landmarks",
        "--nodes",
        "6",
        "--data",
        &src,
        "--out",
        &export,
    ]);
    cli(&[
        "train",
        "lgrin",
        "--data",
        &export,
        "--folds",
        "2",
        "--epochs",
        "1",
        "--batch",
        "2",
        "--iters-per-epoch",
        "0",
        "--out",
        &model,
    ]);
    let metrics = |dir: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(Path::new(dir).join("metrics.json")).unwrap())
            .unwrap()
    };
    assert_eq!(metrics(&model)["features"]["kind"], "landmarks");
    let (on_export, on_source) = (p("eval-export"), p("eval-source"));
    cli(&[
        "eval", "--model", &model, "--data", &export, "--out", &on_export,
    ]);
    cli(&[
        "eval",
        "--model",
        &model,
        "--data",
        &src,
        "--format",
        "landmarks",
        "--out",
        &on_source,
    ]);
    assert_eq!(
        metrics(&on_export)["confusion"],
        metrics(&on_source)["confusion"]
    );
}

#[test]
fn bvh_clips_train_lgrin_end_to_end() {
    let dir = mocap_layout();
    assert_eq!(detect_format(&dir).unwrap(), DatasetFormat::Mocap);
    let out = scratch("mocap-out");
    let status = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args([
            "train", "lgrin", "--folds", "3", "--nodes", "8", "--batch", "4",
        ])
        .args(["--iters-per-epoch", "0", "--epochs", "2", "--data"])
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let text = metrics.to_string();
    assert!(text.contains("\"bvh\""), "feature kind recorded: {text}");
    assert!(metrics["test_accuracy"].as_f64().is_some());
    assert!(out.join("model.safetensors").exists());
    let predicted = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["predict", "--model"])
        .arg(&out)
        .arg(dir.join("walk"))
        .output()
        .unwrap();
    assert!(predicted.status.success());
    let text = String::from_utf8_lossy(&predicted.stdout);
    assert_eq!(text.lines().count(), 3, "one line per BVH clip: {text}");
    // Without --nodes, motion capture keeps the paper's 120 nodes.
    assert_eq!(default_node_count(&dir, "mocap"), 120);
}
