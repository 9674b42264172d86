//! `synchgraph train <model>`: one file per model.

mod stdp;
mod synchgraph;

/// Arguments of `train`.
#[derive(clap::Args)]
pub struct Args {
    /// The model to train.
    #[command(subcommand)]
    pub model: Model,
}

/// Trainable models.
#[derive(clap::Subcommand)]
pub enum Model {
    /// Diehl & Cook unsupervised STDP on 8x8 digits with label assignment and vote classification.
    Stdp(stdp::Args),
    /// Synch-Graph: spiking layers, neural-synchrony graphs and a GCN classifying each clip.
    Synchgraph(synchgraph::Args),
}

/// Train the chosen model.
pub fn run(cli: &super::Cli, args: &Args) -> anyhow::Result<()> {
    match &args.model {
        Model::Stdp(a) => stdp::run(cli, a),
        Model::Synchgraph(a) => synchgraph::run(cli, a),
    }
}
