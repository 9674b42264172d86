//! `synchgraph train lgrin`: L-GrIN (or the GCN baseline) on an emotion data folder with k-fold
//! cross-validation, a speaker-independent split or speaker-group folds. Writes metrics.json,
//! model.safetensors, loss.png, confusion.png and adjacency.png.
//!
//! The flags and the run are here; the folds are drawn in `folds.rs` and the files written in
//! `outputs.rs`.

mod folds;
mod outputs;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::data::speaker_norm::FeatureNorm;
use synchgraph::features::frames::NODES_SPEECH;
use synchgraph::models::lgrin::{evaluate, train, Lgrin, LgrinConfig, ModelKind, TrainOutcome};
use synchgraph::report::Confusion;

use crate::cli::clip_features::{check_nodes, ClipSource};
use crate::cli::out_paths::check_out_outside_data;
use crate::cli::output::errln;
use crate::cli::output::outln;
use crate::cli::progress::bar;
use crate::cli::run_metrics::classifier_metrics;
use crate::cli::staged_folder::MadeFolders;
use crate::cli::Cli;

/// Network choice on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ModelArg {
    /// Learnable graph inception network.
    Lgrin,
    /// Fixed temporal-graph GCN baseline.
    GcnBaseline,
}

/// Configuration variant.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum VariantArg {
    /// The reference code's details (default).
    Reference,
    /// The paper's variant: A ~ N(0, 1), sums in the loss, max-pool over ReLU(A) > 0, StepLR 50.
    Paper,
}

/// Folds of the cross-validation when neither `--folds` nor `--split` is given.
const DEFAULT_FOLDS: usize = 5;

/// Test speakers of `--split speaker` when `--test-speakers` is not given.
const DEFAULT_TEST_SPEAKERS: &str = "13,14";

/// Arguments of `train lgrin`.
#[derive(clap::Args)]
pub struct Args {
    /// Clips and features.
    #[command(flatten)]
    source: ClipSource,
    /// k-fold stratified cross-validation (default: 5 folds, when `--split` is not given).
    #[arg(long, conflicts_with = "split")]
    folds: Option<usize>,
    /// `speaker`: train on some speakers and test on `--test-speakers`; `loso`: leave one
    /// speaker out, one fold per speaker.
    #[arg(long, value_parser = ["speaker", "loso"])]
    split: Option<String>,
    /// Comma-separated test speakers of `--split speaker` (default `13,14`); `/` separates the
    /// groups of a speaker-group cross-validation (`03,08/09,10`: two folds, each speaker
    /// tested once).
    #[arg(long, requires = "split", conflicts_with = "folds")]
    test_speakers: Option<String>,
    /// Training epochs.
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Seed of initialisation, splits, sampling and dropout.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Network.
    #[arg(long, value_enum, default_value_t = ModelArg::Lgrin)]
    model: ModelArg,
    /// Configuration variant.
    #[arg(long, value_enum, default_value_t = VariantArg::Reference)]
    variant: VariantArg,
    /// Graphs per minibatch (default: the variant's 128).
    #[arg(long)]
    batch: Option<usize>,
    /// Minibatches per epoch; 0 = one pass over the training part (default: the variant's 50).
    #[arg(long)]
    iters_per_epoch: Option<usize>,
    /// Learning rate (default 0.01).
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f32>,
    /// StepLR period in epochs (default: 90 reference, 50 paper).
    #[arg(long)]
    lr_step: Option<usize>,
    /// Hidden width of the classifier Linear(3 x width, hidden) -> Dropout -> PReLU -> Linear
    /// (default 512, the reference code's; most of the parameters sit in its first layer).
    #[arg(long)]
    hidden: Option<usize>,
    /// Dropout probability of the classifier, in [0, 1) (default 0.5).
    #[arg(long, allow_negative_numbers = true)]
    dropout: Option<f32>,
    /// Share of the training clips held out for model selection (not with `--val-speakers`,
    /// which chooses the validation clips instead).
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = 0.1,
        conflicts_with = "val_speakers"
    )]
    val_fraction: f32,
    /// Comma-separated training speakers held out whole for model selection instead of
    /// `--val-fraction` (selection then measures generalisation to unseen speakers). With
    /// `--split`, they must be training speakers of every fold; with k-fold splits, their clips
    /// are held out of each fold's training part (those in the fold's test part stay there).
    #[arg(long)]
    val_speakers: Option<String>,
    /// Ablation: a single linear map instead of the G*conv MLP.
    #[arg(long)]
    no_gconv_mlp: bool,
    /// Ablation: a single G*conv branch instead of inception layers.
    #[arg(long)]
    no_inception: bool,
    /// Ablation: the fixed binary temporal adjacency instead of a learned A.
    #[arg(long)]
    fixed_adjacency: bool,
    /// Ablation: Ψ weights p fixed at ones.
    #[arg(long)]
    fixed_p: bool,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

fn config_from(args: &Args, settings: &FeatureSettings, classes: usize) -> LgrinConfig {
    let in_dims = settings.dims;
    let mut c = match args.variant {
        VariantArg::Reference => LgrinConfig::reference(in_dims, classes),
        VariantArg::Paper => LgrinConfig::paper(in_dims, classes),
    };
    c.model = match args.model {
        ModelArg::Lgrin => ModelKind::Lgrin,
        ModelArg::GcnBaseline => ModelKind::GcnBaseline,
    };
    c.nodes = settings.nodes;
    c.epochs = args.epochs;
    c.seed = args.seed;
    c.val_fraction = args.val_fraction;
    c.batch = args.batch.unwrap_or(c.batch);
    c.iters_per_epoch = args.iters_per_epoch.unwrap_or(c.iters_per_epoch);
    c.lr = args.lr.unwrap_or(c.lr);
    c.lr_step = args.lr_step.unwrap_or(c.lr_step);
    c.hidden = args.hidden.unwrap_or(c.hidden);
    c.dropout = args.dropout.unwrap_or(c.dropout);
    c.gconv_mlp = !args.no_gconv_mlp;
    c.inception = !args.no_inception;
    c.learned_a = !args.fixed_adjacency;
    c.learned_p = !args.fixed_p;
    c
}

/// Train, evaluate and write the outputs.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    if let Some(k @ (0 | 1)) = args.folds {
        bail!("--folds {k}: k-fold cross-validation needs at least 2 folds");
    }
    if args.split.as_deref() == Some("loso") && args.test_speakers.is_some() {
        bail!(
            "--test-speakers does not apply to --split loso, which tests every speaker once; \
             name the groups with --split speaker --test-speakers 03/08/..."
        );
    }
    let val_speakers = args.val_speakers.as_deref().map(folds::speaker_list);
    if let (Some(text), Some([])) = (&args.val_speakers, val_speakers.as_deref()) {
        bail!(
            "--val-speakers '{text}' names no speaker id: give one or more comma-separated \
             training speaker ids (e.g. --val-speakers 03,08)"
        );
    }
    check_nodes(args.source.nodes)?;
    // The settings that do not depend on the data are checked before the feature extraction,
    // which can take minutes; the full check follows once the data give widths and classes.
    let provisional = FeatureSettings {
        nodes: args.source.nodes.unwrap_or(NODES_SPEECH),
        dims: 1,
        ..FeatureSettings::for_format(DatasetFormat::Emodb, NODES_SPEECH)
    };
    let provisional = config_from(args, &provisional, 2);
    provisional.validate()?;
    check_out_outside_data(&args.out, &args.source.data)?;
    // Removed again, while empty, if the run fails.
    let made = MadeFolders::create(&args.out, "--out")?;
    // The folds need only the clip list: a test or validation speaker who is not in the data
    // is refused before the features are extracted.
    let list = args.source.list(2)?;
    let labels: Vec<usize> = list.clips.iter().map(|c| c.label).collect();
    let (splits, split_desc) = folds::test_splits(args, &list, &labels)?;
    let parts = folds::training_parts(args, &list, &labels, &splits, &provisional, &val_speakers)?;
    // Opened before the extraction, so a machine without an adapter is told at once.
    let gpu = crate::cli::open_command_gpu(cli)?;
    let (feats, settings) = args.source.extract(&list)?;
    let config = config_from(args, &settings, list.classes.len());
    config.validate()?;
    if args.split.is_none() && settings.normalize == FeatureNorm::Speaker {
        errln!(
            "warning: --normalize speaker with clip folds: each speaker's statistics also cover \
             their clips in the test fold (unlabelled, but seen); --split speaker keeps test \
             speakers wholly out of training"
        );
    }
    let validation_clips: Vec<usize> = parts.iter().map(|(_, v)| v.len()).collect();
    let mut confusion: Option<Confusion> = None;
    let mut fold_acc = Vec::new();
    let mut fold_best_epochs = Vec::new();
    let mut last: Option<(Lgrin, TrainOutcome)> = None;
    let mut seconds = Vec::new();
    let t0 = Instant::now();
    for (f, ((_, test_idx), (tr, val))) in splits.iter().zip(&parts).enumerate() {
        let mut cfg = config.clone();
        cfg.seed = args.seed.wrapping_add(f as u64);
        let mut model = Lgrin::new(&gpu, cfg)?;
        let pb = bar(1, &format!("fold {}/{}", f + 1, splits.len()));
        let outcome = train(
            &mut model,
            &feats,
            &labels,
            tr,
            val,
            &mut |done, total| {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            },
            &mut |e| {
                pb.set_message(format!(
                    "fold {}/{} epoch {} loss {:.3} val acc {:.3}",
                    f + 1,
                    splits.len(),
                    e.epoch + 1,
                    e.train_loss,
                    e.val_accuracy.unwrap_or(f32::NAN)
                ))
            },
        )
        .with_context(|| format!("training fold {}", f + 1))?;
        pb.finish();
        let (pred, _) = evaluate(&mut model, &feats, &labels, test_idx)?;
        let p: Vec<u32> = pred.iter().map(|&v| v as u32).collect();
        let t: Vec<u32> = test_idx.iter().map(|&i| labels[i] as u32).collect();
        let conf = Confusion::new(list.classes.len(), &p, &t)?;
        errln!(
            "fold {}: test accuracy {:.4} on {} clips (kept epoch {}, 0-based)",
            f + 1,
            conf.accuracy(),
            t.len(),
            outcome.best_epoch
        );
        fold_acc.push(conf.accuracy());
        fold_best_epochs.push(outcome.best_epoch);
        seconds.push(outcome.seconds_per_epoch);
        match &mut confusion {
            None => confusion = Some(conf),
            Some(c) => c.merge(&conf)?,
        }
        last = Some((model, outcome));
    }
    let confusion = confusion.context("no split")?;
    let (mut model, outcome) = last.context("no split")?;
    let (mean, std) = synchgraph::report::mean_std(&fold_acc);
    let spe = seconds.iter().sum::<f64>() / seconds.len() as f64;
    let extra = serde_json::json!({
        "test_accuracy": mean,
        "test_accuracy_std": std,
        "fold_accuracies": fold_acc,
        "seconds_per_epoch": spe,
        "seconds_total": t0.elapsed().as_secs_f64(),
        "parameters": model.parameter_count(),
        // `config.seed` is the last fold's (fold f trains with seed + f); this is `--seed`.
        "seed": args.seed,
        "config": model.config,
        "features": settings,
        "data": args.source.data.display().to_string(),
        "format": list.format.name(),
        "clips": list.clips.len(),
        "split": split_desc,
        "val_speakers": val_speakers,
        "validation_clips": validation_clips,
        "saved_model": format!("fold {} of {}", splits.len(), splits.len()),
        "best_epoch": outcome.best_epoch,
        "fold_best_epochs": fold_best_epochs,
        "epochs_log": outcome.log,
    });
    let metrics = classifier_metrics(&gpu, &list.classes, &confusion, extra);
    let out = &args.out;
    outputs::write_outputs(
        out,
        &mut model,
        &outcome,
        &list.classes,
        &settings,
        &confusion,
        &metrics,
    )?;
    made.keep();
    outln!(
        "test accuracy {:.4} (± {:.4} over {} split(s)), unweighted {:.4}, {} parameters, {:.2} s/epoch; outputs in {}",
        mean,
        std,
        fold_acc.len(),
        confusion.unweighted_accuracy(),
        model.parameter_count(),
        spe,
        out.display()
    );
    Ok(())
}
