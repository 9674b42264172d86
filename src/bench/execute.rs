//! The single entry point of `cargo bench` and `synchgraph bench`: run, print the table and the
//! comparison, and write the JSON report.

use std::io::Write;

use super::compare::{compare, comparison_header};
use super::run::{run, run_with_progress};
use super::{BenchOptions, BenchReport};
use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// Run the harness, print the table (and the comparison) to `out`, write the JSON (its path is
/// checked, and its folder made, before any row runs). The single entry point of `cargo bench`
/// and `synchgraph bench`.
pub fn execute(gpu: &Gpu, options: &BenchOptions, out: &mut dyn Write) -> Result<BenchReport> {
    if let Some(path) = &options.json {
        prepare_report_path(path)?;
    }
    let old = options
        .compare
        .as_deref()
        .map(BenchReport::load)
        .transpose()?;
    let report = match &options.json {
        Some(path) => run_with_progress(gpu, options, &mut |partial| partial.save(path))?,
        None => run(gpu, options)?,
    };
    let io = |e| Error::io("standard output", e);
    write!(out, "{report}").map_err(io)?;
    if let Some(path) = &options.json {
        report.save(path)?;
        writeln!(out, "wrote {}", path.display()).map_err(io)?;
    }
    if let (Some(old), Some(path)) = (&old, &options.compare) {
        let header = comparison_header("this run", &report, &path.display().to_string(), old);
        write!(out, "\n{header}").map_err(io)?;
        write!(out, "{}", compare(old, &report)).map_err(io)?;
    }
    if let Some(first) = report.failures.first() {
        return Err(Error::Device(format!(
            "{} benchmark case(s) failed, first {} ({}): {}",
            report.failures.len(),
            first.name,
            first.size,
            first.error
        )));
    }
    Ok(report)
}

/// Check the `--json` report path before anything is measured (the report is first written
/// after the first row): a folder is refused, and the folder the file goes in is made.
fn prepare_report_path(path: &std::path::Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::InvalidInput(format!(
            "--json {} is a folder; name a file",
            path.display()
        )));
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            if parent.exists() && !parent.is_dir() {
                return Err(Error::InvalidInput(format!(
                    "--json {}: its folder {} exists and is not a folder",
                    path.display(),
                    parent.display()
                )));
            }
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))
        }
        _ => Ok(()),
    }
}
