//! `train gcn` on a TU data set: graph classification under stratified k-fold cross-validation.

use anyhow::{bail, Context, Result};
use serde_json::json;
use synchgraph::autodiff::optim::LrSchedule;
use synchgraph::autodiff::ParamStore;
use synchgraph::data::split::{complement, stratified_kfold, train_val_split};
use synchgraph::data::tu::TuDataset;
use synchgraph::models::gcn::{GraphGcn, GraphGcnConfig, GraphTask, Selection};
use synchgraph::Gpu;

use super::{on_epoch, Args, Outcome, RunBars};
use crate::cli::output::errln;

/// Train `--runs` repetitions of stratified k-fold cross-validation of the graph-classification
/// GCN.
pub(super) fn graph_classification(gpu: &Gpu, args: &Args) -> Result<Outcome> {
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
    errln!(
        "{}: {} graphs, {} node features, {} classes, {}-fold CV x {} runs",
        data.name,
        data.graphs.len(),
        data.num_features,
        data.num_classes(),
        fold_count,
        args.runs
    );
    let bars = RunBars::new(args.runs.saturating_mul(fold_count), "folds");
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
        let seed = args.seed.wrapping_add(r as u64);
        let folds = stratified_kfold(&labels, fold_count, seed)
            .with_context(|| format!("--folds {fold_count}: making the folds"))?;
        for (k, test) in folds.iter().enumerate() {
            let rest = complement(labels.len(), test);
            let (train, val) = train_val_split(&rest, &labels, 0.1, seed.wrapping_add(k as u64))
                .with_context(|| format!("carving validation graphs for fold {k}"))?;
            check_trained_classes(&labels, &train, test, &data.class_values, k)?;
            let pb = bars.epoch_bar(config.epochs);
            let fold_seed = fold_seed(seed, fold_count, k);
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
            bars.finish_run(
                &pb,
                format!("fold {k} test acc {:.4}", run.test_accuracy),
                &format!(
                    "run {r} fold {k}: test accuracy {:.4} (best epoch {}), {:.4} s/epoch",
                    run.test_accuracy, run.best_epoch, run.seconds_per_epoch
                ),
            );
            out.record(
                run.test_accuracy,
                run.seconds_per_epoch,
                json!({
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
                }),
            );
            out.test_curves
                .push(run.history.iter().map(|h| h.test_accuracy).collect());
            if r == 0 && k == 0 {
                out.first_history = run.history;
                out.store = model.store;
            }
        }
    }
    bars.overall.finish_and_clear();
    out.folds = fold_count;
    Ok(out)
}

/// Refuse fold `k` when a class of its `test` graphs has no graph in `train`: the model could
/// never predict it (a class of one graph always ends so). `values` are the classes' labels as
/// the data set writes them.
fn check_trained_classes(
    labels: &[u32],
    train: &[usize],
    test: &[usize],
    values: &[i64],
    k: usize,
) -> Result<()> {
    let trained: std::collections::BTreeSet<u32> = train.iter().map(|&g| labels[g]).collect();
    if let Some(&c) = test
        .iter()
        .map(|&g| &labels[g])
        .find(|c| !trained.contains(c))
    {
        let total = labels.iter().filter(|&&l| l == c).count();
        bail!(
            "fold {k}: its test graphs include class {} ({total} graph(s) in the data set), \
             which no training graph has, so the model could never predict it; every class \
             needs at least 2 graphs",
            values.get(c as usize).copied().unwrap_or(i64::from(c))
        );
    }
    Ok(())
}

/// The protocol of Xu et al. (GIN): for each repetition, the one epoch whose test accuracy
/// averaged over the folds is highest; returns that epoch (0-based, per repetition) and the
/// fold accuracies there.
pub(super) fn best_common_epoch(curves: &[Vec<f64>], folds: usize) -> (Vec<usize>, Vec<f64>) {
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

/// The model seed of fold `k` in the run seeded `run_seed`: `run_seed * stride + k` with a
/// stride of at least 100 and at least the fold count, so that no two (run, fold) pairs of one
/// command share a seed, even with more than 100 folds (with up to 100 folds it is the
/// `run_seed * 100 + k` of earlier versions, whose recorded results it reproduces).
fn fold_seed(run_seed: u64, folds: usize, k: usize) -> u64 {
    let stride = (folds as u64).max(100);
    run_seed.wrapping_mul(stride).wrapping_add(k as u64)
}

#[cfg(test)]
mod tests {
    use super::fold_seed;
    use std::collections::HashSet;

    #[test]
    fn fold_seeds_are_distinct_across_runs_and_folds() {
        for folds in [10, 100, 188] {
            let mut seen = HashSet::new();
            for run in 0..3u64 {
                for k in 0..folds {
                    assert!(
                        seen.insert(fold_seed(7 + run, folds, k)),
                        "{folds} folds: run {run} fold {k} repeats a seed"
                    );
                }
            }
        }
        // Up to 100 folds the seeds are those recorded before.
        assert_eq!(fold_seed(3, 10, 4), 304);
    }
}
