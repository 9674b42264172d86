//! Settings of the graph-classification GCN: the readout, the layers it pools, the epoch
//! selection rule and the training hyper-parameters.

use serde::Serialize;

use crate::autodiff::optim::LrSchedule;

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
