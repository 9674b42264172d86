//! Running the selected cases: set up, warm up and time each, and assemble the report with the
//! fractions of the device ceilings measured in the same run.

use super::measure;
use super::report;
use super::select::{all_cases, check_selection, selected};
use super::{BenchCase, BenchOptions, BenchReport, Bound, Row, Sizes};
use crate::error::Result;
use crate::gpu::Gpu;

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
