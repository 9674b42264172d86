//! Comparing a run with an older report: per-row time ratio, flagged when it is outside the noise
//! of both runs; the comparison of two saved reports, and the header lines that name them.

use std::fmt;
use std::io::Write;

use super::measure::Timing;
use super::report::BenchReport;
use crate::error::{Error, Result};

/// Smallest relative change ever reported as slower or faster.
pub const MIN_NOISE: f64 = 0.05;

/// How many relative spreads a change must exceed to count.
pub const SPREAD_FACTOR: f64 = 3.0;

/// Verdict on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Slower by more than the noise.
    Slower,
    /// Faster by more than the noise.
    Faster,
    /// Within the noise.
    Same,
    /// The old report has no row of this name and size (see [`CompareRow::old_sizes`] for the
    /// sizes it has the name at, if any).
    New,
}

/// One row of a comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CompareRow {
    /// Row name.
    pub name: String,
    /// Problem size.
    pub size: String,
    /// Old median in milliseconds (absent for new rows).
    pub old_ms: Option<f64>,
    /// New median in milliseconds.
    pub new_ms: f64,
    /// new / old median time (above 1 means slower).
    pub ratio: Option<f64>,
    /// Relative change treated as noise: max(3 x the larger relative spread, 5 %).
    pub noise: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// (new, old) timing where the two rows were timed differently (one by GPU timestamps, the
    /// other by the wall clock): their ratio then measures the timing too. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<(Timing, Timing)>,
    /// For a row the old report has under this name at other sizes only (a `--quick` run
    /// against a full one, another device's size limits), those sizes: the row is not new,
    /// only not comparable. Empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub old_sizes: Vec<String>,
}

/// A row of the old report that the new run did not measure: it failed or was skipped there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnmeasuredRow {
    /// Row name.
    pub name: String,
    /// Problem size.
    pub size: String,
    /// Old median in milliseconds.
    pub old_ms: f64,
    /// Why the new run has no time: its failure or its reason for skipping the row.
    pub why: String,
}

/// A full comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// One entry per row of the new report.
    pub rows: Vec<CompareRow>,
    /// Rows the old report timed that the new run failed or skipped (rows it did not select
    /// are not listed), so a row pushed out by a time budget does not vanish from the comparison.
    pub unmeasured: Vec<UnmeasuredRow>,
}

impl Comparison {
    /// Rows slower by more than the noise.
    pub fn regressions(&self) -> impl Iterator<Item = &CompareRow> {
        self.rows.iter().filter(|r| r.verdict == Verdict::Slower)
    }
}

/// Compare `new` with `old`, matching rows by name and size.
pub fn compare(old: &BenchReport, new: &BenchReport) -> Comparison {
    let rows = new
        .rows
        .iter()
        .map(|n| {
            let o = old
                .rows
                .iter()
                .find(|o| o.name == n.name && o.size == n.size);
            let spread = o.map_or(n.spread, |o| o.spread.max(n.spread));
            let noise = (SPREAD_FACTOR * spread).max(MIN_NOISE);
            let ratio = o
                .filter(|o| o.median_ms > 0.0)
                .map(|o| n.median_ms / o.median_ms);
            let verdict = match ratio {
                None => Verdict::New,
                Some(r) if r > 1.0 + noise => Verdict::Slower,
                Some(r) if r < 1.0 / (1.0 + noise) => Verdict::Faster,
                Some(_) => Verdict::Same,
            };
            CompareRow {
                name: n.name.clone(),
                size: n.size.clone(),
                old_ms: o.map(|o| o.median_ms),
                new_ms: n.median_ms,
                ratio,
                noise,
                verdict,
                timings: o
                    .filter(|o| o.timing != n.timing)
                    .map(|o| (n.timing, o.timing)),
                old_sizes: if o.is_some() {
                    Vec::new()
                } else {
                    old.rows
                        .iter()
                        .filter(|o| o.name == n.name)
                        .map(|o| o.size.clone())
                        .collect()
                },
            }
        })
        .collect();
    let not_run = new
        .failures
        .iter()
        .map(|f| (&f.name, &f.size, format!("failed: {}", f.error)))
        .chain(
            new.skipped
                .iter()
                .map(|s| (&s.name, &s.size, format!("skipped: {}", s.reason))),
        );
    let unmeasured = not_run
        .filter_map(|(name, size, why)| {
            let o = old
                .rows
                .iter()
                .find(|o| &o.name == name && &o.size == size)?;
            Some(UnmeasuredRow {
                name: name.clone(),
                size: size.clone(),
                old_ms: o.median_ms,
                why,
            })
        })
        .collect();
    Comparison { rows, unmeasured }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<22} {:<18} {:>10} {:>10} {:>7} {:>7}  verdict",
            "name", "size", "old ms", "new ms", "ratio", "noise"
        )?;
        for r in &self.rows {
            let old = r.old_ms.map_or("-".to_string(), |v| format!("{v:.4}"));
            let ratio = r.ratio.map_or("-".to_string(), |v| format!("{v:.3}"));
            let verdict = match r.verdict {
                Verdict::Slower => "SLOWER",
                Verdict::Faster => "faster",
                Verdict::Same => "same",
                Verdict::New => "new",
            };
            let timings = match r.timings {
                Some((new, old)) => format!(
                    "  (timed by {} here, {} there: not like for like)",
                    timing_name(new),
                    timing_name(old)
                ),
                None => String::new(),
            };
            let resized = if r.old_sizes.is_empty() {
                String::new()
            } else {
                format!(
                    "  (old report has it at {} only: not compared)",
                    r.old_sizes.join(", ")
                )
            };
            writeln!(
                f,
                "{:<22} {:<18} {:>10} {:>10.4} {:>7} {:>6.1}%  {verdict}{timings}{resized}",
                r.name,
                r.size,
                old,
                r.new_ms,
                ratio,
                r.noise * 100.0
            )?;
        }
        for u in &self.unmeasured {
            writeln!(
                f,
                "{:<22} {:<18} {:>10.4} {:>10} {:>7} {:>7}  NOT MEASURED ({})",
                u.name, u.size, u.old_ms, "-", "-", "-", u.why
            )?;
        }
        let slower = self.regressions().count();
        writeln!(f, "{slower} row(s) slower than the noise")?;
        let resized = self.rows.iter().filter(|r| !r.old_sizes.is_empty()).count();
        if resized > 0 {
            writeln!(
                f,
                "{resized} row(s) of this run held by the old report at another size only"
            )?;
        }
        if !self.unmeasured.is_empty() {
            writeln!(
                f,
                "{} row(s) of the old report not measured in this run",
                self.unmeasured.len()
            )?;
        }
        Ok(())
    }
}

fn timing_name(t: Timing) -> &'static str {
    match t {
        Timing::Timestamps => "timestamps",
        Timing::Wall => "wall clock",
    }
}

/// Print the comparison of two saved reports to `out` (no device needed): `new` against `old`,
/// for example an engine run against a peer's run made in the same session.
pub fn compare_saved(
    old: &std::path::Path,
    new: &std::path::Path,
    out: &mut dyn Write,
) -> Result<()> {
    let (old_report, new_report) = (BenchReport::load(old)?, BenchReport::load(new)?);
    let io = |e| Error::io("standard output", e);
    let header = comparison_header(
        &new.display().to_string(),
        &new_report,
        &old.display().to_string(),
        &old_report,
    );
    write!(out, "{header}").map_err(io)?;
    write!(out, "{}", compare(&old_report, &new_report)).map_err(io)
}

/// The lines above a comparison: which report (its adapter and date) is compared with which,
/// then one line for each of adapter, backend and driver that differs between them, since the
/// ratios then measure that difference too (two devices, or the engine against a peer on
/// another backend) and not only a change of code, and one for each report that is incomplete
/// (written by a run cut short), whose missing rows are then missing from the comparison.
pub fn comparison_header(
    new_name: &str,
    new: &BenchReport,
    old_name: &str,
    old: &BenchReport,
) -> String {
    let mut text = format!(
        "{new_name} ({}, {}) compared with {old_name} ({}, {})\n",
        new.adapter.name, new.date, old.adapter.name, old.date
    );
    let (a, b) = (&new.adapter, &old.adapter);
    for (what, x, y) in [
        ("adapters", &a.name, &b.name),
        ("backends", &a.backend, &b.backend),
        ("drivers", &a.driver, &b.driver),
    ] {
        if x != y {
            text.push_str(&format!("different {what}: {x} / {y}\n"));
        }
    }
    for (name, report) in [(new_name, new), (old_name, old)] {
        if !report.complete {
            text.push_str(&format!(
                "{name} is incomplete (its run was cut short): rows it lacks are not compared\n"
            ));
        }
    }
    text
}
