//! The aligned text table of a [`BenchReport`]: one line per row with its timing, throughput and
//! fraction of the device ceiling, a flag under any row over its ceiling, then its metrics and
//! per-kernel times.

use std::collections::BTreeMap;
use std::fmt;

use super::case::Bound;
use super::measure::Timing;
use super::report::{BenchReport, KernelTime, Row};

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

#[cfg(test)]
mod tests {
    use super::super::report::{utc_from_unix, AdapterSummary, Ceilings};
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
}
