//! `synchgraph train gcn`: Kipf GCN on a Planetoid graph (node classification, several seeds)
//! or GCN + readout on a TU data set (graph classification, stratified k-fold). Writes
//! `metrics.json`, `loss.png` (training and validation loss of the first run) and
//! `model.safetensors` (parameters of the first run, written atomically) into `--out`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;
use synchgraph::autodiff::optim::LrSchedule;
use synchgraph::autodiff::ParamStore;
use synchgraph::data::planetoid::{self, Planetoid};
use synchgraph::data::split::{complement, stratified_kfold, train_val_split};
use synchgraph::data::tu::{self, TuDataset};
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{
    param_shapes, EpochLog, GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, NodeTask,
    Readout, ReadoutLayers, Selection,
};
use synchgraph::report::{mean_std, plot, Checkpoint};
use synchgraph::Gpu;

use crate::cli::out_paths::{create_out_dir, write_json};
use crate::cli::output::outln;
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
    if tu::find_prefix(dir).is_some() {
        return Ok(Format::Tu);
    }
    bail!(
        "--data {}: found neither a Planetoid <name>.nodes.txt nor a TU DS_A.txt file",
        dir.display()
    )
}

fn bars(multi: &MultiProgress, total: u64, what: &str) -> (ProgressBar, ProgressStyle) {
    let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
        .expect("static template")
        .progress_chars("=> ");
    let overall = multi.add(ProgressBar::new(total));
    overall.set_style(style.clone());
    overall.set_prefix(what.to_string());
    (overall, style)
}

fn epoch_bar(multi: &MultiProgress, style: &ProgressStyle, epochs: usize) -> ProgressBar {
    let pb = multi.add(ProgressBar::new(epochs as u64));
    pb.set_style(style.clone());
    pb.set_prefix("epochs");
    pb
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
    folds: usize,
    store: ParamStore,
    config: serde_json::Value,
    dataset: String,
    format: &'static str,
    epochs: usize,
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
    create_out_dir(&args.out, "--out")?;
    let gpu = crate::cli::open_command_gpu(cli)?;
    let start = Instant::now();
    let outcome = match format {
        Format::Planetoid => node_classification(&gpu, args)?,
        Format::Tu => graph_classification(&gpu, args)?,
    };
    write_outputs(&gpu, args, outcome, start.elapsed().as_secs_f64())
}

fn node_classification(gpu: &Gpu, args: &Args) -> Result<Outcome> {
    let data = Planetoid::load(&args.data)
        .with_context(|| format!("loading Planetoid data from {}", args.data.display()))?;
    let defaults = NodeGcnConfig::default();
    let config = NodeGcnConfig {
        hidden: args.hidden.unwrap_or(defaults.hidden),
        epochs: args.epochs.unwrap_or(defaults.epochs),
        patience: args.patience.unwrap_or(defaults.patience),
        lr: args.lr.unwrap_or(defaults.lr),
        weight_decay: args.weight_decay.unwrap_or(defaults.weight_decay),
        dropout: args.dropout.unwrap_or(defaults.dropout),
    };
    if data.num_classes < 2 {
        bail!(
            "{}: the labelled nodes hold one class; node classification needs at least two",
            args.data.display()
        );
    }
    // The first weight matrix is [features, hidden]: refuse it before densifying the features.
    let bytes = (data.num_features as u64)
        .saturating_mul(config.hidden as u64)
        .saturating_mul(4);
    if bytes > gpu.max_binding_bytes() {
        return Err(synchgraph::Error::TooLarge {
            what: format!(
                "GCN weights [{} features, {} hidden]",
                data.num_features, config.hidden
            ),
            bytes,
            limit: gpu.max_binding_bytes(),
        }
        .into());
    }
    let adj = Csr::from_edges(gpu, data.num_nodes, &data.edges, None, false, true)
        .context("building the adjacency")?
        .gcn_normalized()
        .context("normalising the adjacency")?;
    let features = sparse_features(
        gpu,
        data.num_nodes,
        data.num_features,
        &data.row_normalized_features(),
    )?;
    let idx = |v: &[u32]| v.iter().map(|&i| i as usize).collect::<Vec<_>>();
    let task = NodeTask {
        adj,
        features,
        labels: data.labels_or_zero(),
        classes: data.num_classes,
        train: idx(&data.train),
        val: idx(&data.val),
        test: idx(&data.test),
    };
    eprintln!(
        "{}: {} nodes, {} features, {} classes, {}/{}/{} train/val/test",
        data.name,
        data.num_nodes,
        data.num_features,
        data.num_classes,
        task.train.len(),
        task.val.len(),
        task.test.len()
    );
    let multi = MultiProgress::new();
    let (overall, style) = bars(&multi, args.runs as u64, "runs");
    let mut out = Outcome {
        accuracies: vec![],
        seconds_per_epoch: vec![],
        per_run: vec![],
        first_history: vec![],
        test_curves: vec![],
        folds: 0,
        store: ParamStore::new(),
        config: json!({ "model": "gcn-node", "gcn": config.clone() }),
        dataset: data.name.clone(),
        format: "planetoid",
        epochs: config.epochs,
    };
    for r in 0..args.runs {
        let seed = args.seed + r as u64;
        let pb = epoch_bar(&multi, &style, config.epochs);
        let (model, run) = NodeGcn::train(gpu, &task, config.clone(), seed, &mut on_epoch(&pb))
            .with_context(|| format!("training run {r} (seed {seed})"))?;
        pb.finish_and_clear();
        overall.inc(1);
        overall.set_message(format!("last test acc {:.4}", run.test_accuracy));
        multi.suspend(|| {
            eprintln!(
                "run {r} (seed {seed}): test accuracy {:.4}, {} epochs, {:.4} s/epoch",
                run.test_accuracy, run.epochs_run, run.seconds_per_epoch
            )
        });
        out.accuracies.push(run.test_accuracy);
        out.seconds_per_epoch.push(run.seconds_per_epoch);
        out.per_run.push(json!({
            "run": r,
            "seed": seed,
            "test_accuracy": run.test_accuracy,
            "val_accuracy": run.val_accuracy,
            "epochs_run": run.epochs_run,
            "seconds_per_epoch": run.seconds_per_epoch,
            "final_train_loss": run.history.last().map(|h| h.train_loss),
            "final_val_loss": run.history.last().map(|h| h.val_loss),
        }));
        if r == 0 {
            out.first_history = run.history;
            out.store = model.store;
        }
    }
    overall.finish_and_clear();
    Ok(out)
}

/// Dense row-major features as a sparse [n, f] matrix of their nonzeros.
fn sparse_features(gpu: &Gpu, n: usize, f: usize, dense: &[f32]) -> Result<Csr> {
    let mut triples = Vec::new();
    for (k, &v) in dense.iter().enumerate() {
        if v != 0.0 {
            triples.push(((k / f) as u32, (k % f) as u32, v));
        }
    }
    Ok(Csr::from_host(
        gpu,
        n,
        f,
        HostCsr::from_triples(n, triples),
    )?)
}

fn graph_classification(gpu: &Gpu, args: &Args) -> Result<Outcome> {
    let data = TuDataset::load(&args.data)
        .with_context(|| format!("loading TU data from {}", args.data.display()))?;
    let defaults = GraphGcnConfig::default();
    let config = GraphGcnConfig {
        hidden: args.hidden.unwrap_or(defaults.hidden),
        epochs: args.epochs.unwrap_or(defaults.epochs),
        readout: args.readout.unwrap_or(defaults.readout),
        batch_size: args.batch_size.unwrap_or(defaults.batch_size),
        layers: args.layers.unwrap_or(defaults.layers),
        lr: args.lr.unwrap_or(defaults.lr),
        weight_decay: args.weight_decay.unwrap_or(defaults.weight_decay),
        dropout: args.dropout.unwrap_or(defaults.dropout),
        readout_layers: args.readout_layers.unwrap_or(defaults.readout_layers),
        schedule: match args.lr_step.unwrap_or(0) {
            0 => LrSchedule::Constant,
            step => LrSchedule::Step { step, gamma: 0.5 },
        },
        selection: args.select.unwrap_or(defaults.selection),
    };
    let fold_count = args.folds.unwrap_or(10);
    if data.num_classes() < 2 {
        bail!(
            "{}: every graph has the label {}, so one class; graph classification needs at \
             least two",
            args.data.display(),
            data.class_values.first().copied().unwrap_or_default()
        );
    }
    let labels = data.labels();
    let task = GraphTask {
        graphs: data.graphs.clone(),
        features: data.num_features,
        labels: labels.clone(),
        classes: data.num_classes(),
    };
    eprintln!(
        "{}: {} graphs, {} node features, {} classes, {}-fold CV x {} runs",
        data.name,
        data.graphs.len(),
        data.num_features,
        data.num_classes(),
        fold_count,
        args.runs
    );
    let multi = MultiProgress::new();
    let (overall, style) = bars(&multi, (args.runs * fold_count) as u64, "folds");
    let mut out = Outcome {
        accuracies: vec![],
        seconds_per_epoch: vec![],
        per_run: vec![],
        first_history: vec![],
        test_curves: vec![],
        folds: 0,
        store: ParamStore::new(),
        config: json!({
            "model": "gcn-graph",
            "gcn": config.clone(),
            "folds": fold_count,
            "validation_fraction": 0.1,
            "selection": match config.selection {
                Selection::ValLoss => "test accuracy at the epoch of lowest validation loss",
                Selection::ValAccuracy => "test accuracy at the epoch of highest validation \
                                           accuracy (ties: lower validation loss)",
            },
        }),
        dataset: data.name.clone(),
        format: "tu",
        epochs: config.epochs,
    };
    for r in 0..args.runs {
        let seed = args.seed + r as u64;
        let folds = stratified_kfold(&labels, fold_count, seed).context("making the folds")?;
        for (k, test) in folds.iter().enumerate() {
            let rest = complement(labels.len(), test);
            let (train, val) = train_val_split(&rest, &labels, 0.1, seed + k as u64)
                .with_context(|| format!("carving validation graphs for fold {k}"))?;
            let pb = epoch_bar(&multi, &style, config.epochs);
            let fold_seed = seed.wrapping_mul(100).wrapping_add(k as u64);
            let (model, run) = GraphGcn::train(
                gpu,
                &task,
                &train,
                &val,
                test,
                config.clone(),
                fold_seed,
                k,
                &mut on_epoch(&pb),
            )
            .with_context(|| format!("training run {r} fold {k}"))?;
            pb.finish_and_clear();
            overall.inc(1);
            overall.set_message(format!("fold {k} test acc {:.4}", run.test_accuracy));
            multi.suspend(|| {
                eprintln!(
                    "run {r} fold {k}: test accuracy {:.4} (best epoch {}), {:.4} s/epoch",
                    run.test_accuracy, run.best_epoch, run.seconds_per_epoch
                )
            });
            out.accuracies.push(run.test_accuracy);
            out.seconds_per_epoch.push(run.seconds_per_epoch);
            out.per_run.push(json!({
                "run": r,
                "fold": k,
                "seed": fold_seed,
                "test_accuracy": run.test_accuracy,
                "val_accuracy": run.val_accuracy,
                "best_epoch": run.best_epoch,
                "epochs_run": run.epochs_run,
                "train_graphs": train.len(),
                "val_graphs": val.len(),
                "test_graphs": test.len(),
                "seconds_per_epoch": run.seconds_per_epoch,
            }));
            out.test_curves
                .push(run.history.iter().map(|h| h.test_accuracy).collect());
            if r == 0 && k == 0 {
                out.first_history = run.history;
                out.store = model.store;
            }
        }
    }
    overall.finish_and_clear();
    out.folds = fold_count;
    Ok(out)
}

/// The protocol of Xu et al. (GIN): for each repetition, the one epoch whose test accuracy
/// averaged over the folds is highest; returns that epoch (0-based, per repetition) and the
/// fold accuracies there.
fn best_common_epoch(curves: &[Vec<f64>], folds: usize) -> (Vec<usize>, Vec<f64>) {
    let mut epochs = Vec::new();
    let mut accs = Vec::new();
    for rep in curves.chunks(folds.max(1)) {
        let len = rep.iter().map(Vec::len).min().unwrap_or(0);
        let mean = |e: usize| rep.iter().map(|c| c[e]).sum::<f64>() / rep.len() as f64;
        let best = (0..len).fold(0, |b, e| if mean(e) > mean(b) { e } else { b });
        epochs.push(best);
        accs.extend(rep.iter().filter(|c| !c.is_empty()).map(|c| c[best]));
    }
    (epochs, accs)
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
        "runs": o.accuracies.len(),
        "epochs": o.epochs,
        "seconds_per_epoch": spe,
        "seconds_total": seconds,
        "adapter": gpu.info(),
        "engine": synchgraph::report::provenance::engine_json(),
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
        "command": std::env::args().collect::<Vec<_>>().join(" "),
    });
    if !o.test_curves.is_empty() {
        let (epochs, accs) = best_common_epoch(&o.test_curves, o.folds);
        let (m, s) = mean_std(&accs);
        metrics["xu_protocol"] = json!({
            "description": "test accuracy at the single epoch with the best mean test accuracy \
                            over the folds (Xu et al. 2019, GIN); the headline test_accuracy \
                            selects each fold's epoch on its own validation graphs instead",
            "epoch": epochs,
            "test_accuracy": m,
            "test_accuracy_std": s,
        });
        eprintln!(
            "Xu et al. protocol (epoch {epochs:?} for all folds): {:.2}% ± {:.2}",
            100.0 * m,
            100.0 * s
        );
    }
    write_json(&args.out.join("metrics.json"), &metrics)?;
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
