//! Configuration of the learnable graph inception network: architecture, ablation switches,
//! the GCN baseline and training settings. [`LgrinConfig::reference`] follows the reference code
//! (AmirSh15/graph_emotion_recognition); [`LgrinConfig::paper`] the paper's variant.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::MAX_NODES;

/// Which network to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// L-GrIN: learned adjacency, graph inception layers, [max | Ψ | mean] pooling.
    Lgrin,
    /// Plain GCN on a fixed binary temporal adjacency (symmetrically normalised, self loops),
    /// `layers` GCN layers (two from the CLI), [max | mean] pooling, the same classifier.
    GcnBaseline,
}

/// Initial distribution of the learnable adjacency A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdjacencyInit {
    /// U[0, 1) (reference code).
    Uniform,
    /// N(0, 1) (paper).
    Normal,
}

/// Which graph the 1-hop max-pool branch uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxpoolGraph {
    /// The data set's own temporal graph: node i pools nodes i - 1 and i + 1, not itself
    /// (reference code).
    Temporal,
    /// Neighbours where ReLU(A) > 0 (paper).
    Learned,
}

/// Every setting of a model and its training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LgrinConfig {
    /// L-GrIN or the GCN baseline.
    pub model: ModelKind,
    /// Graph nodes per clip (M).
    pub nodes: usize,
    /// Input feature width per node (P).
    pub in_dims: usize,
    /// Number of classes.
    pub classes: usize,
    /// Output width of the first G*conv branch (η1).
    pub g1: usize,
    /// Output width of the second G*conv branch (η2).
    pub g2: usize,
    /// Stacked inception layers (GCN layers for the baseline).
    pub layers: usize,
    /// Classifier hidden width.
    pub hidden: usize,
    /// Classifier dropout probability.
    pub dropout: f32,
    /// λ for the adjacency terms (distance and squared magnitude; see `loss_means`).
    pub lambda_struct: f32,
    /// λ for the squared pooling weights p.
    pub lambda_p: f32,
    /// Which structure loss: the reference code's (true), with means,
    /// λ (mean(ReLU(A) ⊙ A_d) + mean(ReLU(A)²)) + λ_p mean(p²); or the paper's (false), with
    /// sums, λ Σ ReLU(A) ⊙ A_d + λ ‖A‖²_F + λ_p ‖p‖², whose squared magnitude is of A itself,
    /// negative entries included.
    pub loss_means: bool,
    /// Initial distribution of A.
    pub a_init: AdjacencyInit,
    /// Graph of the max-pool branch.
    pub maxpool_graph: MaxpoolGraph,
    /// Ablation: G*conv with its MLP (true) or a single linear map (false).
    pub gconv_mlp: bool,
    /// Ablation: inception layers [maxpool | G1 | G2] (true) or a single G1 branch (false).
    pub inception: bool,
    /// Ablation: learned A (true) or the fixed binary temporal adjacency (false).
    pub learned_a: bool,
    /// Ablation: learned Ψ weights p (true) or p fixed at ones (false).
    pub learned_p: bool,
    /// Adam learning rate.
    pub lr: f32,
    /// StepLR period in epochs: epochs `k * lr_step ..` (0-based) train at `lr * lr_gamma^k`, as
    /// PyTorch's StepLR stepped after each epoch. (The reference script steps it before each
    /// epoch, so its decays come one epoch earlier.)
    pub lr_step: usize,
    /// StepLR factor.
    pub lr_gamma: f32,
    /// Adam L2 weight decay of the linear layers' weights and biases (the adjacency A, Ψ's p,
    /// batch norm and PReLU are not decayed: A and p have their own penalties). 0 in the
    /// reference code.
    pub weight_decay: f32,
    /// Graphs per minibatch.
    pub batch: usize,
    /// Minibatches per epoch (0: one pass over the training part in batches of `batch`, a
    /// single leftover graph joining the last one).
    pub iters_per_epoch: usize,
    /// Training epochs.
    pub epochs: usize,
    /// Fraction of the training clips held out for model selection.
    pub val_fraction: f32,
    /// Seed of initialisation, sampling and dropout.
    pub seed: u64,
}

impl LgrinConfig {
    /// The reference-code variant for `in_dims` features and `classes` classes.
    pub fn reference(in_dims: usize, classes: usize) -> Self {
        LgrinConfig {
            model: ModelKind::Lgrin,
            nodes: 120,
            in_dims,
            classes,
            g1: 128,
            g2: 64,
            layers: 2,
            hidden: 512,
            dropout: 0.5,
            lambda_struct: 0.1,
            lambda_p: 1e-4,
            loss_means: true,
            a_init: AdjacencyInit::Uniform,
            maxpool_graph: MaxpoolGraph::Temporal,
            gconv_mlp: true,
            inception: true,
            learned_a: true,
            learned_p: true,
            lr: 0.01,
            lr_step: 90,
            lr_gamma: 0.5,
            weight_decay: 0.0,
            batch: 128,
            iters_per_epoch: 50,
            epochs: 200,
            val_fraction: 0.1,
            seed: 0,
        }
    }

    /// The paper's variant: A ~ N(0, 1), the paper's structure loss (sums, with ‖A‖²_F of A
    /// itself; see `loss_means`), max-pool over ReLU(A) > 0, StepLR every 50 epochs. An
    /// inception layer keeps the reference order [maxpool | G1 | G2] (the paper writes
    /// [G1 | G2 | maxpool]): a permutation of the features, which the next layer's weights
    /// absorb, so the two orders give the same models up to a permutation of those weights.
    pub fn paper(in_dims: usize, classes: usize) -> Self {
        LgrinConfig {
            a_init: AdjacencyInit::Normal,
            loss_means: false,
            maxpool_graph: MaxpoolGraph::Learned,
            lr_step: 50,
            ..Self::reference(in_dims, classes)
        }
    }

    /// Check the settings, naming the first bad one (`nodes` must be from 2 to
    /// [`MAX_NODES`], the layer widths must not overflow `usize`, the penalty weights
    /// `lambda_struct` and `lambda_p` must be finite and >= 0). An ablation switch turned off on
    /// the GCN baseline is an error rather than silently without effect.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if self.nodes < 2 {
            return bad("nodes must be at least 2");
        }
        if self.nodes > MAX_NODES {
            return bad(&format!(
                "nodes must be at most {MAX_NODES} (the model holds nodes x nodes matrices), \
                 got {}",
                self.nodes
            ));
        }
        if self.in_dims == 0 {
            return bad("in_dims must be positive");
        }
        if self.classes < 2 {
            return bad("at least two classes are needed");
        }
        for (name, value) in [
            ("g1", self.g1),
            ("g2", self.g2),
            ("hidden", self.hidden),
            ("layers", self.layers),
        ] {
            if value == 0 {
                return bad(&format!("{name} must be at least 1"));
            }
        }
        // The widest layer input and the pooled classifier input, in checked arithmetic: a
        // width past `usize` would wrap, or panic in a debug build, while the model is built.
        let widest = self
            .g1
            .checked_add(self.g2)
            .and_then(|w| w.checked_mul(self.layers))
            .and_then(|w| w.checked_add(self.in_dims))
            .and_then(|w| w.checked_mul(self.readouts()));
        if widest.is_none() {
            return bad(&format!(
                "the layer widths overflow: in_dims {} + layers {} x (g1 {} + g2 {})",
                self.in_dims, self.layers, self.g1, self.g2
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad(&format!("dropout must be in [0, 1), got {}", self.dropout));
        }
        if self.batch < 2 {
            return bad("batch must be at least 2 (batch norm needs two rows)");
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("lr must be a positive finite number");
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1");
        }
        if self.iters_per_epoch.checked_mul(self.epochs).is_none() {
            return bad(&format!(
                "iters_per_epoch x epochs ({} x {}) overflows the step counter",
                self.iters_per_epoch, self.epochs
            ));
        }
        if self.lr_step == 0 {
            return bad("lr_step must be at least 1 (the StepLR period in epochs)");
        }
        if !(self.lr_gamma.is_finite() && self.lr_gamma > 0.0) {
            return bad(&format!(
                "lr_gamma must be a positive finite number (the StepLR factor), got {}",
                self.lr_gamma
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(&format!(
                "weight_decay must be a finite number >= 0, got {}",
                self.weight_decay
            ));
        }
        for (name, value) in [
            ("lambda_struct", self.lambda_struct),
            ("lambda_p", self.lambda_p),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return bad(&format!(
                    "{name} must be a finite number >= 0 (a penalty weight), got {value}"
                ));
            }
        }
        if !(0.0..0.9).contains(&self.val_fraction) {
            return bad("val_fraction must be in [0, 0.9)");
        }
        let ablated = !(self.gconv_mlp && self.inception && self.learned_a && self.learned_p);
        if self.model == ModelKind::GcnBaseline && ablated {
            return bad(
                "the ablation switches (G*conv MLP, inception, learned A, learned p) remove parts \
                 of L-GrIN; the GCN baseline has none of those parts",
            );
        }
        Ok(())
    }

    /// Width of the node features after the last layer.
    pub fn final_width(&self) -> usize {
        match self.model {
            ModelKind::GcnBaseline => self.g1,
            ModelKind::Lgrin if self.inception => self.in_dims + self.layers * (self.g1 + self.g2),
            ModelKind::Lgrin => self.g1,
        }
    }

    /// Number of pooled readouts concatenated before the classifier.
    pub fn readouts(&self) -> usize {
        match self.model {
            ModelKind::GcnBaseline => 2,
            ModelKind::Lgrin => 3,
        }
    }

    /// Trainable scalars of the model this configuration builds (what
    /// `Lgrin::parameter_count` reports), counted without building it: the learned adjacency
    /// and Ψ weights, every G*conv (linear maps, MLP batch norm, output batch norm) and the
    /// classifier with its PReLU slopes. `None` when the count overflows `usize`.
    pub fn parameter_count(&self) -> Option<usize> {
        let lgrin = self.model == ModelKind::Lgrin;
        let m = self.nodes;
        let linear = |i: usize, o: usize| i.checked_mul(o)?.checked_add(o);
        let gconv = |inp: usize, out: usize, mlp: bool| -> Option<usize> {
            let block = if mlp {
                let hidden = (inp.checked_add(out)? / 4).max(1);
                linear(inp, hidden)?
                    .checked_add(2 * hidden)?
                    .checked_add(linear(hidden, out)?)?
            } else {
                linear(inp, out)?
            };
            block.checked_add(out.checked_mul(2)?)
        };
        let mut total = 0usize;
        if lgrin && self.learned_a {
            total = m.checked_mul(m)?;
        }
        if lgrin && self.learned_p {
            total = total.checked_add(m)?;
        }
        let mut width = self.in_dims;
        for _ in 0..self.layers {
            let layer = if !lgrin {
                let l = gconv(width, self.g1, false)?;
                width = self.g1;
                l
            } else if self.inception {
                let l = gconv(width, self.g1, self.gconv_mlp)?.checked_add(gconv(
                    width,
                    self.g2,
                    self.gconv_mlp,
                )?)?;
                width = width.checked_add(self.g1)?.checked_add(self.g2)?;
                l
            } else {
                let l = gconv(width, self.g1, self.gconv_mlp)?;
                width = self.g1;
                l
            };
            total = total.checked_add(layer)?;
        }
        // Linear(pooled, hidden), PReLU slopes, Linear(hidden, classes).
        let pooled = width.checked_mul(self.readouts())?;
        total
            .checked_add(linear(pooled, self.hidden)?)?
            .checked_add(self.hidden)?
            .checked_add(linear(self.hidden, self.classes)?)
    }
}
