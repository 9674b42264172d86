//! `synchgraph train gcn`: Kipf GCN on a Planetoid graph (node classification, several seeds)
//! or GCN + readout on a TU data set (graph classification, stratified k-fold). Writes
//! `metrics.json`, `loss.png` (training and validation loss of the first run) and
//! `model.safetensors` (parameters of the first run, written atomically) into `--out`.
//! The two tasks are in [`node`] and [`graph`]; this file holds the flags, the format detection
//! and the outputs both share.

mod graph;
mod node;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;
use synchgraph::autodiff::ParamStore;
use synchgraph::data::planetoid;
use synchgraph::data::tu;
use synchgraph::models::gcn::{param_shapes, EpochLog, Readout, ReadoutLayers, Selection};
use synchgraph::report::{mean_std, plot, Checkpoint};
use synchgraph::Gpu;

use crate::cli::out_paths::write_json;
use crate::cli::output::{errln, outln};
use crate::cli::run_metrics::{extend, provenance};
use crate::cli::staged_folder::MadeFolders;
use crate::cli::Cli;

/// Arguments of `train gcn`.
#[derive(clap::Args)]
pub struct Args {
    /// Data folder: Planetoid text (`<name>.nodes.txt`, `.edges.txt`, `.split.txt`) or TU raw
    /// text (`DS_A.txt`, `DS_graph_indicator.txt`, `DS_graph_labels.txt`, ...).
    #[arg(long)]
    data: PathBuf,
    /// Maximum epochs (default: 200 for Planetoid, 100 for TU).
    #[arg(long)]
    epochs: Option<usize>,
    /// Base seed; run r uses seed + r.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Independent runs (Planetoid: seeds; TU: repetitions of the whole cross-validation).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Folds of the stratified cross-validation (TU only; default 10).
    #[arg(long)]
    folds: Option<usize>,
    /// Hidden units (default: 16 for Planetoid, 64 for TU).
    #[arg(long)]
    hidden: Option<usize>,
    /// Graph readout (TU only; default concat).
    #[arg(long, value_enum)]
    readout: Option<Readout>,
    /// Layers the readout pools: `all` (input features and every GCN layer, side by side, as
    /// in Xu et al.) or `last` (TU only; default all).
    #[arg(long, value_enum)]
    readout_layers: Option<ReadoutLayers>,
    /// Halve the learning rate every N epochs, 0 for a constant rate (TU only; default 0).
    #[arg(long)]
    lr_step: Option<usize>,
    /// How each fold's reported epoch is chosen on its validation graphs (TU only; default
    /// val-accuracy).
    #[arg(long, value_enum)]
    select: Option<Selection>,
    /// Graphs per mini-batch (TU only; default 32).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Early-stopping window in epochs, 0 to disable (Planetoid only; default 10).
    #[arg(long)]
    patience: Option<usize>,
    /// GCN layers (TU only; default 3).
    #[arg(long)]
    layers: Option<usize>,
    /// Adam learning rate (default: tkipf/gcn's 0.01 for Planetoid, 0.005 for TU).
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f32>,
    /// L2 weight decay (default 5e-4; Planetoid: of the first layer, as in tkipf/gcn; TU: of
    /// every weight).
    #[arg(long, allow_negative_numbers = true)]
    weight_decay: Option<f32>,
    /// Dropout probability (default: 0.5 on the input and hidden features for Planetoid, 0.0
    /// before the classifier for TU).
    #[arg(long, allow_negative_numbers = true)]
    dropout: Option<f32>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Refuse the flags that only the other data format reads, instead of ignoring them.
fn refuse_flags_of_the_other_format(format: &Format, args: &Args) -> Result<()> {
    let (other_flags, this, other): (&[(&str, bool)], _, _) = match format {
        Format::Planetoid => (
            &[
                ("--folds", args.folds.is_some()),
                ("--readout", args.readout.is_some()),
                ("--readout-layers", args.readout_layers.is_some()),
                ("--lr-step", args.lr_step.is_some()),
                ("--select", args.select.is_some()),
                ("--batch-size", args.batch_size.is_some()),
                ("--layers", args.layers.is_some()),
            ],
            "Planetoid (node classification)",
            "TU graph classification",
        ),
        Format::Tu => (
            &[("--patience", args.patience.is_some())],
            "TU (graph classification)",
            "Planetoid node classification",
        ),
    };
    let given: Vec<&str> = other_flags
        .iter()
        .filter(|(_, set)| *set)
        .map(|(flag, _)| *flag)
        .collect();
    if !given.is_empty() {
        bail!(
            "{} only appl{} to {other}; --data {} holds {this} data",
            given.join(", "),
            if given.len() == 1 { "ies" } else { "y" },
            args.data.display()
        );
    }
    Ok(())
}

/// The detected data format.
enum Format {
    Planetoid,
    Tu,
}

fn detect(dir: &Path) -> Result<Format> {
    if !dir.is_dir() {
        bail!("--data {}: not a folder", dir.display());
    }
    if planetoid::find_nodes_file(dir).is_some() {
        return Ok(Format::Planetoid);
    }
    if tu::tu_folder(dir).is_some() {
        return Ok(Format::Tu);
    }
    bail!(
        "--data {}: found neither a Planetoid <name>.nodes.txt nor a TU DS_A.txt file (in the \
         folder or its raw/ sub-folder)",
        dir.display()
    )
}

/// The progress bars of a training command: one over all runs (or folds), and one over the
/// epochs of the run in progress.
struct RunBars {
    multi: MultiProgress,
    overall: ProgressBar,
    style: ProgressStyle,
}

impl RunBars {
    /// An overall bar of `total` runs, labelled `what`.
    fn new(total: usize, what: &str) -> RunBars {
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
            .expect("static template")
            .progress_chars("=> ");
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(total as u64));
        overall.set_style(style.clone());
        overall.set_prefix(what.to_string());
        RunBars {
            multi,
            overall,
            style,
        }
    }

    /// A bar over the `epochs` of the next run.
    fn epoch_bar(&self, epochs: usize) -> ProgressBar {
        let pb = self.multi.add(ProgressBar::new(epochs as u64));
        pb.set_style(self.style.clone());
        pb.set_prefix("epochs");
        pb
    }

    /// Close a finished run's epoch bar, advance the overall bar with `status` and print
    /// `line` above the bars.
    fn finish_run(&self, pb: &ProgressBar, status: String, line: &str) {
        pb.finish_and_clear();
        self.overall.inc(1);
        self.overall.set_message(status);
        self.multi.suspend(|| errln!("{line}"));
    }
}

fn on_epoch(pb: &ProgressBar) -> impl FnMut(&EpochLog) + '_ {
    move |log: &EpochLog| {
        pb.inc(1);
        pb.set_message(format!(
            "loss {:.4}  val loss {:.4}  val acc {:.3}",
            log.train_loss, log.val_loss, log.val_accuracy
        ));
    }
}

/// Everything `write_outputs` needs from either task.
struct Outcome {
    accuracies: Vec<f64>,
    seconds_per_epoch: Vec<f64>,
    per_run: Vec<serde_json::Value>,
    first_history: Vec<EpochLog>,
    /// Graph classification: test accuracy per epoch of every fold of every run.
    test_curves: Vec<Vec<f64>>,
    /// Folds per run (graph classification); 0 for node classification.
    folds: usize,
    store: ParamStore,
    config: serde_json::Value,
    dataset: String,
    format: &'static str,
    epochs: usize,
}

impl Outcome {
    /// Record one finished run or fold: its test accuracy, seconds per epoch and `per_run` entry.
    fn record(&mut self, test_accuracy: f64, seconds_per_epoch: f64, entry: serde_json::Value) {
        self.accuracies.push(test_accuracy);
        self.seconds_per_epoch.push(seconds_per_epoch);
        self.per_run.push(entry);
    }
}

/// Run the training and write the outputs.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    for (flag, value) in [
        ("--runs", args.runs),
        ("--epochs", args.epochs.unwrap_or(1)),
        ("--batch-size", args.batch_size.unwrap_or(1)),
    ] {
        if value == 0 {
            bail!("{flag} must be at least 1");
        }
    }
    let format = detect(&args.data)?;
    refuse_flags_of_the_other_format(&format, args)?;
    // Removed again, while empty, if the run fails (a constant the training refuses, say).
    let made = MadeFolders::create(&args.out, "--out")?;
    let gpu = crate::cli::open_command_gpu(cli)?;
    let start = Instant::now();
    let outcome = match format {
        Format::Planetoid => node::node_classification(&gpu, args)?,
        Format::Tu => graph::graph_classification(&gpu, args)?,
    };
    write_outputs(&gpu, args, outcome, start.elapsed().as_secs_f64())?;
    made.keep();
    Ok(())
}

fn write_outputs(gpu: &Gpu, args: &Args, o: Outcome, seconds: f64) -> Result<()> {
    let (mean, std) = mean_std(&o.accuracies);
    let (spe, _) = mean_std(&o.seconds_per_epoch);
    let shapes = param_shapes(&o.store);
    let train: Vec<f32> = o.first_history.iter().map(|h| h.train_loss).collect();
    let val: Vec<f32> = o.first_history.iter().map(|h| h.val_loss).collect();
    let mut metrics = json!({
        "test_accuracy": mean,
        "test_accuracy_std": std,
        // `--runs`: seeds (Planetoid) or repetitions of the whole cross-validation (TU, whose
        // `folds` is added below); `per_run` holds one entry per run, or per run and fold.
        "runs": args.runs,
        "epochs": o.epochs,
        "seconds_per_epoch": spe,
        "seconds_total": seconds,
        "dataset": o.dataset,
        "format": o.format,
        "per_run": o.per_run,
        "parameters": o.store.numel(),
        "loss_history": { "run": 0, "train": train, "val": val },
        "parameter_shapes": shapes,
        "config": {
            "data": args.data.display().to_string(),
            "seed": args.seed,
            "runs": args.runs,
            "epochs": o.epochs,
            "model": o.config,
        },
    });
    extend(&mut metrics, provenance(gpu));
    if o.folds > 0 {
        metrics["folds"] = json!(o.folds);
    }
    if !o.test_curves.is_empty() {
        let (epochs, accs) = graph::best_common_epoch(&o.test_curves, o.folds);
        let (m, s) = mean_std(&accs);
        metrics["xu_protocol"] = json!({
            "description": "test accuracy at the single epoch with the best mean test accuracy \
                            over the folds (Xu et al. 2019, GIN); the headline test_accuracy \
                            selects each fold's epoch on its own validation graphs instead",
            "epoch": epochs,
            "test_accuracy": m,
            "test_accuracy_std": s,
        });
        errln!(
            "Xu et al. protocol (epoch {epochs:?} for all folds): {:.2}% ± {:.2}",
            100.0 * m,
            100.0 * s
        );
    }
    // An old run's metrics.json goes first, so a failure below never leaves it beside new files.
    crate::cli::out_paths::clear_metrics(&args.out)?;
    let loss_path = args.out.join("loss.png");
    plot::line_plot(
        &loss_path,
        &format!("GCN on {} (run 0)", o.dataset),
        "epoch",
        &[("train loss", &train), ("val loss", &val)],
    )
    .with_context(|| format!("writing {}", loss_path.display()))?;
    let mut ckpt = Checkpoint::new();
    ckpt.insert_params(&o.store)?;
    ckpt.set_meta("model", o.config["model"].as_str().unwrap_or("gcn"));
    ckpt.set_meta("dataset", o.dataset.clone());
    ckpt.set_meta("config", o.config.to_string());
    let model_path = args.out.join("model.safetensors");
    ckpt.save(&model_path)
        .with_context(|| format!("writing {}", model_path.display()))?;
    // Last, after the figure and the model: metrics.json marks a complete run.
    write_json(&args.out.join("metrics.json"), &metrics)?;
    outln!(
        "{}: test accuracy {:.2}% ± {:.2} over {} {}, {:.4} s/epoch -> {}",
        o.dataset,
        100.0 * mean,
        100.0 * std,
        o.accuracies.len(),
        if o.folds > 0 { "folds" } else { "runs" },
        spe,
        args.out.display()
    );
    Ok(())
}
