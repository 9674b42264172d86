//! `train gcn` on a Planetoid graph: node classification, one run per seed.

use anyhow::{bail, Context, Result};
use serde_json::json;
use synchgraph::autodiff::ParamStore;
use synchgraph::data::planetoid::Planetoid;
use synchgraph::models::gcn::{NodeGcn, NodeGcnConfig, NodeTask};
use synchgraph::Gpu;

use super::{on_epoch, Args, Outcome, RunBars};
use crate::cli::output::errln;

/// Train `--runs` seeds of the node-classification GCN on the Planetoid split.
pub(super) fn node_classification(gpu: &Gpu, args: &Args) -> Result<Outcome> {
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
    // Distinct labels, not the label range: labels all 1 give num_classes 2 but one class.
    let distinct: std::collections::BTreeSet<_> = data.labels.iter().flatten().collect();
    if distinct.len() < 2 {
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
    let task = NodeTask::from_planetoid(gpu, &data).context("building the graph task")?;
    errln!(
        "{}: {} nodes, {} features, {} classes, {}/{}/{} train/val/test",
        data.name,
        data.num_nodes,
        data.num_features,
        data.num_classes,
        task.train.len(),
        task.val.len(),
        task.test.len()
    );
    let bars = RunBars::new(args.runs, "runs");
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
        let seed = args.seed.wrapping_add(r as u64);
        let pb = bars.epoch_bar(config.epochs);
        let (model, run) = NodeGcn::train(gpu, &task, config.clone(), seed, &mut on_epoch(&pb))
            .with_context(|| format!("training run {r} (seed {seed})"))?;
        bars.finish_run(
            &pb,
            format!("last test acc {:.4}", run.test_accuracy),
            &format!(
                "run {r} (seed {seed}): test accuracy {:.4}, {} epochs, {:.4} s/epoch",
                run.test_accuracy, run.epochs_run, run.seconds_per_epoch
            ),
        );
        out.record(
            run.test_accuracy,
            run.seconds_per_epoch,
            json!({
                "run": r,
                "seed": seed,
                "test_accuracy": run.test_accuracy,
                "val_accuracy": run.val_accuracy,
                "epochs_run": run.epochs_run,
                "seconds_per_epoch": run.seconds_per_epoch,
                "final_train_loss": run.history.last().map(|h| h.train_loss),
                "final_val_loss": run.history.last().map(|h| h.val_loss),
            }),
        );
        if r == 0 {
            out.first_history = run.history;
            out.store = model.store;
        }
    }
    bars.overall.finish_and_clear();
    Ok(out)
}
