//! `synchgraph train <model>`: one file per model.

pub(crate) mod lgrin;
mod stdp;

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
    /// L-GrIN (or the GCN baseline) on emotional speech with k-fold or speaker-independent splits.
    Lgrin(lgrin::Args),
}

/// Train the chosen model.
pub fn run(cli: &super::Cli, args: &Args) -> anyhow::Result<()> {
    match &args.model {
        Model::Stdp(a) => stdp::run(cli, a),
        Model::Lgrin(a) => lgrin::run(cli, a),
    }
}
