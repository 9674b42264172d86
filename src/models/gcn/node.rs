//! Kipf & Welling's two-layer GCN for semi-supervised node classification, trained as in
//! tkipf/gcn: dropout on the input and hidden features, no biases, Adam, L2 weight decay on the
//! first layer only (added to the gradient by the optimizer, reported as wd · ‖W1‖² / 2 like
//! `tf.nn.l2_loss`), and early stopping once the validation loss exceeds the mean of the
//! previous `patience` epochs.

use std::time::Instant;

use serde::Serialize;

use super::{
    accuracy, check_disjoint, check_finite_values, check_training_constants, first, weight,
    EpochLog,
};
use crate::autodiff::optim::Adam;
use crate::autodiff::{ParamId, ParamStore, StepLosses, Tape, Var};
use crate::data::planetoid::Planetoid;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::{Csr, HostCsr};
use crate::tensor::Tensor;

/// Hyper-parameters (defaults: Kipf & Welling 2017 on Cora).
#[derive(Debug, Clone, Serialize)]
pub struct NodeGcnConfig {
    /// Hidden units.
    pub hidden: usize,
    /// Dropout probability.
    pub dropout: f32,
    /// Adam learning rate.
    pub lr: f32,
    /// L2 weight decay of the first layer.
    pub weight_decay: f32,
    /// Maximum epochs.
    pub epochs: usize,
    /// Early-stopping window (0 disables early stopping).
    pub patience: usize,
}

impl Default for NodeGcnConfig {
    fn default() -> Self {
        NodeGcnConfig {
            hidden: 16,
            dropout: 0.5,
            lr: 0.01,
            weight_decay: 5e-4,
            epochs: 200,
            patience: 10,
        }
    }
}

/// One graph with features, labels and the train/val/test node sets.
pub struct NodeTask {
    /// Normalised adjacency Â [n, n].
    pub adj: Csr,
    /// Node features [n, f] as a sparse matrix (bag-of-words features are mostly zeros).
    pub features: Csr,
    /// Class of every node (anything for nodes outside the three sets).
    pub labels: Vec<u32>,
    /// Number of classes.
    pub classes: usize,
    /// Training nodes.
    pub train: Vec<usize>,
    /// Validation nodes.
    pub val: Vec<usize>,
    /// Test nodes.
    pub test: Vec<usize>,
}

impl NodeTask {
    /// The task of a Planetoid graph as Kipf & Welling set it up (and `synchgraph train gcn`
    /// runs it): the symmetric adjacency normalised to Â = D^-1/2 (A + I) D^-1/2, every
    /// feature row normalised to sum 1 and stored as a sparse matrix of its non-zeros, and the
    /// data set's train, validation and test nodes.
    pub fn from_planetoid(gpu: &Gpu, data: &Planetoid) -> Result<NodeTask> {
        let (n, f) = (data.num_nodes, data.num_features);
        let adj = Csr::from_edges(gpu, n, &data.edges, None, false, true)?.gcn_normalized()?;
        let triples: Vec<(u32, u32, f32)> = data
            .row_normalized_features()
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0.0)
            .map(|(k, &v)| ((k / f) as u32, (k % f) as u32, v))
            .collect();
        let features = Csr::from_host(gpu, n, f, HostCsr::from_triples(n, triples))?;
        let idx = |v: &[u32]| v.iter().map(|&i| i as usize).collect::<Vec<_>>();
        Ok(NodeTask {
            adj,
            features,
            labels: data.labels_or_zero(),
            classes: data.num_classes,
            train: idx(&data.train),
            val: idx(&data.val),
            test: idx(&data.test),
        })
    }
}

/// The two-layer model: logits = Â · drop(relu(Â · drop(X) · W1)) · W2, with X sparse (its
/// dropout acts on the stored values) so X · W1 and its gradient Xᵀ · G are sparse products.
pub struct NodeGcn {
    /// Trainable parameters (`gcn1.weight`, `gcn2.weight`).
    pub store: ParamStore,
    w1: ParamId,
    w2: ParamId,
    /// Hyper-parameters.
    pub config: NodeGcnConfig,
}

/// Result of one training run.
#[derive(Debug, Clone, Serialize)]
pub struct NodeRun {
    /// Seed of the run.
    pub seed: u64,
    /// Epochs actually run (early stopping may end the run sooner).
    pub epochs_run: usize,
    /// Test accuracy of the final model.
    pub test_accuracy: f64,
    /// Validation accuracy of the final model.
    pub val_accuracy: f64,
    /// Wall-clock seconds per epoch (training step plus validation pass).
    pub seconds_per_epoch: f64,
    /// Per-epoch losses.
    pub history: Vec<EpochLog>,
}

impl NodeGcn {
    /// A freshly initialised model for `features` inputs and `classes` outputs. Errors when a
    /// size is 0, `lr` is not positive and finite, `dropout` is outside [0, 1) or the weight
    /// decay is negative or not finite.
    pub fn new(
        gpu: &Gpu,
        features: usize,
        classes: usize,
        config: NodeGcnConfig,
        seed: u64,
    ) -> Result<NodeGcn> {
        if features == 0 || classes == 0 || config.hidden == 0 {
            return Err(Error::InvalidInput(format!(
                "GCN needs features, classes and hidden units > 0, got {features}, {classes}, {}",
                config.hidden
            )));
        }
        check_training_constants("GCN", config.lr, config.dropout, config.weight_decay)?;
        let mut store = ParamStore::new();
        let h = config.hidden;
        let w1 = weight(
            gpu,
            &mut store,
            "gcn1.weight",
            [features, h],
            config.weight_decay,
            seed,
        )?;
        let w2 = weight(
            gpu,
            &mut store,
            "gcn2.weight",
            [h, classes],
            0.0,
            seed ^ 0xabcd,
        )?;
        Ok(NodeGcn {
            store,
            w1,
            w2,
            config,
        })
    }

    /// Record the forward pass; returns the logits [n, classes].
    pub fn forward(&self, tape: &mut Tape, adj: &Csr, x: &Csr) -> Result<Var> {
        let p = self.config.dropout;
        let w1 = tape.param(&self.store, self.w1);
        let w2 = tape.param(&self.store, self.w2);
        let x = tape.sparse_dropout(x, p)?;
        let h = tape.spmm(&x, &w1)?;
        let h = tape.spmm(adj, &h)?;
        let h = tape.relu(&h)?;
        let h = tape.dropout(&h, p)?;
        let h = tape.matmul(&h, &w2)?;
        tape.spmm(adj, &h)
    }

    /// One full-batch training step on the graph `(adj, x)`: masked cross-entropy on
    /// `(labels, mask)` plus the weight-decay term, backward, and an Adam update. Returns the loss
    /// (not read back).
    pub fn train_step(
        &mut self,
        gpu: &Gpu,
        adam: &mut Adam,
        (adj, x): (&Csr, &Csr),
        (labels, mask): (&Tensor, &Tensor),
        seed: u64,
    ) -> Result<Var> {
        let mut tape = Tape::new(gpu, true, seed);
        let logits = self.forward(&mut tape, adj, x)?;
        let ce = tape.softmax_cross_entropy(&logits, labels, Some(mask))?;
        let decay = self.decay_term(&mut tape)?;
        let loss = tape.add(&ce, &decay)?;
        self.store.zero_grad();
        tape.backward(&loss, &mut self.store)?;
        adam.step(&mut self.store)?;
        Ok(loss)
    }

    /// The reported weight-decay term wd · ‖W1‖² / 2 (no gradient: the optimizer applies decay).
    fn decay_term(&self, tape: &mut Tape) -> Result<Var> {
        let w1 = tape.constant(self.store.value(self.w1));
        tape.l2_penalty(&w1, self.config.weight_decay / 2.0)
    }

    /// Record the evaluation-mode pass: the loss on `mask` and the logits, not read back.
    fn record_eval(
        &self,
        gpu: &Gpu,
        task: &NodeTask,
        labels: &Tensor,
        mask: &Tensor,
    ) -> Result<[Tensor; 2]> {
        let mut tape = Tape::new(gpu, false, 0);
        let logits = self.forward(&mut tape, &task.adj, &task.features)?;
        let ce = tape.softmax_cross_entropy(&logits, labels, Some(mask))?;
        let decay = self.decay_term(&mut tape)?;
        let loss = tape.add(&ce, &decay)?;
        Ok([loss.value().clone(), logits.value().clone()])
    }

    /// Loss and logits in evaluation mode on `mask` (one readback).
    fn evaluate(
        &self,
        gpu: &Gpu,
        task: &NodeTask,
        labels: &Tensor,
        mask: &Tensor,
    ) -> Result<(f32, Vec<f32>)> {
        let [loss, logits] = self.record_eval(gpu, task, labels, mask)?;
        let mut read = StepLosses::read_all(gpu, &[&loss, &logits])?.into_iter();
        let loss = first(&read.next().unwrap_or_default())?;
        Ok((loss, read.next().unwrap_or_default()))
    }

    /// Train on `task` with `seed` (initialisation and dropout), calling `on_epoch` after each
    /// epoch; returns the run summary with the final model's test accuracy.
    /// [`Error::InvalidInput`] for `config.epochs` 0, an empty or out-of-range node set, a
    /// node listed twice (within a set or across the three), or a feature value or adjacency
    /// entry that is not finite (in the host copies); a shape error for mismatched sizes.
    pub fn train(
        gpu: &Gpu,
        task: &NodeTask,
        config: NodeGcnConfig,
        seed: u64,
        on_epoch: &mut dyn FnMut(&EpochLog),
    ) -> Result<(NodeGcn, NodeRun)> {
        if config.epochs == 0 {
            return Err(Error::InvalidInput(
                "GCN needs at least 1 epoch (none to report the model of)".into(),
            ));
        }
        let n = task.labels.len();
        let (rows, feats) = (task.features.n_rows, task.features.n_cols);
        if rows != n || task.adj.n_rows != n {
            return Err(Error::shape(
                "NodeGcn::train",
                format!(
                    "{n} labels, {rows} feature rows and a {}-node graph",
                    task.adj.n_rows
                ),
            ));
        }
        check_finite_values("the feature value", &task.features)?;
        check_finite_values("the adjacency entry", &task.adj)?;
        for (what, set) in [
            ("train", &task.train),
            ("val", &task.val),
            ("test", &task.test),
        ] {
            if set.is_empty() {
                return Err(Error::InvalidInput(format!("the {what} node set is empty")));
            }
            if let Some(&i) = set.iter().find(|&&i| i >= n) {
                return Err(Error::InvalidInput(format!("{what} node {i} >= {n} nodes")));
            }
            // Only the nodes of the three sets are scored; the others may carry anything.
            if let Some(&i) = set
                .iter()
                .find(|&&i| task.labels[i] as usize >= task.classes)
            {
                return Err(Error::InvalidInput(format!(
                    "{what} node {i} has label {} out of range for {} classes",
                    task.labels[i], task.classes
                )));
            }
        }
        check_disjoint(
            "node",
            n,
            [
                ("train", &task.train),
                ("val", &task.val),
                ("test", &task.test),
            ],
        )?;
        let mask_of = |set: &[usize]| -> Result<Tensor> {
            let mut m = vec![0.0f32; n];
            set.iter().for_each(|&i| m[i] = 1.0);
            Tensor::from_f32(gpu, &[n], &m)
        };
        let labels = Tensor::from_u32(gpu, &[n], &task.labels)?;
        let (train_mask, val_mask) = (mask_of(&task.train)?, mask_of(&task.val)?);
        let mut model = NodeGcn::new(gpu, feats, task.classes, config.clone(), seed)?;
        let mut adam = Adam::new(config.lr);
        let mut history: Vec<EpochLog> = Vec::new();
        let start = Instant::now();
        for epoch in 0..config.epochs {
            let loss = model.train_step(
                gpu,
                &mut adam,
                (&task.adj, &task.features),
                (&labels, &train_mask),
                seed.wrapping_mul(1000).wrapping_add(epoch as u64),
            )?;
            // The validation pass is recorded before anything is read back, and the training
            // loss, the validation loss and the logits are read with one readback: the host
            // waits for the GPU once per epoch.
            let [eval_loss, logits] = model.record_eval(gpu, task, &labels, &val_mask)?;
            let mut read =
                StepLosses::read_all(gpu, &[loss.value(), &eval_loss, &logits])?.into_iter();
            let mut next = || read.next().unwrap_or_default();
            let (train_loss, val_loss, logits) = (first(&next())?, first(&next())?, next());
            if !train_loss.is_finite() {
                return Err(Error::InvalidInput(format!(
                    "training diverged: loss {train_loss} at epoch {epoch}"
                )));
            }
            let log = EpochLog {
                epoch,
                train_loss,
                val_loss,
                val_accuracy: accuracy(&logits, task.classes, &task.labels, &task.val)?,
                test_accuracy: accuracy(&logits, task.classes, &task.labels, &task.test)?,
            };
            on_epoch(&log);
            history.push(log);
            if should_stop(&history, config.patience) {
                break;
            }
        }
        let seconds_per_epoch = start.elapsed().as_secs_f64() / history.len().max(1) as f64;
        let (_, logits) = model.evaluate(gpu, task, &labels, &val_mask)?;
        let run = NodeRun {
            seed,
            epochs_run: history.len(),
            test_accuracy: accuracy(&logits, task.classes, &task.labels, &task.test)?,
            val_accuracy: accuracy(&logits, task.classes, &task.labels, &task.val)?,
            seconds_per_epoch,
            history,
        };
        Ok((model, run))
    }
}

/// tkipf/gcn's rule: after more than `patience` epochs, stop when the latest validation loss
/// is above the mean of the `patience` epochs before it.
pub fn should_stop(history: &[EpochLog], patience: usize) -> bool {
    let e = history.len();
    if patience == 0 || e <= patience + 1 {
        return false;
    }
    let last = history[e - 1].val_loss;
    let window = &history[e - 1 - patience..e - 1];
    let mean = window.iter().map(|h| h.val_loss).sum::<f32>() / patience as f32;
    last > mean
}
