//! The Synch-Graph classifier: a GCN (Kipf & Welling propagation D^-1/2 (A + I) D^-1/2, ReLU,
//! dropout) over the batched synchrony graph of all clips, mean and max pooling of each clip's
//! nodes, and a linear layer to the classes; full-batch Adam on the training clips' loss.
//! Synchrony graphs of short clips are often complete within a clip, where propagation averages
//! away which neuron fired how; a per-node encoder (a linear layer and ReLU on the raw node
//! features, no propagation) is pooled beside the last GCN layer so that readout still sees it.
//!
//! Propagation is the tape's sparse product with the normalised adjacency (its transpose serves
//! the backward pass); the first layer's propagated input features are a constant computed once.

use crate::autodiff::init::xavier_uniform;
use crate::autodiff::optim::Adam;
use crate::autodiff::{ParamId, ParamStore, StepLosses, Tape, Var};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::Csr;
use crate::kernels::reduce::ReduceOp;
use crate::report::argmax_rows;
use crate::tensor::{DType, Tensor};

pub use super::synchgraph_gcn_config::{GcnConfig, MAX_HIDDEN};
pub use super::synchgraph_gcn_graph::GcnGraph;

/// Device copies of a graph.
struct Prepared {
    x: Tensor,
    ax: Tensor,
    adj: Csr,
    offsets: Tensor,
    labels: Tensor,
    train_mask: Tensor,
}

/// The model: per-layer weights and biases and the output layer.
pub struct Gcn {
    /// Trainable tensors.
    pub store: ParamStore,
    layers: Vec<(ParamId, ParamId)>,
    encoder: (ParamId, ParamId),
    out: (ParamId, ParamId),
    cfg: GcnConfig,
    in_dim: usize,
    classes: usize,
}

/// A parameter's name, shape and values.
pub type NamedWeights = (String, Vec<usize>, Vec<f32>);

/// What training produced.
#[derive(Debug, Clone)]
pub struct FitResult {
    /// Training loss per epoch.
    pub losses: Vec<f32>,
    /// (epoch, validation accuracy) at each evaluation.
    pub val_history: Vec<(usize, f64)>,
    /// Epoch whose weights were kept (best validation accuracy, the first of equals), counted
    /// from 1 like `val_history` (`train synchgraph` writes it 0-based, as every
    /// `metrics.json`).
    pub best_epoch: usize,
    /// Predicted class of every clip with the kept weights.
    pub predictions: Vec<u32>,
    /// Host copies of the kept weights (name, shape, values).
    pub weights: Vec<NamedWeights>,
}

fn accuracy(pred: &[u32], labels: &[u32], idx: &[usize]) -> f64 {
    if idx.is_empty() {
        return 0.0;
    }
    idx.iter().filter(|&&i| pred[i] == labels[i]).count() as f64 / idx.len() as f64
}

impl Gcn {
    /// A model for `in_dim` node features and `classes` classes.
    pub fn new(gpu: &Gpu, cfg: &GcnConfig, in_dim: usize, classes: usize) -> Result<Gcn> {
        cfg.validate()?;
        if classes < 2 || in_dim == 0 {
            return Err(Error::Config(format!(
                "GCN needs input features >= 1 and >= 2 classes (got {in_dim}, {classes})"
            )));
        }
        // The readout concatenates the mean and max pools of the encoder and of the last
        // layer: four blocks of the hidden width (validate checked the product).
        let pooled = 4 * cfg.hidden;
        let mut store = ParamStore::new();
        let mut layers = Vec::new();
        let mut d = in_dim;
        for l in 0..cfg.layers {
            let w = xavier_uniform(gpu, &[d, cfg.hidden], cfg.seed.wrapping_add(l as u64))?;
            let b = Tensor::zeros(gpu, &[cfg.hidden], DType::F32)?;
            layers.push((
                store.add(&format!("gcn{l}.weight"), w, cfg.weight_decay),
                store.add(&format!("gcn{l}.bias"), b, 0.0),
            ));
            d = cfg.hidden;
        }
        let we = xavier_uniform(gpu, &[in_dim, cfg.hidden], cfg.seed.wrapping_add(50))?;
        let be = Tensor::zeros(gpu, &[cfg.hidden], DType::F32)?;
        let encoder = (
            store.add("encoder.weight", we, cfg.weight_decay),
            store.add("encoder.bias", be, 0.0),
        );
        let wo = xavier_uniform(gpu, &[pooled, classes], cfg.seed.wrapping_add(100))?;
        let bo = Tensor::zeros(gpu, &[classes], DType::F32)?;
        let out = (
            store.add("out.weight", wo, cfg.weight_decay),
            store.add("out.bias", bo, 0.0),
        );
        Ok(Gcn {
            store,
            layers,
            encoder,
            out,
            cfg: cfg.clone(),
            in_dim,
            classes,
        })
    }

    fn prepare(gpu: &Gpu, g: &GcnGraph, labels: &[u32], train: &[usize]) -> Result<Prepared> {
        let clips = g.clip_offsets.len().saturating_sub(1);
        if labels.len() != clips {
            return Err(Error::InvalidInput(format!(
                "GCN: {} labels for {clips} clips",
                labels.len()
            )));
        }
        if g.nodes == 0 {
            return Err(Error::InvalidInput(
                "GCN: the graph has no nodes (no neuron spiked in any clip)".into(),
            ));
        }
        g.check()?;
        let mut mask = vec![0f32; clips];
        train.iter().for_each(|&i| mask[i] = 1.0);
        let adj = g.normalized_adjacency(gpu)?;
        Ok(Prepared {
            x: Tensor::from_f32(gpu, &[g.nodes, g.feature_dim], &g.features)?,
            ax: Tensor::from_f32(gpu, &[g.nodes, g.feature_dim], &g.propagated_features())?,
            adj,
            offsets: Tensor::from_u32(gpu, &[clips + 1], &g.clip_offsets)?,
            labels: Tensor::from_u32(gpu, &[clips], labels)?,
            train_mask: Tensor::from_f32(gpu, &[clips], &mask)?,
        })
    }

    fn forward(&self, tape: &mut Tape, p: &Prepared) -> Result<Var> {
        let mut h = tape.constant(&p.ax);
        for (l, &(w, b)) in self.layers.iter().enumerate() {
            if l > 0 {
                h = tape.spmm(&p.adj, &h)?;
            }
            let (wv, bv) = (tape.param(&self.store, w), tape.param(&self.store, b));
            let z = tape.matmul(&h, &wv)?;
            let z = tape.add(&z, &bv)?;
            h = tape.relu(&z)?;
            if l + 1 < self.layers.len() {
                h = tape.dropout(&h, self.cfg.dropout)?;
            }
        }
        let x = tape.constant(&p.x);
        let (we, be) = (
            tape.param(&self.store, self.encoder.0),
            tape.param(&self.store, self.encoder.1),
        );
        let e = tape.matmul(&x, &we)?;
        let e = tape.add(&e, &be)?;
        let e = tape.relu(&e)?;
        let mut parts = Vec::new();
        for v in [&e, &h] {
            parts.push(tape.segment_pool(v, &p.offsets, ReduceOp::Mean)?);
            parts.push(tape.segment_pool(v, &p.offsets, ReduceOp::Max)?);
        }
        let pooled = tape.concat_cols(&parts.iter().collect::<Vec<_>>())?;
        let (wo, bo) = (
            tape.param(&self.store, self.out.0),
            tape.param(&self.store, self.out.1),
        );
        let z = tape.matmul(&pooled, &wo)?;
        tape.add(&z, &bo)
    }

    /// Record the evaluation pass: the logits `[clips, classes]`, not read back.
    fn record_logits(&self, gpu: &Gpu, p: &Prepared) -> Result<Tensor> {
        let mut tape = Tape::new(gpu, false, self.cfg.seed);
        Ok(self.forward(&mut tape, p)?.value().clone())
    }

    /// Train on the `train` clips, keep the weights with the best accuracy on the `val` clips
    /// (on the `train` clips when `val` is empty), and predict every clip.
    /// `progress(epoch, loss)` is called for every epoch, in order; the losses stay on the GPU
    /// between evaluations, so the calls of the epochs since the last one come together when
    /// an evaluation epoch's results are read back. The kept
    /// weights stay on the GPU until training ends. Every label must be below the model's
    /// class count, `train` must name at least one clip (without one the masked loss is 0 and
    /// nothing would train), no clip may be listed twice, within a list or across the two, and
    /// the graph's nodes must have the model's `in_dim` features ([`Error::InvalidInput`]
    /// otherwise).
    pub fn fit(
        &mut self,
        gpu: &Gpu,
        g: &GcnGraph,
        labels: &[u32],
        train: &[usize],
        val: &[usize],
        mut progress: impl FnMut(usize, f32),
    ) -> Result<FitResult> {
        let classes = self.classes;
        if g.feature_dim != self.in_dim {
            return Err(Error::InvalidInput(format!(
                "GCN: the graph has {} features per node, the model was built for {}",
                g.feature_dim, self.in_dim
            )));
        }
        // A label outside the classes would be left out of the loss unseen.
        if let Some(&l) = labels.iter().find(|&&l| l as usize >= classes) {
            return Err(Error::InvalidInput(format!(
                "GCN: label {l} out of range for {classes} classes"
            )));
        }
        if train.is_empty() {
            return Err(Error::InvalidInput(
                "GCN: no training clips; the masked loss would be 0 and nothing would train".into(),
            ));
        }
        let clips = g.clip_offsets.len().saturating_sub(1);
        if let Some(&i) = train.iter().chain(val).find(|&&i| i >= clips) {
            return Err(Error::InvalidInput(format!(
                "GCN: clip {i} of the training or validation list is outside the graph's \
                 {clips} clips"
            )));
        }
        // A validation clip also trained on would choose the kept weights on training data,
        // and a clip listed twice would count twice.
        if let Some((i, other, what)) =
            crate::data::split::listed_twice(clips, &[("training", train), ("validation", val)])
        {
            return Err(Error::InvalidInput(format!(
                "GCN: clip {i} is listed twice, in the {other} list and in the {what} list; \
                 each clip must be listed once"
            )));
        }
        let p = Self::prepare(gpu, g, labels, train)?;
        let mut adam = Adam::new(self.cfg.lr);
        let mut losses = Vec::new();
        let mut val_history = Vec::new();
        let (mut best, mut best_epoch) = (-1.0, 0);
        let mut kept = self.store.snapshot()?;
        let eval_every = self.cfg.eval_every.max(1);
        // A window never holds more epochs than the run has.
        let window_len = eval_every.min(self.cfg.epochs.max(1));
        // The losses of the epochs since the last evaluation, on the GPU; read back with the
        // next evaluation's logits: one wait for the GPU per evaluation, none in between.
        let mut window = StepLosses::new(gpu, window_len)?;
        let mut first_in_window = 1;
        for epoch in 1..=self.cfg.epochs {
            self.store.zero_grad();
            let mut tape = Tape::new(gpu, true, self.cfg.seed ^ (epoch as u64) << 20);
            let logits = self.forward(&mut tape, &p)?;
            let loss = tape.softmax_cross_entropy(&logits, &p.labels, Some(&p.train_mask))?;
            tape.backward(&loss, &mut self.store)?;
            adam.step(&mut self.store)?;
            window.record(loss.value())?;
            if epoch % eval_every != 0 && epoch != self.cfg.epochs {
                continue;
            }
            // The evaluation pass is recorded behind the step and read back with the window's
            // losses. A non-finite loss is reported at its own epoch, as if read right away:
            // the epochs before it are reported and nothing after it is.
            let logits = self.record_logits(gpu, &p)?;
            let (window_losses, mut read) = window.read_with(&[&logits])?;
            for (k, &l) in window_losses.iter().enumerate() {
                let at = first_in_window + k;
                if !l.is_finite() {
                    return Err(Error::InvalidInput(format!(
                        "GCN training diverged at epoch {at} (loss {l}); lower the learning rate"
                    )));
                }
                losses.push(l);
                if at < epoch {
                    progress(at, l);
                }
            }
            let pred = argmax_rows(&read.pop().unwrap_or_default(), classes, "GCN logits")?;
            let acc = accuracy(&pred, labels, if val.is_empty() { train } else { val });
            val_history.push((epoch, acc));
            if acc > best {
                best = acc;
                best_epoch = epoch;
                kept = self.store.snapshot()?;
            }
            if let Some(&l) = window_losses.last() {
                progress(epoch, l);
            }
            window = StepLosses::new(gpu, window_len)?;
            first_in_window = epoch + 1;
        }
        // The kept weights go back into the model; the final prediction and the host copies
        // of the weights are read back together, once.
        self.store.restore(kept)?;
        let logits = self.record_logits(gpu, &p)?;
        let mut tensors = vec![&logits];
        tensors.extend(self.store.ids().map(|id| self.store.value(id)));
        let mut read = StepLosses::read_all(gpu, &tensors)?.into_iter();
        let predictions = argmax_rows(&read.next().unwrap_or_default(), classes, "GCN logits")?;
        let weights = self
            .store
            .ids()
            .zip(read)
            .map(|(id, v)| {
                let name = self.store.name(id).to_string();
                (name, self.store.value(id).shape().to_vec(), v)
            })
            .collect();
        Ok(FitResult {
            losses,
            val_history,
            best_epoch,
            predictions,
            weights,
        })
    }
}
