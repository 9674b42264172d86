//! The result of a benchmark run: rows, device ceilings and adapter facts, saved and loaded as
//! JSON (its text table is `report_table.rs`), and the UTC dates it is stamped with.

use std::collections::BTreeMap;
use std::path::Path;

use super::case::Bound;
use super::measure::Timing;
use crate::error::{Error, Result};

/// Format version of the JSON report this build writes and reads.
pub const SCHEMA: u32 = 1;

/// Note attached to every report made on a software adapter.
pub const SOFTWARE_NOTE: &str =
    "software adapter (e.g. lavapipe): these numbers prove correctness, not speed";

/// The adapter a report was measured on.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AdapterSummary {
    /// Adapter name.
    pub name: String,
    /// Driver name and version.
    pub driver: String,
    /// Backend (Vulkan, Metal, Dx12, cuda for the PyTorch peers ...).
    pub backend: String,
    /// Device type (DiscreteGpu, Cpu ...).
    pub device_type: String,
    /// True for software adapters such as lavapipe.
    pub software: bool,
    /// Optional features the adapter has.
    #[serde(default)]
    pub features: Vec<String>,
}

/// Device ceilings measured in the same run.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Ceilings {
    /// Large buffer-to-buffer copy, bytes read plus written per second, in GB/s.
    pub bandwidth_gbs: Option<f64>,
    /// Best matmul GFLOP/s of this run (absent when no matmul ran).
    pub compute_gflops: Option<f64>,
}

/// One benchmark row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Row name.
    pub name: String,
    /// Kernel family.
    pub family: String,
    /// Problem size.
    pub size: String,
    /// Bytes read plus written per run (analytic).
    pub bytes: u64,
    /// Floating-point operations per run (analytic, 0 where not meaningful).
    pub flops: u64,
    /// Which ceiling `fraction` refers to.
    pub bound: Bound,
    /// Median time per run in milliseconds.
    pub median_ms: f64,
    /// Fastest run in milliseconds.
    pub min_ms: f64,
    /// Median absolute deviation over the median (0.02 = 2 %).
    pub spread: f64,
    /// Timed repetitions.
    pub repetitions: usize,
    /// Untimed warm-up runs before them: the mode's ([`BenchReport::warmup`]) or the row's own
    /// (end-to-end and latency rows set theirs). Absent from older reports and the peers'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<usize>,
    /// bytes / median time, in GB/s (absent when bytes is 0).
    pub gbs: Option<f64>,
    /// flops / median time, in GFLOP/s (absent when flops is 0).
    pub gflops: Option<f64>,
    /// GB/s over the bandwidth ceiling (memory rows) or GFLOP/s over the compute ceiling.
    pub fraction: Option<f64>,
    /// Where the times come from.
    pub timing: Timing,
    /// Extra throughputs of end-to-end rows: each counted quantity per run (`neuron_updates`),
    /// per second of the median time (`neuron_updates_per_s`) and per second of the median host
    /// wall time (`neuron_updates_per_wall_s`), plus `wall_ms`. Kernel rows carry only their
    /// fixed counts (such as `gathered_bytes`, the rows an SpMM gathers) per run and per second;
    /// most carry none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// GPU time of each kernel the row dispatches, per run, largest first (rows timed by
    /// timestamps; absent otherwise): where a row's time goes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kernels: Vec<KernelTime>,
}

/// GPU time of one kernel inside a row, per run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KernelTime {
    /// Kernel name, as `--profile` prints it.
    pub name: String,
    /// Dispatches per run.
    pub dispatches: f64,
    /// GPU milliseconds per run.
    pub ms: f64,
}

/// A complete benchmark run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BenchReport {
    /// Format version of this JSON.
    pub schema: u32,
    /// Adapter facts.
    pub adapter: AdapterSummary,
    /// [`SOFTWARE_NOTE`] on software adapters.
    pub note: Option<String>,
    /// UTC time of the run, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: String,
    /// The command line that produced the report.
    pub command: String,
    /// Version and git commit of the engine build (absent from peer reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<serde_json::Value>,
    /// `quick` or `full`.
    pub mode: String,
    /// Warm-up runs per case in this mode; a row that sets its own says so in [`Row::warmup`].
    pub warmup: usize,
    /// Ceilings measured in this run.
    pub ceilings: Ceilings,
    /// All rows, ceilings first.
    pub rows: Vec<Row>,
    /// Cases that failed (the run goes on without them).
    #[serde(default)]
    pub failures: Vec<Failure>,
    /// Cases not started: the run's time budget was spent, the device was lost in an earlier
    /// row, or the case's input data is missing here.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// False in the reports written while a run is still going (after each case), so a file
    /// left by a run that was cut short says so.
    #[serde(default = "finished")]
    pub complete: bool,
}

fn finished() -> bool {
    true
}

/// A case that was not started (time budget spent, device lost, or input data missing).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// Row name.
    pub name: String,
    /// Problem size.
    pub size: String,
    /// Why it did not run.
    pub reason: String,
}

/// A case that could not be measured.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// Row name.
    pub name: String,
    /// Problem size.
    pub size: String,
    /// The error.
    pub error: String,
}

impl BenchReport {
    /// Write the report as pretty JSON, through a temporary file and a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::data(path, format!("serialising the report: {e}")))?;
        crate::report::write_atomic(path, (text + "\n").as_bytes())
    }

    /// Read a report written by [`BenchReport::save`] (or a peer script). A report of another
    /// format version than [`SCHEMA`] is refused, as its fields may mean something else. A row
    /// whose median time is not a positive number or whose spread is negative is refused by
    /// name: compared against, it would give a meaningless ratio and verdict.
    pub fn load(path: &Path) -> Result<BenchReport> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let report: BenchReport =
            serde_json::from_str(&text).map_err(|e| Error::data(path, e.to_string()))?;
        if report.schema != SCHEMA {
            return Err(Error::data(
                path,
                format!(
                    "a report of schema {}; this build reads schema {SCHEMA}",
                    report.schema
                ),
            ));
        }
        if let Some(r) = report.rows.iter().find(|r| {
            let measured = r.median_ms.is_finite() && r.median_ms > 0.0;
            !(measured && r.spread.is_finite() && r.spread >= 0.0)
        }) {
            return Err(Error::data(
                path,
                format!(
                    "row '{}' has median {} ms and spread {}: not a measurement",
                    r.name, r.median_ms, r.spread
                ),
            ));
        }
        Ok(report)
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// Format seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
pub fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_795_950_245), "2026-11-29T11:04:05Z");
    }
}
