//! `synchgraph train <model>`: one file per model.

pub mod gcn;
mod lgrin;
mod stdp;
mod synchgraph;

use anyhow::Result;

use super::Cli;

/// Arguments of `train`.
#[derive(clap::Args)]
pub struct Args {
    /// Model to train.
    #[command(subcommand)]
    pub model: Model,
}

/// Trainable models.
#[derive(clap::Subcommand)]
pub enum Model {
    /// Kipf GCN: node classification on a Planetoid graph, or GCN with graph pooling on a TU
    /// data set under stratified k-fold cross-validation (the format is detected from the files).
    Gcn(gcn::Args),
    /// L-GrIN (or the GCN baseline) on emotional speech with k-fold or speaker-independent splits.
    Lgrin(lgrin::Args),
    /// Diehl & Cook unsupervised STDP on 8x8 digits with label assignment and vote classification.
    Stdp(stdp::Args),
    /// Synch-Graph: spiking layers, neural-synchrony graphs and a GCN classifying each clip.
    Synchgraph(synchgraph::Args),
}

/// Train the chosen model.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    match &args.model {
        Model::Gcn(a) => gcn::run(cli, a),
        Model::Lgrin(a) => lgrin::run(cli, a),
        Model::Stdp(a) => stdp::run(cli, a),
        Model::Synchgraph(a) => synchgraph::run(cli, a),
    }
}
