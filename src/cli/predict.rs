//! `synchgraph predict`: label one clip (WAV, CSV, .npy, BVH or a folder of face frames) or every
//! clip of a folder with a saved L-GrIN model, printing the label and the class probabilities
//! (a tab-separated line per clip, or one JSON document with `--json`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion::is_skipped_entry;
use synchgraph::data::feature_export::{FEATURES_CLIPS, FEATURES_INDEX};
use synchgraph::models::lgrin::load_model;
use synchgraph::models::lgrin::train::probability_line;

use crate::cli::output::outln;
use crate::cli::Cli;

/// Arguments of `predict`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder written by `train lgrin` (holds model.safetensors).
    #[arg(long)]
    model: PathBuf,
    /// A clip (file, or a folder of face frames for a video model), or a folder whose clip
    /// files of the model's kind are all labelled (.bvh and .npy for a motion model, .csv and
    /// .npy for a landmark model, .wav, .csv and .npy otherwise; for a video model, clip
    /// sub-folders and .npy files), hidden ones (`._x.wav`) apart.
    input: PathBuf,
    /// Print one JSON document instead of a line per clip: the model's `classes` and, per clip,
    /// its `path`, `label` and `probabilities` (one per class, in the order of `classes`).
    #[arg(long)]
    json: bool,
}

/// Load the model, extract features and print one line per clip.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let path = checkpoint_path(&args.model)?;
    let gpu = crate::cli::open_command_gpu(cli)?;
    let mut saved =
        load_model(&gpu, &path).with_context(|| format!("loading {}", path.display()))?;
    let files = clip_inputs(&args.input, &saved.features.kind)?;
    let predictions = saved.predict_files(&files)?;
    if args.json {
        let clips: Vec<serde_json::Value> = predictions
            .iter()
            .map(|p| {
                serde_json::json!({
                    "path": p.path.display().to_string(),
                    "label": p.label,
                    "probabilities": p.probabilities,
                })
            })
            .collect();
        let doc = serde_json::json!({ "classes": saved.classes, "predictions": clips });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    for p in &predictions {
        outln!(
            "{}\t{}\t{:.4}\t{}",
            p.path.display(),
            p.label,
            p.probabilities[p.class],
            probability_line(&saved.classes, &p.probabilities)
        );
    }
    Ok(())
}

/// The checkpoint `model.safetensors` of the `--model` folder `model`. A `--model` that names a
/// file (say the checkpoint itself) is an error naming the folder to give instead.
pub(crate) fn checkpoint_path(model: &Path) -> Result<PathBuf> {
    if model.is_file() {
        // The checkpoint named itself: its folder is the one to give.
        let hint = match model.parent() {
            Some(p) if model.ends_with("model.safetensors") => {
                let p = if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                };
                format!(" (here {})", p.display())
            }
            _ => String::new(),
        };
        bail!(
            "--model {} is a file: give the folder that `train lgrin` wrote, which holds \
             model.safetensors{hint}",
            model.display()
        );
    }
    Ok(model.join("model.safetensors"))
}

/// The clips named by `input` for a model whose features are of `kind`: the file itself, the
/// files of a folder that `kind` reads (.bvh and .npy for `bvh`, .csv and .npy for `landmarks`,
/// .wav, .csv and .npy otherwise; a file of another modality beside them is skipped, not read
/// as a clip it cannot be), or for face-frame models a frame folder, or its clip sub-folders
/// and `.npy` files (the clips of an export's class folder); hidden entries (names starting
/// with `.`) and `__MACOSX/` folders are skipped. The top folder of a `synchgraph features`
/// export holds no clips (they are in its class folders, and its clip list [`FEATURES_CLIPS`]
/// is not one): it is an error naming a class folder to give instead.
fn clip_inputs(input: &Path, kind: &str) -> Result<Vec<PathBuf>> {
    if !input.is_dir() {
        return Ok(vec![input.to_path_buf()]);
    }
    // Hidden entries (macOS `._*` resource forks, `.ipynb_checkpoints`) and `__MACOSX/` are
    // no clips, as in the data folders that `train` and `eval` read.
    let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
        .with_context(|| format!("listing {}", input.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| !is_skipped_entry(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    entries.sort();
    let has_ext = |p: &Path, exts: &[&str]| {
        p.extension()
            .is_some_and(|e| exts.contains(&e.to_string_lossy().to_lowercase().as_str()))
    };
    if input.join(FEATURES_INDEX).is_file() && input.join(FEATURES_CLIPS).is_file() {
        let class = entries
            .iter()
            .find(|p| p.is_dir())
            .map_or_else(|| input.join("<class>"), PathBuf::clone);
        bail!(
            "{} is a `synchgraph features` export: its clips are in its class folders; name one \
             of them (say {}) or a clip file",
            input.display(),
            class.display()
        );
    }
    let files: Vec<PathBuf> = if kind == "log-frames" {
        if entries.iter().any(|p| has_ext(p, &["png", "jpg", "jpeg"])) {
            vec![input.to_path_buf()]
        } else {
            // Clip folders, and .npy matrices, which `node_features` reads under every kind.
            entries
                .into_iter()
                .filter(|p| p.is_dir() || (p.is_file() && has_ext(p, &["npy"])))
                .collect()
        }
    } else {
        // What `node_features` reads under each kind (a .npy matrix under every one).
        let exts: &[&str] = match kind {
            "bvh" => &["bvh", "npy"],
            "landmarks" => &["csv", "npy"],
            _ => &["wav", "csv", "npy"],
        };
        entries
            .into_iter()
            .filter(|p| p.is_file() && has_ext(p, exts))
            .collect()
    };
    if files.is_empty() {
        bail!(
            "{} holds no clips for this model ({})",
            input.display(),
            match kind {
                "bvh" => ".bvh or .npy files",
                "landmarks" => ".csv or .npy files",
                "log-frames" => "frame folders or .npy files",
                _ => ".wav, .csv or .npy files",
            }
        );
    }
    Ok(files)
}
