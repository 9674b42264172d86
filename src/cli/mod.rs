//! Command-line interface: one module per subcommand. The library returns typed errors; this
//! layer adds context with `anyhow`.

pub mod out_paths;
pub mod output;

mod bench;
mod clip_features;
mod demo;
mod devices;
mod eval;
mod features;
mod predict;
mod progress;
mod run_metrics;
mod simulate;
mod staged_folder;
mod train;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use synchgraph::{Gpu, GpuOptions};

/// `--version`: the crate version and the git commit it was built from (`, modified` when the
/// engine's sources had uncommitted edits).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SYNCHGRAPH_BUILD"),
    ")"
);

/// Portable GPU compute engine for spiking networks and graph neural networks.
#[derive(Parser)]
#[command(name = "synchgraph", version = VERSION, about)]
pub struct Cli {
    /// Adapter to use: an index from `synchgraph devices` or part of its name
    /// (default: SYNCHGRAPH_ADAPTER, else discrete > integrated > CPU). `devices` lists every
    /// adapter, and `features` and `bench --from` open none, so they ignore it.
    #[arg(long, global = true, env = "SYNCHGRAPH_ADAPTER")]
    pub adapter: Option<String>,
    /// Print the GPU time of every kernel (dispatches, total and median) to stderr when the
    /// command ends; needs an adapter with timestamp queries (also SYNCHGRAPH_PROFILE=1). `bench`
    /// and `demo` always time their kernels; `devices` and `features` run none.
    #[arg(long, global = true, env = "SYNCHGRAPH_PROFILE", value_parser = clap::builder::FalseyValueParser::new())]
    pub profile: bool,
    /// Subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// List every adapter with backend, type, driver, features and key limits.
    Devices(devices::Args),
    /// Run a small end-to-end demo on the selected adapter.
    Demo(demo::Args),
    /// Benchmark the kernels against the device's copy-bandwidth and matmul ceilings.
    Bench(bench::Args),
    /// Simulate the spiking network of a TOML config and record its spikes as CSV.
    Simulate(simulate::Args),
    /// Train a model (`synchgraph train gcn|lgrin|stdp|synchgraph ...`).
    Train(train::Args),
    /// Extract the node features of a data folder once, as one `.npy` matrix per clip.
    Features(features::Args),
    /// Score a saved L-GrIN model on a data folder and write metrics.json.
    Eval(eval::Args),
    /// Label clips with a saved L-GrIN model and print the class probabilities.
    Predict(predict::Args),
}

/// Open the adapter chosen on the command line.
pub fn open_gpu(adapter: &Option<String>, profile: bool) -> Result<Gpu> {
    let gpu = Gpu::open(&GpuOptions {
        adapter: adapter.clone(),
        profile,
    })
    .context("opening the GPU")?;
    let info = &gpu.info().adapter;
    output::errln!(
        "adapter: {} ({}, {}{})",
        info.name,
        info.backend,
        info.device_type,
        if info.software { ", software" } else { "" }
    );
    Ok(gpu)
}

/// The adapter a command opened. With `--profile` it prints the per-kernel GPU times to stderr
/// when the command ends, whether it succeeded or not.
pub struct CommandGpu {
    gpu: Gpu,
    profile: bool,
}

impl std::ops::Deref for CommandGpu {
    type Target = Gpu;

    fn deref(&self) -> &Gpu {
        &self.gpu
    }
}

impl Drop for CommandGpu {
    fn drop(&mut self) {
        if self.profile {
            match self.gpu.profile_report() {
                Ok(report) => output::write_err(format_args!("{report}")),
                Err(e) => output::errln!("profile: {e}"),
            }
        }
    }
}

/// Open the adapter for a command that profiles when `--profile` is given.
pub fn open_command_gpu(cli: &Cli) -> Result<CommandGpu> {
    Ok(CommandGpu {
        gpu: open_gpu(&cli.adapter, cli.profile)?,
        profile: cli.profile,
    })
}

/// Parse the command line and run it.
pub fn run() -> Result<()> {
    let cli = Cli::try_parse().map_err(parse_failure)?;
    match &cli.command {
        Command::Devices(args) => devices::run(args),
        Command::Demo(args) => demo::run(&cli, args),
        Command::Bench(args) => bench::run(&cli, args),
        Command::Simulate(args) => simulate::run(&cli, args),
        Command::Train(args) => train::run(&cli, args),
        Command::Features(args) => features::run(args),
        Command::Eval(args) => eval::run(&cli, args),
        Command::Predict(args) => predict::run(&cli, args),
    }
}

/// End the process on what clap returned instead of a command line: `--help` and `--version`
/// text, or a usage error. A usage error goes to stderr and ends with clap's status 2. Help and
/// version text goes to stdout and ends with success once written; when it cannot be written
/// (`clap::Error::exit` would still end with success) the error comes back for `main` to
/// report, except for a reader that went away, which `main` treats as success.
fn parse_failure(e: clap::Error) -> anyhow::Error {
    if e.use_stderr() {
        e.exit();
    }
    match e
        .print()
        .and_then(|()| std::io::Write::flush(&mut std::io::stdout()))
    {
        Ok(()) => std::process::exit(e.exit_code()),
        Err(io) if io.kind() == std::io::ErrorKind::BrokenPipe => {
            anyhow::Error::new(output::ClosedPipe)
        }
        Err(io) => anyhow::Error::new(io).context("writing to standard output"),
    }
}
