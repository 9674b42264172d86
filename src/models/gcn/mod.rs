//! Graph convolutional networks (Kipf & Welling 2017): a two-layer node classifier trained on
//! one graph with masked labels ([`node`]), and a GCN with graph pooling for classifying many
//! small graphs batched block-diagonally ([`graph`]).
//!
//! A GCN layer is Â (H W) (+ b), with Â = D^-1/2 (A + I) D^-1/2 computed on the host from the
//! adjacency's host copy by [`crate::graph::Csr::gcn_normalized`] (then uploaded), and the product
//! on the GPU by the tape's sparse op.
//!
//! Like Kipf & Welling, [`NodeTask::from_planetoid`] (which `synchgraph train gcn` uses on a
//! Planetoid folder such as Cora) row-normalises the node features, each row divided by its sum
//! ([`Planetoid::row_normalized_features`](crate::data::planetoid::Planetoid::row_normalized_features)),
//! not the raw binary [`Planetoid::features`](crate::data::planetoid::Planetoid::features). A
//! library user building a [`NodeTask`] by hand from raw bag-of-words features should do the
//! same to match the paper's setup.

pub mod graph;
mod graph_config;
mod graph_task;
pub mod node;

use serde::Serialize;

use crate::autodiff::{init, ParamId, ParamStore};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::Csr;
use crate::tensor::{DType, Tensor};

pub use graph::{GraphGcn, GraphGcnConfig, GraphRun, GraphTask, Readout, ReadoutLayers, Selection};
pub use node::{NodeGcn, NodeGcnConfig, NodeRun, NodeTask};

/// Losses and accuracy after one training epoch.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EpochLog {
    /// 0-based epoch.
    pub epoch: usize,
    /// Training loss: the node GCN's includes its reported weight-decay term (as tkipf/gcn's);
    /// the graph GCN's is the mean cross-entropy alone (its decay acts through the optimizer).
    pub train_loss: f32,
    /// Validation loss, with the same terms as `train_loss`.
    pub val_loss: f32,
    /// Validation accuracy in [0, 1].
    pub val_accuracy: f64,
    /// Test accuracy of the model after this epoch (recorded for the learning curve and for
    /// the epoch-selection protocol of Xu et al.; never used to stop or select within a run).
    pub test_accuracy: f64,
}

/// Name and shape of every parameter, in creation order (for summaries and snapshots).
pub fn param_shapes(store: &ParamStore) -> Vec<(String, Vec<usize>)> {
    store
        .ids()
        .map(|id| (store.name(id).to_string(), store.value(id).shape().to_vec()))
        .collect()
}

/// Refuse training constants that cannot train: `lr` not positive and finite, `dropout`
/// outside [0, 1) (its 1 / (1 - p) scale is infinite at 1), or a negative or non-finite weight
/// decay. `model` names the model in the error.
fn check_training_constants(model: &str, lr: f32, dropout: f32, weight_decay: f32) -> Result<()> {
    let lr_ok = lr.is_finite() && lr > 0.0;
    let dropout_ok = (0.0..1.0).contains(&dropout);
    let decay_ok = weight_decay.is_finite() && weight_decay >= 0.0;
    if lr_ok && dropout_ok && decay_ok {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "{model} needs lr > 0, dropout in [0, 1) and weight decay >= 0, got {lr}, {dropout}, \
         {weight_decay}"
    )))
}

/// [`Error::InvalidInput`] when an item (a `kind`, "node" or "graph", below `n`) is listed
/// twice, within one of the named sets or across them: a test item also trained on, or
/// counted twice, would make the reported accuracy wrong. The sets must be in range.
fn check_disjoint(kind: &str, n: usize, sets: [(&str, &[usize]); 3]) -> Result<()> {
    match crate::data::split::listed_twice(n, &sets) {
        Some((i, other, what)) => Err(Error::InvalidInput(format!(
            "{kind} {i} is listed in {other} and again in {what}; the train, val and test sets \
             must be disjoint and list each {kind} once"
        ))),
        None => Ok(()),
    }
}

/// [`Error::InvalidInput`] naming the first stored value of `m` that is not finite, by node
/// (row) and column; `what` names the matrix. Only the host copy is read, so values replaced
/// on the GPU ([`Csr::with_values`]) are not checked. A NaN feature would not show in the loss:
/// the ReLU after the first layer turns the rows it reaches into zeros.
fn check_finite_values(what: &str, m: &Csr) -> Result<()> {
    if !m.host_values_current {
        return Ok(());
    }
    match m.host.first_non_finite() {
        Some((row, col, v)) => Err(Error::InvalidInput(format!(
            "{what} of node {row}, column {col}, is {v}, not a finite number"
        ))),
        None => Ok(()),
    }
}

/// A Glorot-uniform weight [fan_in, fan_out] with the given weight decay.
fn weight(
    gpu: &Gpu,
    store: &mut ParamStore,
    name: &str,
    shape: [usize; 2],
    decay: f32,
    seed: u64,
) -> Result<ParamId> {
    let w = init::xavier_uniform(gpu, &shape, seed)?;
    Ok(store.add(name, w, decay))
}

/// A zero bias of shape `[n]` without weight decay.
fn bias(gpu: &Gpu, store: &mut ParamStore, name: &str, n: usize) -> Result<ParamId> {
    Ok(store.add(name, Tensor::zeros(gpu, &[n], DType::F32)?, 0.0))
}

/// The value of a one-element loss as read back.
fn first(values: &[f32]) -> Result<f32> {
    values
        .first()
        .copied()
        .ok_or_else(|| Error::shape("item", "tensor is empty"))
}

/// Fraction of `rows` whose argmax of `logits` (row-major, `classes` wide) equals the label;
/// non-finite logits are an error, never a silent class 0.
fn accuracy(logits: &[f32], classes: usize, labels: &[u32], rows: &[usize]) -> Result<f64> {
    if rows.is_empty() {
        return Ok(0.0);
    }
    let pred = crate::report::argmax_rows(logits, classes, "GCN logits")?;
    let hit = rows.iter().filter(|&&r| pred[r] == labels[r]).count();
    Ok(hit as f64 / rows.len() as f64)
}
