//! Listing the rows a run would measure, with their counted traffic, without measuring.

use std::io::Write;

use super::select::{all_cases, check_selection, selected};
use super::{BenchOptions, Bound, Sizes};
use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// Write the rows that `options` would run on `gpu` (name, family, size, ceiling, and the
/// counted megabytes and GFLOP of one run) without allocating or measuring anything, and
/// return how many there are. End-to-end rows count their traffic while they run, so their
/// analytic counts are only estimates. A selected row whose data is missing here
/// ([`BenchCase::unavailable`]) is listed too, with a line saying it would be skipped and why.
///
/// [`BenchCase::unavailable`]: super::BenchCase::unavailable
pub fn list(gpu: &Gpu, options: &BenchOptions, out: &mut dyn Write) -> Result<usize> {
    let sizes = Sizes::for_device(gpu, options.quick, options.wall);
    let cases = all_cases(&sizes);
    check_selection(&cases, options)?;
    let rows: Vec<[String; 6]> = cases
        .iter()
        .filter(|c| selected(c, options))
        .map(|c| {
            let bound = match c.bound {
                Bound::Memory => "memory",
                Bound::Compute => "compute",
            };
            let gflop = if c.flops > 0 {
                format!("{:.3}", c.flops as f64 / 1e9)
            } else {
                "-".to_string()
            };
            [
                c.name.clone(),
                c.family.to_string(),
                c.size.clone(),
                bound.to_string(),
                format!("{:.3}", c.bytes as f64 / 1e6),
                gflop,
            ]
        })
        .collect();
    let header = ["name", "family", "size", "bound", "MB per run", "GFLOP"].map(String::from);
    let mut width = [0usize; 6];
    for row in rows.iter().chain([&header]) {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let io = |e| Error::io("standard output", e);
    for row in [&header].into_iter().chain(&rows) {
        let [a, b, c, d, e, f] = row;
        writeln!(
            out,
            "{a:<w0$}  {b:<w1$}  {c:<w2$}  {d:<w3$}  {e:>w4$}  {f:>w5$}",
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3],
            w4 = width[4],
            w5 = width[5],
        )
        .map_err(io)?;
    }
    let n = rows.len();
    writeln!(
        out,
        "{n} rows ({} sizes)",
        if options.quick { "quick" } else { "full" }
    )
    .map_err(io)?;
    for c in cases.iter().filter(|c| selected(c, options)) {
        if let Some(reason) = &c.unavailable {
            writeln!(out, "{} would be skipped: {reason}", c.name).map_err(io)?;
        }
    }
    Ok(n)
}
