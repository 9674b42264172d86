//! `synchgraph bench`: the kernel benchmark harness (the same library function `cargo bench` runs).

use std::path::PathBuf;

use anyhow::{Context, Result};
use synchgraph::bench::{self, BenchOptions};

use super::Cli;

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Small sizes and few repetitions (under a minute on a software adapter).
    #[arg(long)]
    quick: bool,
    /// Run only rows whose name or family contains this text; several comma-separated names
    /// (`--filter lif_step,spmm_,snn_second`) select the rows matching any of them. The copy
    /// ceiling always runs.
    #[arg(long)]
    filter: Option<String>,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Compare with an older JSON report and flag rows slower than the noise.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Time by host wall clock (submit to idle) even where GPU timestamps exist.
    #[arg(long)]
    wall: bool,
}

/// Run the benchmarks and print the table.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let gpu = super::open_gpu(&cli.adapter, true)?;
    let options = BenchOptions {
        quick: args.quick,
        filter: args.filter.clone(),
        json: args.json.clone(),
        compare: args.compare.clone(),
        wall: args.wall,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    bench::execute(&gpu, &options, &mut std::io::stdout()).context("running the benchmarks")?;
    Ok(())
}
