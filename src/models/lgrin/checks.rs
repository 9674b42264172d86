//! Checks on what the L-GrIN calls are given and give back: clip indices, labels and feature
//! matrices before a pass, and the finiteness of class probabilities after it.

use super::model::Lgrin;
use crate::error::{Error, Result};
use crate::features::FrameMatrix;
use crate::models::non_finite_feature;

/// Refuse probabilities that are not finite, naming the first clip by `name(row)`. An input far
/// outside the range the model was trained on, or a broken model, would otherwise come out as a
/// confident first class.
pub(super) fn check_finite(
    probs: &[f32],
    classes: usize,
    name: &dyn Fn(usize) -> String,
) -> Result<()> {
    let Some(row) = probs
        .iter()
        .position(|p| !p.is_finite())
        .map(|i| i / classes.max(1))
    else {
        return Ok(());
    };
    Err(Error::InvalidInput(format!(
        "{}: the model's class probabilities are not finite (features far outside the \
         trained range, or a broken model)",
        name(row)
    )))
}

/// Refuse a clip of `idx` (the `what` part: training, validation or scored clips) that has no
/// features or no label in `feats` / `labels`, whose label is not one of the model's classes, or
/// whose features [`check_matrix`] refuses, naming the first one by its number in the data set.
pub(super) fn check_clips(
    model: &Lgrin,
    feats: &[FrameMatrix],
    labels: &[usize],
    idx: &[usize],
    what: &str,
) -> Result<()> {
    let classes = model.config.classes;
    for &i in idx {
        if i >= feats.len() || i >= labels.len() {
            return Err(Error::InvalidInput(format!(
                "{what} clip {i} is past the data ({} feature matrices, {} labels)",
                feats.len(),
                labels.len()
            )));
        }
        if labels[i] >= classes {
            return Err(Error::InvalidInput(format!(
                "{what} clip {i} has label {}, out of range for {classes} classes",
                labels[i]
            )));
        }
        check_matrix(model, &feats[i], &format!("{what} clip {i}"))?;
    }
    Ok(())
}

/// Refuse node features `clip` (called `name` in the error) that are not `[nodes, in_dims]` for
/// the model, or that hold a NaN or infinite value: such a value would turn a whole training
/// minibatch's loss into NaN (reported as divergence) or a clip's probabilities into NaN.
pub(super) fn check_matrix(model: &Lgrin, clip: &FrameMatrix, name: &str) -> Result<()> {
    let (m, f) = (model.config.nodes, model.config.in_dims);
    if clip.rows != m || clip.cols != f {
        return Err(Error::shape(
            "lgrin input",
            format!(
                "{name} is [{}, {}], the model needs [{m}, {f}]",
                clip.rows, clip.cols
            ),
        ));
    }
    if clip.data.len() != m * f {
        return Err(Error::shape(
            "lgrin input",
            format!("{name} holds {} values for [{m}, {f}]", clip.data.len()),
        ));
    }
    if let Some((node, k, v)) = non_finite_feature(&clip.data, f) {
        return Err(Error::InvalidInput(format!(
            "{name}: feature {k} of node {node} is {v}, not finite"
        )));
    }
    Ok(())
}
