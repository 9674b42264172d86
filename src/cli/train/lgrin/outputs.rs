//! The files `train lgrin` writes: model.safetensors, loss.png, confusion.png, adjacency.png
//! and, last, metrics.json.

use std::path::Path;

use anyhow::Result;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::models::lgrin::{save_model, Lgrin, ModelKind, TrainOutcome};
use synchgraph::report::{plot, Confusion};

use crate::cli::out_paths::write_json;

/// Write the outputs of a run into `out`: the model and the figures first, then `metrics`,
/// whose file marks a complete run.
pub(super) fn write_outputs(
    out: &Path,
    model: &mut Lgrin,
    outcome: &TrainOutcome,
    classes: &[String],
    settings: &FeatureSettings,
    confusion: &Confusion,
    metrics: &serde_json::Value,
) -> Result<()> {
    // The model first: metrics.json, written last, marks a complete run.
    crate::cli::out_paths::clear_metrics(out)?;
    save_model(model, classes, settings, &out.join("model.safetensors"))?;
    let train_loss: Vec<f32> = outcome.log.iter().map(|e| e.train_loss).collect();
    let val_loss: Vec<f32> = outcome
        .log
        .iter()
        .map(|e| e.val_loss.unwrap_or(f32::NAN))
        .collect();
    let loss_title = match model.config.model {
        ModelKind::Lgrin => "L-GrIN training loss",
        ModelKind::GcnBaseline => "GCN baseline training loss",
    };
    plot::line_plot(
        &out.join("loss.png"),
        loss_title,
        "epoch",
        &[("train loss", &train_loss), ("validation CE", &val_loss)],
    )?;
    plot::confusion_plot(
        &out.join("confusion.png"),
        "confusion (test)",
        confusion,
        classes,
    )?;
    let m = model.config.nodes;
    // The title names the graph drawn: only a learned A is ReLU(A) (see `Lgrin::adjacency`).
    let adjacency_title = match (model.config.model, model.config.learned_a) {
        (ModelKind::GcnBaseline, _) => "fixed normalised temporal adjacency",
        (ModelKind::Lgrin, false) => "fixed temporal adjacency A",
        (ModelKind::Lgrin, true) => "learned ReLU(A)",
    };
    plot::heatmap(
        &out.join("adjacency.png"),
        adjacency_title,
        &model.adjacency()?,
        m,
        m,
    )?;
    write_json(&out.join("metrics.json"), metrics)?;
    Ok(())
}
