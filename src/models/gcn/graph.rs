//! GCN with graph pooling for graph classification: three GCN layers (Â H W + b, relu), a
//! readout over each graph's nodes (sum, mean, max or their concatenation, by segment pooling
//! over the block-diagonal batch), dropout and a linear classifier. The readout pools either the
//! last layer or, as in Xu et al. (GIN), every layer including the input features, side by side.
//! Trained with Adam (optionally StepLR) on mini-batches of graphs drawn afresh each epoch; the
//! reported test accuracy is the one at the epoch chosen on the validation graphs (carved from
//! the training folds) by [`Selection`]. Every epoch's test accuracy is kept in the history as
//! well, for the protocol of Xu et al. (one epoch count chosen for all folds by the mean fold
//! accuracy).

use std::time::Instant;

use serde::Serialize;

use super::{accuracy, bias, check_disjoint, check_training_constants, first, weight, EpochLog};
use crate::autodiff::optim::Adam;
use crate::autodiff::{ParamId, ParamStore, StepLosses, Tape, Var};
use crate::data::split::SplitMix;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::reduce::ReduceOp;
use crate::tensor::Tensor;

pub use super::graph_config::{GraphGcnConfig, Readout, ReadoutLayers, Selection};
pub use super::graph_task::{GraphBatchData, GraphTask};

/// The graph classifier.
pub struct GraphGcn {
    /// Trainable parameters.
    pub store: ParamStore,
    layers: Vec<(ParamId, ParamId)>,
    classifier: (ParamId, ParamId),
    /// Hyper-parameters.
    pub config: GraphGcnConfig,
}

/// Result of one fold.
#[derive(Debug, Clone, Serialize)]
pub struct GraphRun {
    /// Fold index.
    pub fold: usize,
    /// Epochs run.
    pub epochs_run: usize,
    /// Epoch (0-based) chosen on the validation graphs.
    pub best_epoch: usize,
    /// Test accuracy at that epoch.
    pub test_accuracy: f64,
    /// Validation accuracy at that epoch.
    pub val_accuracy: f64,
    /// Wall-clock seconds per epoch (training plus validation and test passes).
    pub seconds_per_epoch: f64,
    /// Per-epoch losses.
    pub history: Vec<EpochLog>,
}

impl GraphGcn {
    /// A freshly initialised model.
    pub fn new(
        gpu: &Gpu,
        features: usize,
        classes: usize,
        config: GraphGcnConfig,
        seed: u64,
    ) -> Result<GraphGcn> {
        if features == 0 || classes == 0 || config.hidden == 0 || config.layers == 0 {
            return Err(Error::InvalidInput(format!(
                "graph GCN needs features, classes, hidden units and layers > 0, got {features}, \
                 {classes}, {}, {}",
                config.hidden, config.layers
            )));
        }
        check_training_constants("graph GCN", config.lr, config.dropout, config.weight_decay)?;
        let mut store = ParamStore::new();
        let mut layers = Vec::new();
        let mut fan_in = features;
        for l in 0..config.layers {
            let w = weight(
                gpu,
                &mut store,
                &format!("gcn{}.weight", l + 1),
                [fan_in, config.hidden],
                config.weight_decay,
                seed.wrapping_add(l as u64 * 7919),
            )?;
            let b = bias(
                gpu,
                &mut store,
                &format!("gcn{}.bias", l + 1),
                config.hidden,
            )?;
            layers.push((w, b));
            fan_in = config.hidden;
        }
        let pooled = match config.readout_layers {
            ReadoutLayers::Last => config.readout.width(config.hidden),
            ReadoutLayers::All => {
                config.readout.width(features) + config.layers * config.readout.width(config.hidden)
            }
        };
        let wc = weight(
            gpu,
            &mut store,
            "classifier.weight",
            [pooled, classes],
            config.weight_decay,
            seed ^ 0x5151,
        )?;
        let bc = bias(gpu, &mut store, "classifier.bias", classes)?;
        Ok(GraphGcn {
            store,
            layers,
            classifier: (wc, bc),
            config,
        })
    }

    /// Record the forward pass over a batch; returns logits [graphs, classes].
    pub fn forward(&self, tape: &mut Tape, batch: &GraphBatchData) -> Result<Var> {
        let mut h = tape.constant(&batch.x);
        let all = self.config.readout_layers == ReadoutLayers::All;
        let mut pooled = Vec::new();
        if all {
            pooled.extend(self.readout(tape, &h, batch)?);
        }
        for (i, &(w, b)) in self.layers.iter().enumerate() {
            let w = tape.param(&self.store, w);
            let b = tape.param(&self.store, b);
            let hw = tape.matmul(&h, &w)?;
            let ah = tape.spmm(&batch.adj, &hw)?;
            let z = tape.add(&ah, &b)?;
            h = tape.relu(&z)?;
            if all || i + 1 == self.layers.len() {
                pooled.extend(self.readout(tape, &h, batch)?);
            }
        }
        let refs: Vec<&Var> = pooled.iter().collect();
        let pooled = match refs.as_slice() {
            [one] => (*one).clone(),
            _ => tape.concat_cols(&refs)?,
        };
        let pooled = tape.dropout(&pooled, self.config.dropout)?;
        let wc = tape.param(&self.store, self.classifier.0);
        let bc = tape.param(&self.store, self.classifier.1);
        let logits = tape.matmul(&pooled, &wc)?;
        tape.add(&logits, &bc)
    }

    /// The configured readout of node embeddings `h`: one [graphs, width] part per reduction.
    fn readout(&self, tape: &mut Tape, h: &Var, batch: &GraphBatchData) -> Result<Vec<Var>> {
        let ops: &[ReduceOp] = match self.config.readout {
            Readout::Sum => &[ReduceOp::Sum],
            Readout::Mean => &[ReduceOp::Mean],
            Readout::Max => &[ReduceOp::Max],
            Readout::Concat => &[ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max],
        };
        ops.iter()
            .map(|&op| tape.segment_pool(h, &batch.offsets, op))
            .collect()
    }

    /// Record the evaluation-mode pass over a batch: its logits and mean loss, not read back.
    fn record_eval(&self, gpu: &Gpu, batch: &GraphBatchData) -> Result<[Tensor; 2]> {
        let mut tape = Tape::new(gpu, false, 0);
        let logits = self.forward(&mut tape, batch)?;
        let loss = tape.softmax_cross_entropy(&logits, &batch.labels, None)?;
        Ok([logits.value().clone(), loss.value().clone()])
    }

    /// Train on the graphs `train`, choose the epoch on `val` by `config.selection` and report
    /// the test accuracy on `test` at that epoch. [`Error::InvalidInput`] for an empty or
    /// out-of-range set, a graph listed twice (within a set or across the three),
    /// `config.epochs` 0 (no epoch to choose), or a task that fails [`GraphTask::batch`]'s
    /// checks (a label per graph below `classes`, `num_nodes x features` finite values).
    #[allow(clippy::too_many_arguments)]
    pub fn train(
        gpu: &Gpu,
        task: &GraphTask,
        train: &[usize],
        val: &[usize],
        test: &[usize],
        config: GraphGcnConfig,
        seed: u64,
        fold: usize,
        on_epoch: &mut dyn FnMut(&EpochLog),
    ) -> Result<(GraphGcn, GraphRun)> {
        task.validate()?;
        if config.epochs == 0 {
            return Err(Error::InvalidInput(
                "graph GCN needs at least 1 epoch (none to choose the model from)".into(),
            ));
        }
        for (what, set) in [("train", train), ("val", val), ("test", test)] {
            if set.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "the {what} graph set is empty"
                )));
            }
            if let Some(&i) = set.iter().find(|&&i| i >= task.graphs.len()) {
                return Err(Error::InvalidInput(format!(
                    "{what} graph {i} >= {} graphs",
                    task.graphs.len()
                )));
            }
        }
        check_disjoint(
            "graph",
            task.graphs.len(),
            [("train", train), ("val", val), ("test", test)],
        )?;
        let mut rng = SplitMix(seed ^ 0xba7c);
        let mut order = train.to_vec();
        let bs = config.batch_size.max(1);
        let val_batch = task.batch(gpu, val)?;
        let test_batch = task.batch(gpu, test)?;
        let mut model = GraphGcn::new(gpu, task.features, task.classes, config.clone(), seed)?;
        let mut adam = Adam::new(config.lr);
        let mut history = Vec::new();
        let (mut best, mut best_epoch, mut best_test) = ((0.0f64, f32::INFINITY), 0, 0.0);
        let mut best_values = None;
        let steps_per_epoch = train.len().div_ceil(bs);
        let start = Instant::now();
        for epoch in 0..config.epochs {
            adam.lr = config.schedule.lr(config.lr, epoch);
            rng.shuffle(&mut order);
            // The losses stay on the GPU until the epoch ends: no step waits for a readback.
            let mut step_losses = StepLosses::new(gpu, steps_per_epoch)?;
            let mut step_sizes = Vec::with_capacity(steps_per_epoch);
            for (k, ids) in order.chunks(bs).enumerate() {
                let b = &task.batch(gpu, ids)?;
                let step_seed = seed
                    .wrapping_mul(1_000_003)
                    .wrapping_add((epoch * steps_per_epoch + k) as u64);
                let mut tape = Tape::new(gpu, true, step_seed);
                let logits = model.forward(&mut tape, b)?;
                let loss = tape.softmax_cross_entropy(&logits, &b.labels, None)?;
                model.store.zero_grad();
                tape.backward(&loss, &mut model.store)?;
                adam.step(&mut model.store)?;
                step_losses.record(loss.value())?;
                step_sizes.push(b.labels_host.len());
            }
            // Both evaluation passes are recorded behind the steps and read back with their
            // losses: one wait for the GPU per epoch.
            let [val_logits, val_loss] = model.record_eval(gpu, &val_batch)?;
            let [test_logits, test_loss] = model.record_eval(gpu, &test_batch)?;
            let (losses, read) =
                step_losses.read_with(&[&val_logits, &val_loss, &test_logits, &test_loss])?;
            let total: f64 = losses
                .iter()
                .zip(&step_sizes)
                .map(|(&l, &n)| f64::from(l) * n as f64)
                .sum();
            let train_loss = (total / train.len() as f64) as f32;
            if !train_loss.is_finite() {
                return Err(Error::InvalidInput(format!(
                    "training diverged: loss {train_loss} at epoch {epoch}"
                )));
            }
            let (val_loss, val_acc) = scored(&read[0], &read[1], &val_batch, task.classes)?;
            let (_, test_acc) = scored(&read[2], &read[3], &test_batch, task.classes)?;
            let better = match config.selection {
                Selection::ValLoss => val_loss < best.1,
                Selection::ValAccuracy => {
                    val_acc > best.0 || (val_acc == best.0 && val_loss < best.1)
                }
            };
            if epoch == 0 || better {
                best = (val_acc, val_loss);
                best_epoch = epoch;
                best_test = test_acc;
                best_values = Some(model.store.snapshot()?);
            }
            let log = EpochLog {
                epoch,
                train_loss,
                val_loss,
                val_accuracy: val_acc,
                test_accuracy: test_acc,
            };
            on_epoch(&log);
            history.push(log);
        }
        // The returned model is the kept epoch's, the one the reported accuracies describe.
        if let Some(values) = best_values {
            model.store.restore(values)?;
        }
        let run = GraphRun {
            fold,
            epochs_run: history.len(),
            best_epoch,
            test_accuracy: best_test,
            val_accuracy: best.0,
            seconds_per_epoch: start.elapsed().as_secs_f64() / history.len().max(1) as f64,
            history,
        };
        Ok((model, run))
    }
}

/// Mean loss and accuracy of an evaluation pass over `batch` from its logits and its loss as
/// read back (the loss is one value).
fn scored(
    logits: &[f32],
    loss: &[f32],
    batch: &GraphBatchData,
    classes: usize,
) -> Result<(f32, f64)> {
    let rows: Vec<usize> = (0..batch.labels_host.len()).collect();
    let acc = accuracy(logits, classes, &batch.labels_host, &rows)?;
    let loss = first(loss)?;
    Ok((loss, acc))
}
