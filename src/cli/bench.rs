//! `synchgraph bench`: the kernel benchmark harness (the same library function `cargo bench` runs).

use std::path::PathBuf;

use anyhow::{Context, Result};
use synchgraph::bench::{self, BenchOptions};

use super::out_paths::prepare_out_file;
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
    /// Leave out rows whose name or family contains any of these comma-separated words (the
    /// copy ceiling always runs).
    #[arg(long, value_name = "NAMES")]
    exclude: Option<String>,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Compare with an older JSON report and flag rows slower than the noise.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Measure nothing: print the rows the other flags select, with their sizes and the bytes
    /// and FLOPs counted per run.
    #[arg(long, conflicts_with_all = ["json", "compare", "from", "time_budget"])]
    list: bool,
    /// Run nothing: compare this saved report with the `--compare` one (no device needed).
    #[arg(long, value_name = "REPORT.json", requires = "compare", conflicts_with_all = ["quick", "filter", "exclude", "json", "wall", "time_budget"])]
    from: Option<PathBuf>,
    /// Time by host wall clock (submit to idle) even where GPU timestamps exist.
    #[arg(long)]
    wall: bool,
    /// Start no further row once this many seconds have passed (the copy ceiling always runs);
    /// the rows not started are listed as skipped. With `--json`, the report is also written
    /// after every row, so a run cut short keeps its finished rows.
    #[arg(long, value_name = "SECONDS", value_parser = time_budget)]
    time_budget: Option<f64>,
}

fn time_budget(text: &str) -> Result<f64, String> {
    synchgraph::bench::args::parse_seconds(text).map_err(|e| e.to_string())
}

/// Run the benchmarks and print the table.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    if let (Some(new), Some(old)) = (&args.from, &args.compare) {
        return bench::compare_saved(old, new, &mut super::output::Stdout)
            .with_context(|| format!("comparing {} with {}", new.display(), old.display()));
    }
    // Kept once a report is written: a run that fails first leaves no empty folder.
    let made = match &args.json {
        Some(path) => Some(prepare_out_file(path, "--json")?),
        None => None,
    };
    let gpu = super::open_gpu(&cli.adapter, true)?;
    let options = BenchOptions {
        quick: args.quick,
        filter: args.filter.clone(),
        exclude: args.exclude.clone(),
        json: args.json.clone(),
        compare: args.compare.clone(),
        wall: args.wall,
        time_budget: args.time_budget,
        command: super::run_metrics::command_line(),
    };
    if args.list {
        bench::list(&gpu, &options, &mut super::output::Stdout)
            .context("listing the benchmarks")?;
        return Ok(());
    }
    // A run that fails after writing some rows (`--time-budget` writes the report after each)
    // keeps the folder anyway: it is removed only while empty.
    bench::execute(&gpu, &options, &mut super::output::Stdout).context("running the benchmarks")?;
    if let Some(made) = made {
        made.keep();
    }
    Ok(())
}
