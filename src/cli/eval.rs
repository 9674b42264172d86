//! `synchgraph eval`: score a saved L-GrIN model on another data folder (for example speakers it
//! never saw) and write metrics.json (training's classifier keys: `test_accuracy`, here over
//! all the clips scored, `unweighted_accuracy`, per-class recall and the confusion matrix, with
//! the adapter and the model's configuration) and confusion.png.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::models::lgrin::load_model;
use synchgraph::models::lgrin::train::{argmax, predict_proba_named};
use synchgraph::report::{plot, Confusion};

use crate::cli::clip_features::{extract_features, list_clips, FeatureChoice, LoadLimits};
use crate::cli::out_paths::{check_out_outside_data, clear_metrics, write_json};
use crate::cli::output::outln;
use crate::cli::run_metrics::classifier_metrics;
use crate::cli::staged_folder::MadeFolders;
use crate::cli::Cli;

/// Arguments of `eval`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder written by `train lgrin` (holds model.safetensors).
    #[arg(long)]
    model: PathBuf,
    /// Data folder to score.
    #[arg(long)]
    data: PathBuf,
    /// Layout of the data folder (default: detected).
    #[arg(long, value_parser = crate::cli::clip_features::parse_format)]
    format: Option<String>,
    /// Feature-extraction threads (default: the machine's cores; the features do not depend
    /// on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Load, score and write the outputs.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    if crate::cli::features::same_folder(&args.out, &args.model) {
        bail!(
            "--out {} is the --model folder: the training metrics.json would be overwritten; \
             write the evaluation to another folder",
            args.out.display()
        );
    }
    if args.out.join("model.safetensors").exists() {
        bail!(
            "--out {} holds a trained model: its metrics.json would be replaced by this \
             evaluation's and no longer describe that model; write the evaluation to another \
             folder",
            args.out.display()
        );
    }
    let path = crate::cli::predict::checkpoint_path(&args.model)?;
    check_out_outside_data(&args.out, &args.data)?;
    let gpu = crate::cli::open_command_gpu(cli)?;
    let mut saved =
        load_model(&gpu, &path).with_context(|| format!("loading {}", path.display()))?;
    // The data's classes are checked from its clip list, before minutes of feature extraction.
    let limits = LoadLimits {
        threads: args.threads,
        limit: None,
        min_classes: 0,
    };
    let list = list_clips(&args.data, args.format.as_deref(), &limits)?;
    let map = class_map(&list.classes, &saved.classes, &args.data)?;
    // Made once the model and the clip list are read, so a wrong --model or --data leaves no
    // empty --out behind; what it made is removed again, while empty, if the run fails.
    let made = MadeFolders::create(&args.out, "--out")?;
    let (feats, _) = extract_features(
        &args.data,
        &list,
        FeatureChoice::Saved(saved.features.clone()),
        args.threads,
    )?;
    let clips: Vec<_> = feats.iter().collect();
    let start = std::time::Instant::now();
    let probs = predict_proba_named(&mut saved.model, &clips, &|k| {
        format!("clip {k} ({})", list.clips[k].path.display())
    })?;
    let pred: Vec<u32> = probs.iter().map(|p| argmax(p) as u32).collect();
    let truth: Vec<u32> = list.clips.iter().map(|c| map[c.label] as u32).collect();
    let conf = Confusion::new(saved.classes.len(), &pred, &truth)?;
    let extra = serde_json::json!({
        "seconds_per_epoch": serde_json::Value::Null,
        "seconds_inference": start.elapsed().as_secs_f64(),
        "parameters": saved.model.parameter_count(),
        "config": saved.model.config,
        "features": saved.features,
        "model": args.model.display().to_string(),
        "data": args.data.display().to_string(),
        "clips": list.clips.len(),
    });
    let metrics = classifier_metrics(&gpu, &saved.classes, &conf, extra);
    // An old evaluation's metrics.json goes first, so a failed figure never leaves it beside a
    // new confusion.png; the new one is written last and marks a complete run.
    clear_metrics(&args.out)?;
    plot::confusion_plot(
        &args.out.join("confusion.png"),
        "confusion (eval)",
        &conf,
        &saved.classes,
    )?;
    write_json(&args.out.join("metrics.json"), &metrics)?;
    made.keep();
    outln!(
        "accuracy {:.4}, unweighted {:.4} on {} clips; outputs in {}",
        conf.accuracy(),
        conf.unweighted_accuracy(),
        list.clips.len(),
        args.out.display()
    );
    Ok(())
}

/// The model's index of every class of the data folder `data`, matched by name; a class the
/// model was not trained on is an error naming it.
fn class_map(classes: &[String], model: &[String], data: &Path) -> Result<Vec<usize>> {
    classes
        .iter()
        .map(|c| {
            model.iter().position(|m| m == c).with_context(|| {
                format!(
                    "class '{c}' of {} is not one of the model's classes ({})",
                    data.display(),
                    model.join(", ")
                )
            })
        })
        .collect()
}
