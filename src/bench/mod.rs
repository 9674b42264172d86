//! The kernel benchmark harness shared by `cargo bench` and `synchgraph bench`.
//!
//! Each [`BenchCase`] allocates its inputs once (rotating between [`case::INPUT_SETS`] sets) and
//! records its dispatches per run. The harness does warm-up runs, then timed repetitions: GPU
//! time from timestamp queries where the adapter has TIMESTAMP_QUERY, wall clock around a full
//! synchronisation otherwise, and reports the median, minimum and spread. Device ceilings are
//! measured in the same run: bandwidth is a large buffer-to-buffer copy, compute the best matmul.

pub mod args;
pub mod case;
pub mod cases;
pub mod cases_e2e;
pub mod cases_graph;
pub mod cases_layout;
pub mod cases_linalg;
pub mod cases_overhead;
pub mod cases_snn;
pub mod cases_sparse;
pub mod cases_train;
pub mod compare;
pub mod measure;
pub mod report;

use std::io::Write;
use std::path::PathBuf;

pub use case::{BenchCase, Bound, Sizes};
pub use compare::{compare, Comparison};
pub use measure::Timing;
pub use report::{BenchReport, Row};

use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// What to run and where to write it.
#[derive(Debug, Clone, Default)]
pub struct BenchOptions {
    /// Small sizes and few repetitions.
    pub quick: bool,
    /// Run only rows whose name or family contains this (case-insensitive; several
    /// comma-separated words select the rows matching any of them); the copy ceiling always runs.
    pub filter: Option<String>,
    /// Leave out rows whose name or family contains any of these comma-separated words (the
    /// copy ceiling always runs).
    pub exclude: Option<String>,
    /// Write the report as JSON here.
    pub json: Option<PathBuf>,
    /// Compare with this older JSON report.
    pub compare: Option<PathBuf>,
    /// Time by host wall clock even where timestamp queries exist.
    pub wall: bool,
    /// Start no further case once this many seconds have passed since the run began; the
    /// cases not started are listed in [`BenchReport::skipped`]. The copy ceiling always runs.
    pub time_budget: Option<f64>,
    /// The command line, recorded in the report.
    pub command: String,
}

/// Every case for `sizes`, ceiling first.
pub fn all_cases(sizes: &Sizes) -> Vec<BenchCase> {
    let mut cases = vec![cases::copy_ceiling(sizes)];
    cases.extend(cases::elementwise(sizes));
    cases.extend(cases::random_and_cast(sizes));
    cases.push(cases_overhead::dispatch_chain(sizes));
    cases.extend(cases_linalg::matmuls(sizes));
    cases.extend(cases_linalg::gradient_matmuls(sizes));
    cases.extend(cases_linalg::reductions(sizes));
    cases.extend(cases_layout::layout(sizes));
    cases.extend(cases_snn::snn(sizes));
    cases.push(cases_graph::synchrony(sizes));
    cases.extend(cases_graph::spmm_rows(sizes));
    cases.push(cases_graph::adam(sizes));
    cases.extend(cases_sparse::sparse(sizes));
    cases.push(cases_e2e::snn_second(sizes));
    cases.push(cases_train::gcn_epoch_cora(sizes));
    cases.push(cases_train::lgrin_epoch(sizes));
    cases
}

/// True when a comma-separated word of `words` occurs in the case's name or family.
fn matches_any(case: &BenchCase, words: &str) -> bool {
    let name = case.name.to_lowercase();
    words
        .to_lowercase()
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .any(|w| name.contains(w) || case.family.contains(w))
}

/// Refuse a `--filter` or `--exclude` word that matches no case, or a flag with no word at all,
/// so a misspelt row name or an unset shell variable is an error rather than a run that
/// silently measures nothing but the ceiling; warn when the selection leaves only the ceiling.
fn check_selection(cases: &[BenchCase], options: &BenchOptions) -> Result<()> {
    for (flag, words) in [
        ("--filter", &options.filter),
        ("--exclude", &options.exclude),
    ] {
        if let Some(w) = words {
            if w.split(',').all(|w| w.trim().is_empty()) {
                return Err(Error::InvalidInput(format!(
                    "{flag} '{w}' holds no word (an unset shell variable?); give row names or \
                     families, separated by commas"
                )));
            }
        }
        let words = words.iter().flat_map(|w| w.split(',')).map(str::trim);
        for word in words.filter(|w| !w.is_empty()) {
            if !cases.iter().any(|c| matches_any(c, word)) {
                let mut families: Vec<&str> = cases.iter().map(|c| c.family).collect();
                families.sort_unstable();
                families.dedup();
                return Err(Error::InvalidInput(format!(
                    "{flag} word '{word}' matches no bench row; a word selects the rows whose \
                     name or family contains it (families: {})",
                    families.join(", ")
                )));
            }
        }
    }
    // Not an error (a script may select the ceiling alone, or exclude what its filter chose),
    // but never silent.
    if !cases.iter().any(|c| !c.is_ceiling && selected(c, options)) {
        eprintln!(
            "bench: warning: the --filter and --exclude words together leave no row besides the \
             copy ceiling"
        );
    }
    Ok(())
}

fn selected(case: &BenchCase, options: &BenchOptions) -> bool {
    case.is_ceiling
        || (options
            .filter
            .as_deref()
            .is_none_or(|f| matches_any(case, f))
            && !options
                .exclude
                .as_deref()
                .is_some_and(|x| matches_any(case, x)))
}

/// Write the rows that `options` would run on `gpu` (name, family, size, ceiling, and the
/// counted megabytes and GFLOP of one run) without allocating or measuring anything, and
/// return how many there are. End-to-end rows count their traffic while they run, so their
/// analytic counts are only estimates. A selected row whose data is missing here
/// ([`BenchCase::unavailable`]) is listed too, with a line saying it would be skipped and why.
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

/// Set up, warm up and time one case.
fn measure_case(gpu: &Gpu, case: BenchCase, sizes: &Sizes) -> Result<Row> {
    let mut run = (case.setup)(gpu)?;
    gpu.synchronize()?;
    let (warmup, repetitions) = case.runs.unwrap_or((sizes.warmup, sizes.repetitions));
    let timestamps = sizes.timestamps && !case.wall_clock;
    let m = measure::measure(gpu, &mut run, warmup, repetitions, timestamps)?;
    drop(run);
    let stats = measure::Stats::of(&m.times_ns);
    let secs = stats.median_ms / 1e3;
    let (mut bytes, mut flops) = (case.bytes, case.flops);
    let mut metrics = std::collections::BTreeMap::new();
    for &(k, v) in &case.counts {
        metrics.insert(k.to_string(), v);
        if secs > 0.0 {
            metrics.insert(format!("{k}_per_s"), v / secs);
        }
    }
    if let Some(cell) = &case.counted {
        let c = cell.borrow();
        if c.runs > 0 {
            let runs = c.runs as f64;
            (bytes, flops) = (
                (c.bytes / runs).round() as u64,
                (c.flops / runs).round() as u64,
            );
            let wall = (!c.wall_s.is_empty()).then(|| measure::median(&c.wall_s));
            for (k, v) in &c.counts {
                let per_run = v / runs;
                metrics.insert(k.clone(), per_run);
                if secs > 0.0 {
                    metrics.insert(format!("{k}_per_s"), per_run / secs);
                }
                if let Some(w) = wall.filter(|w| *w > 0.0) {
                    metrics.insert(format!("{k}_per_wall_s"), per_run / w);
                }
            }
            if let Some(w) = wall {
                metrics.insert("wall_ms".to_string(), w * 1e3);
            }
        }
    }
    let rate = |count: u64| (count > 0 && secs > 0.0).then(|| count as f64 / secs / 1e9);
    Ok(Row {
        name: case.name,
        family: case.family.to_string(),
        size: case.size,
        bytes,
        flops,
        bound: case.bound,
        median_ms: stats.median_ms,
        min_ms: stats.min_ms,
        spread: stats.spread,
        repetitions: m.times_ns.len(),
        warmup: Some(warmup),
        gbs: rate(bytes),
        gflops: rate(flops),
        fraction: None,
        timing: m.timing,
        metrics,
        kernels: m.kernels,
    })
}

/// Measure every selected case on `gpu` and build the report (no printing, no files). A case
/// that fails is listed in [`BenchReport::failures`] and the others still run.
pub fn run(gpu: &Gpu, options: &BenchOptions) -> Result<BenchReport> {
    run_with_progress(gpu, options, &mut |_| Ok(()))
}

/// [`run`], calling `progress` with the report so far (marked incomplete) after each case, so
/// a caller can keep the finished rows of a run that is cut short.
pub fn run_with_progress(
    gpu: &Gpu,
    options: &BenchOptions,
    progress: &mut dyn FnMut(&BenchReport) -> Result<()>,
) -> Result<BenchReport> {
    gpu.set_profiling(!options.wall)?;
    let sizes = Sizes::for_device(gpu, options.quick, options.wall);
    let cases = all_cases(&sizes);
    check_selection(&cases, options)?;
    run_cases(gpu, options, &sizes, cases, progress)
}

/// Measure the selected ones of `cases` (the loop of [`run_with_progress`]).
fn run_cases(
    gpu: &Gpu,
    options: &BenchOptions,
    sizes: &Sizes,
    cases: Vec<BenchCase>,
    progress: &mut dyn FnMut(&BenchReport) -> Result<()>,
) -> Result<BenchReport> {
    let started = std::time::Instant::now();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in cases {
        if !selected(&case, options) {
            continue;
        }
        if let Some(reason) = case.unavailable {
            skipped.push(report::Skipped {
                name: case.name,
                size: case.size,
                reason,
            });
            continue;
        }
        if gpu.is_lost() {
            skipped.push(report::Skipped {
                name: case.name,
                size: case.size,
                reason: "the GPU device was lost in an earlier row".into(),
            });
            continue;
        }
        let spent = started.elapsed().as_secs_f64();
        if let Some(budget) = options
            .time_budget
            .filter(|b| !case.is_ceiling && spent >= *b)
        {
            skipped.push(report::Skipped {
                name: case.name,
                size: case.size,
                reason: format!("time budget of {budget} s spent ({spent:.1} s)"),
            });
            continue;
        }
        eprintln!("bench: {} ({})", case.name, case.size);
        let (name, size, ceiling) = (case.name.clone(), case.size.clone(), case.is_ceiling);
        match measure_case(gpu, case, sizes) {
            Ok(row) => rows.push((ceiling, row)),
            Err(e) => {
                eprintln!("bench: {name} failed: {e}");
                // The row's failed batch is listed here; the next rows start from a clean
                // slate instead of reporting its standing error again.
                let _ = gpu.clear_error();
                failures.push(report::Failure {
                    name,
                    size,
                    error: e.to_string(),
                });
            }
        }
        progress(&assemble(
            gpu, options, sizes, &rows, &failures, &skipped, false,
        ))?;
    }
    Ok(assemble(
        gpu, options, sizes, &rows, &failures, &skipped, true,
    ))
}

/// The report for the rows measured so far, with fractions of the ceilings among them.
fn assemble(
    gpu: &Gpu,
    options: &BenchOptions,
    sizes: &Sizes,
    rows: &[(bool, Row)],
    failures: &[report::Failure],
    skipped: &[report::Skipped],
    complete: bool,
) -> BenchReport {
    let bandwidth = rows
        .iter()
        .filter(|(ceiling, _)| *ceiling)
        .filter_map(|(_, r)| r.gbs)
        .reduce(f64::max);
    let compute = rows
        .iter()
        .filter(|(_, r)| r.family == "matmul")
        .filter_map(|(_, r)| r.gflops)
        .reduce(f64::max);
    let mut rows: Vec<Row> = rows.iter().map(|(_, r)| r.clone()).collect();
    for r in &mut rows {
        r.fraction = match r.bound {
            Bound::Memory => r.gbs.zip(bandwidth).map(|(v, c)| v / c),
            Bound::Compute => r.gflops.zip(compute).map(|(v, c)| v / c),
        };
    }
    let a = &gpu.info().adapter;
    BenchReport {
        schema: report::SCHEMA,
        adapter: report::AdapterSummary {
            name: a.name.clone(),
            driver: a.driver.clone(),
            backend: a.backend.clone(),
            device_type: a.device_type.clone(),
            software: a.software,
            features: a.features.clone(),
        },
        note: a.software.then(|| report::SOFTWARE_NOTE.to_string()),
        date: report::utc_now(),
        command: options.command.clone(),
        engine: Some(crate::report::provenance::engine_json()),
        mode: if options.quick { "quick" } else { "full" }.to_string(),
        warmup: sizes.warmup,
        ceilings: report::Ceilings {
            bandwidth_gbs: bandwidth,
            compute_gflops: compute,
        },
        rows,
        failures: failures.to_vec(),
        skipped: skipped.to_vec(),
        complete,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::case::RunFn;
    use crate::gpu::{Kernel, Shader};
    use crate::tensor::{DType, Tensor};

    /// A row whose setup records a dispatch with a missing binding (its batch fails on the GPU),
    /// or, when `fail` is false, one that scales a small tensor.
    fn case(name: &str, fail: bool) -> BenchCase {
        BenchCase::compute(
            name,
            "test",
            "4 f32",
            16,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let t = Tensor::zeros(gpu, &[4], DType::F32)?;
                if fail {
                    gpu.dispatch(
                        "binary",
                        &Kernel::new(Shader::Elementwise, "binary"),
                        &[4u32; 8],
                        &[t.binding()?],
                        [1, 1, 1],
                    )?;
                }
                Ok(Box::new(move |_| {
                    crate::kernels::elementwise::scale(&t, 2.0)?;
                    Ok(None)
                }))
            }),
        )
    }

    #[test]
    fn a_failed_row_is_listed_and_the_next_rows_still_run() {
        let Ok(gpu) = Gpu::open_default() else {
            eprintln!("SKIPPED: no adapter");
            return;
        };
        let options = BenchOptions {
            quick: true,
            wall: true,
            ..BenchOptions::default()
        };
        let sizes = Sizes::for_device(&gpu, true, true);
        let cases = vec![case("bad", true), case("good", false), case("good2", false)];
        let report = run_cases(&gpu, &options, &sizes, cases, &mut |_| Ok(())).unwrap();
        let failed: Vec<&str> = report.failures.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(failed, ["bad"], "{:?}", report.failures);
        assert_eq!(report.rows.len(), 2, "the rows after the failed one ran");
        gpu.lose_device();
        let report = run_cases(
            &gpu,
            &options,
            &sizes,
            vec![case("after", false)],
            &mut |_| Ok(()),
        )
        .unwrap();
        assert!(report.rows.is_empty() && report.failures.is_empty());
        assert!(
            report.skipped[0].reason.contains("lost"),
            "{:?}",
            report.skipped
        );
    }
}
