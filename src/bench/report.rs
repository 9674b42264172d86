//! The result of a benchmark run: rows, device ceilings and adapter facts, written as JSON and as
//! an aligned table.

use std::collections::BTreeMap;
use std::fmt;
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

fn opt(v: Option<f64>, width: usize, precision: usize) -> String {
    match v {
        Some(x) => format!("{x:>width$.precision$}"),
        None => format!("{:>width$}", "-"),
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.adapter;
        writeln!(
            f,
            "adapter: {} ({}, {}, driver {})",
            a.name, a.backend, a.device_type, a.driver
        )?;
        if let Some(note) = &self.note {
            writeln!(f, "NOTE: {note}")?;
        }
        writeln!(
            f,
            "date: {}  mode: {}  warm-up: {}  ceilings: bandwidth {} GB/s, compute {} GFLOP/s",
            self.date,
            self.mode,
            self.warmup,
            opt(self.ceilings.bandwidth_gbs, 0, 2).trim(),
            opt(self.ceilings.compute_gflops, 0, 2).trim()
        )?;
        writeln!(
            f,
            "{:<22} {:<18} {:>10} {:>10} {:>7} {:>9} {:>9} {:>6} {:>4} timing",
            "name", "size", "median ms", "min ms", "spread", "GB/s", "GFLOP/s", "frac", "of"
        )?;
        for r in &self.rows {
            let of = match r.bound {
                Bound::Memory => "bw",
                Bound::Compute => "cmp",
            };
            let timing = match r.timing {
                Timing::Timestamps => "timestamps",
                Timing::Wall => "wall",
            };
            writeln!(
                f,
                "{:<22} {:<18} {:>10.4} {:>10.4} {:>6.1}% {} {} {} {:>4} {}",
                r.name,
                r.size,
                r.median_ms,
                r.min_ms,
                r.spread * 100.0,
                opt(r.gbs, 9, 2),
                opt(r.gflops, 9, 2),
                opt(r.fraction, 6, 3),
                of,
                timing
            )?;
            write_over_ceiling(f, r)?;
            if let Some(w) = r.warmup.filter(|w| *w != self.warmup) {
                let runs = if w == 1 { "run" } else { "runs" };
                writeln!(f, "    warm-up: {w} {runs} (this row's own)")?;
            }
            write_metrics(f, &r.metrics)?;
            write_kernels(f, &r.kernels)?;
        }
        for x in &self.failures {
            writeln!(f, "{:<22} {:<18} FAILED: {}", x.name, x.size, x.error)?;
        }
        for x in &self.skipped {
            writeln!(f, "{:<22} {:<18} SKIPPED: {}", x.name, x.size, x.reason)?;
        }
        Ok(())
    }
}

/// A row faster than its ceiling (`fraction` over 1) cannot be right as counted: its work is
/// miscounted, or a cache serves what the count calls memory traffic. Say so under the row.
fn write_over_ceiling(f: &mut fmt::Formatter<'_>, r: &Row) -> fmt::Result {
    match r.fraction {
        Some(x) if x > 1.0 => {
            let ceiling = match r.bound {
                Bound::Memory => "bandwidth",
                Bound::Compute => "compute",
            };
            writeln!(
                f,
                "    OVER CEILING: frac {x:.3} is above the {ceiling} ceiling of this run (work \
                 miscounted, or served from a cache)"
            )
        }
        _ => Ok(()),
    }
}

/// An end-to-end row's counts, one per line: per run, per second, per wall second.
fn write_metrics(f: &mut fmt::Formatter<'_>, m: &BTreeMap<String, f64>) -> fmt::Result {
    let base =
        |k: &&String| !k.ends_with("_per_s") && !k.ends_with("_per_wall_s") && *k != "wall_ms";
    for k in m.keys().filter(base) {
        let rate = |suffix: &str| {
            m.get(&format!("{k}{suffix}"))
                .map_or("-".to_string(), |v| format!("{v:.4e}"))
        };
        writeln!(
            f,
            "    {k:<26} {:>12.6e} per run  {:>12} per s  {:>12} per wall s",
            m[k],
            rate("_per_s"),
            rate("_per_wall_s")
        )?;
    }
    if let Some(w) = m.get("wall_ms") {
        writeln!(
            f,
            "    {:<26} {w:>12.4} ms (host, start to idle)",
            "wall time"
        )?;
    }
    Ok(())
}

/// For rows of several kernels, the largest shares of the row's GPU time on one line.
fn write_kernels(f: &mut fmt::Formatter<'_>, kernels: &[KernelTime]) -> fmt::Result {
    const SHOWN: usize = 5;
    let total: f64 = kernels.iter().map(|k| k.ms).sum();
    if kernels.len() < 2 || total <= 0.0 {
        return Ok(());
    }
    let parts: Vec<String> = kernels
        .iter()
        .take(SHOWN)
        .map(|k| {
            format!(
                "{} {:.1}% ({} x)",
                k.name,
                100.0 * k.ms / total,
                k.dispatches.round()
            )
        })
        .collect();
    let rest = kernels.len().saturating_sub(SHOWN);
    let more = if rest > 0 {
        format!(", {rest} more")
    } else {
        String::new()
    };
    writeln!(f, "    kernels: {}{more}", parts.join(", "))
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

    fn row(name: &str, bound: Bound, fraction: Option<f64>) -> Row {
        Row {
            name: name.into(),
            family: "test".into(),
            size: "1".into(),
            bytes: 8,
            flops: 1,
            bound,
            median_ms: 1.0,
            min_ms: 1.0,
            spread: 0.0,
            repetitions: 5,
            warmup: Some(2),
            gbs: Some(1.0),
            gflops: Some(1.0),
            fraction,
            timing: Timing::Timestamps,
            metrics: BTreeMap::new(),
            kernels: Vec::new(),
        }
    }

    #[test]
    fn a_fraction_over_one_is_flagged_in_the_table() {
        let report = BenchReport {
            schema: 1,
            adapter: AdapterSummary {
                name: "a".into(),
                driver: "d".into(),
                backend: "b".into(),
                device_type: "DiscreteGpu".into(),
                software: false,
                features: Vec::new(),
            },
            note: None,
            date: utc_from_unix(0),
            command: String::new(),
            engine: None,
            mode: "quick".into(),
            warmup: 2,
            ceilings: Ceilings {
                bandwidth_gbs: Some(1.0),
                compute_gflops: Some(1.0),
            },
            rows: vec![
                row("copy", Bound::Memory, Some(1.0)),
                row("spmm_over", Bound::Memory, Some(1.25)),
                row("matmul_ok", Bound::Compute, Some(0.5)),
                row("none", Bound::Memory, None),
            ],
            failures: Vec::new(),
            skipped: Vec::new(),
            complete: true,
        };
        let table = report.to_string();
        let flagged: Vec<&str> = table
            .lines()
            .filter(|l| l.contains("OVER CEILING"))
            .collect();
        assert_eq!(flagged.len(), 1, "{table}");
        assert!(flagged[0].contains("1.250") && flagged[0].contains("bandwidth"));
        let lines: Vec<&str> = table.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("spmm_over"))
            .unwrap();
        assert!(lines[at + 1].contains("OVER CEILING"), "{table}");
    }

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_795_950_245), "2026-11-29T11:04:05Z");
    }
}
