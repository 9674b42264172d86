//! `synchgraph train gcn`: Kipf GCN on a Planetoid graph (node classification, several seeds)
//! or GCN + readout on a TU data set (graph classification, stratified k-fold). Writes
//! `metrics.json`, `loss.png` (training and validation loss of the first run) and
//! `model.safetensors` (parameters of the first run, written atomically) into `--out`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;
use synchgraph::autodiff::ParamStore;
use synchgraph::data::planetoid::{self, Planetoid};
use synchgraph::data::split::{complement, stratified_kfold, train_val_split};
use synchgraph::data::tu::{self, TuDataset};
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{
    param_shapes, EpochLog, GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, NodeTask,
    Readout,
};
use synchgraph::report::{mean_std, plot, Checkpoint};
use synchgraph::Gpu;

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
    /// Folds of the stratified cross-validation (TU only).
    #[arg(long, default_value_t = 10)]
    folds: usize,
    /// Hidden units (default: 16 for Planetoid, 64 for TU).
    #[arg(long)]
    hidden: Option<usize>,
    /// Graph readout (TU only).
    #[arg(long, value_enum, default_value_t = Readout::Concat)]
    readout: Readout,
    /// Graphs per mini-batch (TU only).
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Early-stopping window in epochs, 0 to disable (Planetoid only).
    #[arg(long, default_value_t = 10)]
    patience: usize,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
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
    store: ParamStore,
    config: serde_json::Value,
    dataset: String,
    format: &'static str,
    epochs: usize,
}

/// Run the training and write the outputs.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let format = detect(&args.data)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let gpu = super::super::open_gpu(&cli.adapter, false)?;
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
    let config = NodeGcnConfig {
        hidden: args.hidden.unwrap_or(16),
        epochs: args.epochs.unwrap_or(200),
        patience: args.patience,
        ..NodeGcnConfig::default()
    };
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
    let config = GraphGcnConfig {
        hidden: args.hidden.unwrap_or(64),
        epochs: args.epochs.unwrap_or(100),
        readout: args.readout,
        batch_size: args.batch_size,
        ..GraphGcnConfig::default()
    };
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
        args.folds,
        args.runs
    );
    let multi = MultiProgress::new();
    let (overall, style) = bars(&multi, (args.runs * args.folds) as u64, "folds");
    let mut out = Outcome {
        accuracies: vec![],
        seconds_per_epoch: vec![],
        per_run: vec![],
        first_history: vec![],
        store: ParamStore::new(),
        config: json!({
            "model": "gcn-graph",
            "gcn": config.clone(),
            "folds": args.folds,
            "validation_fraction": 0.1,
            "selection": "test accuracy at the epoch of best validation accuracy",
        }),
        dataset: data.name.clone(),
        format: "tu",
        epochs: config.epochs,
    };
    for r in 0..args.runs {
        let seed = args.seed + r as u64;
        let folds = stratified_kfold(&labels, args.folds, seed).context("making the folds")?;
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
            if r == 0 && k == 0 {
                out.first_history = run.history;
                out.store = model.store;
            }
        }
    }
    overall.finish_and_clear();
    Ok(out)
}

fn write_outputs(gpu: &Gpu, args: &Args, o: Outcome, seconds: f64) -> Result<()> {
    let (mean, std) = mean_std(&o.accuracies);
    let (spe, _) = mean_std(&o.seconds_per_epoch);
    let shapes = param_shapes(&o.store);
    let train: Vec<f32> = o.first_history.iter().map(|h| h.train_loss).collect();
    let val: Vec<f32> = o.first_history.iter().map(|h| h.val_loss).collect();
    let metrics = json!({
        "test_accuracy": mean,
        "test_accuracy_std": std,
        "runs": o.accuracies.len(),
        "epochs": o.epochs,
        "seconds_per_epoch": spe,
        "seconds_total": seconds,
        "adapter": gpu.info(),
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
    let metrics_path = args.out.join("metrics.json");
    let text = serde_json::to_string_pretty(&metrics)?;
    synchgraph::report::write_atomic(&metrics_path, text.as_bytes())
        .with_context(|| format!("writing {}", metrics_path.display()))?;
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
    println!(
        "{}: test accuracy {:.2}% ± {:.2} over {} runs, {:.4} s/epoch -> {}",
        o.dataset,
        100.0 * mean,
        100.0 * std,
        o.accuracies.len(),
        spe,
        args.out.display()
    );
    Ok(())
}
