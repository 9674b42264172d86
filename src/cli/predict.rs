//! `synchgraph predict`: label one clip (WAV, CSV or .npy) or every clip of a folder with a saved
//! L-GrIN model, printing the label and the class probabilities.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion_features::node_features;
use synchgraph::models::lgrin::train::argmax;
use synchgraph::models::lgrin::{load_model, predict_proba};

use crate::cli::Cli;

/// Arguments of `predict`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder written by `train lgrin` (holds model.safetensors).
    #[arg(long)]
    model: PathBuf,
    /// A clip, or a folder whose .wav/.csv/.npy files are all labelled.
    input: PathBuf,
}

/// Load the model, extract features and print one line per clip.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let files: Vec<PathBuf> = if args.input.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&args.input)
            .with_context(|| format!("listing {}", args.input.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|e| {
                        ["wav", "csv", "npy"].contains(&e.to_string_lossy().to_lowercase().as_str())
                    })
            })
            .collect();
        v.sort();
        v
    } else {
        vec![args.input.clone()]
    };
    if files.is_empty() {
        bail!("{} holds no .wav, .csv or .npy files", args.input.display());
    }
    let gpu = crate::cli::open_gpu(&cli.adapter, false)?;
    let path = args.model.join("model.safetensors");
    let mut saved =
        load_model(&gpu, &path).with_context(|| format!("loading {}", path.display()))?;
    let feats = files
        .iter()
        .map(|f| {
            node_features(f, &saved.features)
                .with_context(|| format!("extracting features of {}", f.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<_> = feats.iter().collect();
    let probs = predict_proba(&mut saved.model, &refs)?;
    for (f, p) in files.iter().zip(&probs) {
        let k = argmax(p);
        let dist: Vec<String> = saved
            .classes
            .iter()
            .zip(p)
            .map(|(c, v)| format!("{c}={v:.4}"))
            .collect();
        println!(
            "{}\t{}\t{:.4}\t{}",
            f.display(),
            saved.classes[k],
            p[k],
            dist.join(" ")
        );
    }
    Ok(())
}
