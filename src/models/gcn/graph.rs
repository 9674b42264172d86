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

use super::{accuracy, bias, check_disjoint, check_training_constants, weight, EpochLog};
use crate::autodiff::optim::{Adam, LrSchedule};
use crate::autodiff::{ParamId, ParamStore, StepLosses, Tape, Var};
use crate::data::split::SplitMix;
use crate::data::tu::TuGraph;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::{batch_graphs, Csr};
use crate::kernels::reduce::ReduceOp;
use crate::tensor::Tensor;

/// How node embeddings are pooled into one vector per graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Readout {
    /// Sum of the nodes.
    Sum,
    /// Mean of the nodes.
    Mean,
    /// Feature-wise maximum.
    Max,
    /// Sum, mean and max side by side.
    Concat,
}

impl Readout {
    /// Width of the pooled vector for `hidden` node features.
    pub fn width(self, hidden: usize) -> usize {
        match self {
            Readout::Concat => 3 * hidden,
            _ => hidden,
        }
    }
}

/// Which layers' node embeddings the readout pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReadoutLayers {
    /// Only the last GCN layer.
    Last,
    /// The input features and every GCN layer, pooled separately and concatenated (Xu et al.).
    All,
}

/// How the epoch whose test accuracy is reported is chosen on the validation graphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Lowest validation loss.
    ValLoss,
    /// Highest validation accuracy, ties broken by the lower validation loss.
    ValAccuracy,
}

/// Hyper-parameters.
#[derive(Debug, Clone, Serialize)]
pub struct GraphGcnConfig {
    /// Hidden units of every GCN layer.
    pub hidden: usize,
    /// Number of GCN layers.
    pub layers: usize,
    /// Readout.
    pub readout: Readout,
    /// Layers the readout pools.
    pub readout_layers: ReadoutLayers,
    /// Dropout before the classifier.
    pub dropout: f32,
    /// Adam learning rate.
    pub lr: f32,
    /// L2 weight decay of the weights.
    pub weight_decay: f32,
    /// Epochs.
    pub epochs: usize,
    /// Graphs per mini-batch (0 is taken as 1).
    pub batch_size: usize,
    /// Learning rate schedule (per epoch).
    pub schedule: LrSchedule,
    /// How the reported epoch is chosen.
    pub selection: Selection,
}

impl Default for GraphGcnConfig {
    fn default() -> Self {
        GraphGcnConfig {
            hidden: 64,
            layers: 3,
            readout: Readout::Concat,
            readout_layers: ReadoutLayers::All,
            dropout: 0.0,
            lr: 0.005,
            weight_decay: 5e-4,
            epochs: 100,
            batch_size: 32,
            schedule: LrSchedule::Constant,
            selection: Selection::ValAccuracy,
        }
    }
}

/// Graphs to classify: node count, local edges and features [n, f] per graph, and labels.
pub struct GraphTask {
    /// Graphs (node count, local edges, row-major features; their `label` is not used).
    pub graphs: Vec<TuGraph>,
    /// Feature width.
    pub features: usize,
    /// Class per graph.
    pub labels: Vec<u32>,
    /// Number of classes.
    pub classes: usize,
}

/// A batch on the GPU: normalised block-diagonal adjacency, features, offsets, labels.
pub struct GraphBatchData {
    adj: Csr,
    x: Tensor,
    offsets: Tensor,
    labels: Tensor,
    labels_host: Vec<u32>,
}

impl GraphTask {
    /// Upload the graphs `ids` as one block-diagonal batch with Â = D^-1/2 (A + I) D^-1/2.
    /// An empty list, an id without a graph and a label, a graph whose features are not
    /// `num_nodes x features` values or whose label is not below `classes` is an
    /// [`Error::InvalidInput`].
    pub fn batch(&self, gpu: &Gpu, ids: &[usize]) -> Result<GraphBatchData> {
        if ids.is_empty() {
            return Err(Error::InvalidInput("empty batch of graphs".into()));
        }
        let known = self.graphs.len().min(self.labels.len());
        if let Some(&i) = ids.iter().find(|&&i| i >= known) {
            return Err(Error::InvalidInput(format!(
                "batch names graph {i}, the task has {} graphs and {} labels",
                self.graphs.len(),
                self.labels.len()
            )));
        }
        // Checked per graph: errors that cancel out in the total would shift rows between graphs.
        ids.iter().try_for_each(|&i| self.check_features(i))?;
        // A label past the classes would get no loss term: the graph would be silently ignored.
        if let Some(&i) = ids
            .iter()
            .find(|&&i| self.labels[i] as usize >= self.classes)
        {
            return Err(Error::InvalidInput(format!(
                "graph {i}: label {} out of range for {} classes",
                self.labels[i], self.classes
            )));
        }
        let parts: Vec<(usize, &[(u32, u32)])> = ids
            .iter()
            .map(|&i| (self.graphs[i].num_nodes, self.graphs[i].edges.as_slice()))
            .collect();
        let b = batch_graphs(gpu, &parts, false, true)?;
        let mut x = Vec::with_capacity(b.num_nodes() * self.features);
        for &i in ids {
            x.extend_from_slice(&self.graphs[i].features);
        }
        let labels_host: Vec<u32> = ids.iter().map(|&i| self.labels[i]).collect();
        Ok(GraphBatchData {
            adj: b.csr.gcn_normalized()?,
            x: Tensor::from_f32(gpu, &[b.num_nodes(), self.features], &x)?,
            offsets: b.offsets,
            labels: Tensor::from_u32(gpu, &[ids.len()], &labels_host)?,
            labels_host,
        })
    }

    fn validate(&self) -> Result<()> {
        if self.graphs.len() != self.labels.len() {
            return Err(Error::InvalidInput(format!(
                "{} graphs but {} labels",
                self.graphs.len(),
                self.labels.len()
            )));
        }
        if let Some(&l) = self.labels.iter().find(|&&l| l as usize >= self.classes) {
            return Err(Error::InvalidInput(format!(
                "graph label {l} out of range for {} classes",
                self.classes
            )));
        }
        (0..self.graphs.len()).try_for_each(|i| self.check_features(i))
    }

    /// [`Error::InvalidInput`] unless graph `i` holds `num_nodes x features` feature values.
    fn check_features(&self, i: usize) -> Result<()> {
        let g = &self.graphs[i];
        if g.features.len() != g.num_nodes.saturating_mul(self.features) {
            return Err(Error::InvalidInput(format!(
                "graph {i}: {} feature values for {} nodes x {} features",
                g.features.len(),
                g.num_nodes,
                self.features
            )));
        }
        Ok(())
    }
}

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
    /// out-of-range set, a graph listed twice (within a set or across the three) or
    /// `config.epochs` 0 (no epoch to choose).
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
    let loss = loss
        .first()
        .copied()
        .ok_or_else(|| Error::shape("item", "tensor is empty"))?;
    Ok((loss, acc))
}
