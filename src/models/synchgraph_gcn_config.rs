//! Settings of the Synch-Graph GCN: widths, dropout, optimiser and evaluation period, with
//! their checks and defaults.

use crate::error::{Error, Result};

/// GCN settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GcnConfig {
    /// Hidden width.
    pub hidden: usize,
    /// Graph-convolution layers.
    pub layers: usize,
    /// Dropout probability after each hidden layer.
    pub dropout: f32,
    /// Adam learning rate.
    pub lr: f32,
    /// Training epochs (full batch).
    pub epochs: usize,
    /// L2 weight decay on the weights.
    pub weight_decay: f32,
    /// Evaluate the validation clips every this many epochs (0 is taken as 1); the last
    /// epoch is always evaluated.
    pub eval_every: usize,
    /// Seed of the initial weights and dropout masks.
    pub seed: u64,
}

impl GcnConfig {
    /// Check the settings that do not depend on the data, naming the first bad one: at least
    /// one layer, a hidden width from 1 to [`MAX_HIDDEN`], dropout in [0, 1), lr > 0, a finite
    /// weight decay >= 0 and at least one epoch (with none, no epoch's weights could be kept).
    pub fn validate(&self) -> Result<()> {
        if self.layers == 0 || self.hidden == 0 || self.hidden > MAX_HIDDEN {
            return Err(Error::Config(format!(
                "GCN needs at least one layer and a hidden width from 1 to {MAX_HIDDEN} \
                 (got {} layers, hidden {})",
                self.layers, self.hidden
            )));
        }
        if !((0.0..1.0).contains(&self.dropout) && self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::Config(format!(
                "GCN dropout {} must be in [0, 1) and lr {} > 0",
                self.dropout, self.lr
            )));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(Error::Config(format!(
                "GCN weight decay must be a finite number >= 0, got {}",
                self.weight_decay
            )));
        }
        if self.epochs == 0 {
            return Err(Error::Config(
                "GCN needs at least 1 epoch: with none, no trained weights could be kept".into(),
            ));
        }
        Ok(())
    }
}

/// Widest hidden layer [`GcnConfig::validate`] accepts (its weights are hidden x hidden).
pub const MAX_HIDDEN: usize = 1 << 16;

impl Default for GcnConfig {
    fn default() -> Self {
        GcnConfig {
            hidden: 64,
            layers: 3,
            dropout: 0.5,
            lr: 1e-4,
            epochs: 500,
            weight_decay: 5e-4,
            eval_every: 5,
            seed: 0,
        }
    }
}
