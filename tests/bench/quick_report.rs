//! The report of a quick filtered run through the CLI: complete and valid JSON, a spent time
//! budget, the per-kernel breakdown, progress reports, `--wall` timing by the host clock, and a
//! saved row that is not a measurement refused.

use serde_json::{json, Value};
use synchgraph::bench::{BenchOptions, BenchReport};

use crate::common;
use crate::support::{bench, scratch};

#[test]
fn quick_run_writes_a_complete_report() {
    let path = scratch("quick.json");
    let table = bench(&[
        "--quick",
        "--filter",
        "add",
        "--json",
        path.to_str().unwrap(),
    ]);
    assert!(table.contains("median ms"), "{table}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let adapter = &v["adapter"];
    for key in ["name", "driver", "backend", "device_type"] {
        assert!(adapter[key].is_string(), "adapter.{key} missing: {v}");
    }
    let software = adapter["software"].as_bool().expect("software flag");
    assert_eq!(software, adapter["device_type"] == "Cpu");
    if software {
        assert!(v["note"]
            .as_str()
            .unwrap()
            .contains("correctness, not speed"));
    }
    let date = v["date"].as_str().unwrap();
    assert!(date.len() == 20 && date.ends_with('Z'), "{date}");
    assert!(v["command"].as_str().unwrap().contains("--quick"));
    assert_eq!(v["engine"], synchgraph::report::provenance::engine_json());
    assert_eq!(v["mode"], "quick");
    assert_eq!(v["failures"], json!([]), "failed cases");
    assert_eq!(v["skipped"], json!([]), "skipped cases");
    assert_eq!(v["complete"], json!(true));
    assert!(v["ceilings"]["bandwidth_gbs"].as_f64().unwrap() > 0.0);
    let rows = v["rows"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"copy") && names.contains(&"add"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"relu"),
        "the filter was ignored: {names:?}"
    );
    for r in rows {
        let name = &r["name"];
        assert!(r["median_ms"].as_f64().unwrap() > 0.0, "{name}: time");
        assert!(r["min_ms"].as_f64().unwrap() > 0.0, "{name}: min");
        assert!(r["spread"].as_f64().unwrap() >= 0.0, "{name}: spread");
        let work = r["bytes"].as_u64().unwrap() + r["flops"].as_u64().unwrap();
        assert!(work > 0, "{name}: neither bytes nor flops");
        let fraction = r["fraction"].as_f64().unwrap();
        assert!(
            fraction > 0.0 && fraction <= 1.5,
            "{name}: fraction {fraction}"
        );
        assert!(
            r["repetitions"].as_u64().unwrap() >= 3,
            "{name}: repetitions"
        );
        let timing = r["timing"].as_str().unwrap();
        assert!(
            timing == "timestamps" || timing == "wall",
            "{name}: {timing}"
        );
    }
    // The file reads back as a report.
    BenchReport::load(&path).unwrap();
}

#[test]
fn a_spent_time_budget_skips_every_row_but_the_ceiling() {
    let path = scratch("budget.json");
    let table = bench(&[
        "--quick",
        "--filter",
        "add,relu,mul_broadcast",
        "--exclude",
        "mul",
        "--time-budget",
        "0",
        "--json",
        path.to_str().unwrap(),
    ]);
    assert!(table.contains("SKIPPED: time budget of 0 s"), "{table}");
    let report = BenchReport::load(&path).unwrap();
    let ran: Vec<&str> = report.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ran, ["copy"]);
    // Skipped lists the selected rows: the filtered ones, less the excluded.
    let skipped: Vec<&str> = report.skipped.iter().map(|r| r.name.as_str()).collect();
    assert!(
        skipped.contains(&"add") && skipped.contains(&"relu"),
        "{skipped:?}"
    );
    assert!(skipped.iter().all(|n| !n.contains("mul")), "{skipped:?}");
    assert!(report.complete && report.failures.is_empty());
}

#[test]
fn timestamped_rows_break_their_time_down_by_kernel() {
    // A one-kernel row is all `relu`, one dispatch per run; the Cora GCN epoch splits into its
    // sparse products, dense products and Adam, largest first, and the table shows the shares.
    let path = scratch("kernels.json");
    let table = bench(&[
        "--quick",
        "--filter",
        "relu,gcn_epoch_cora",
        "--json",
        path.to_str().unwrap(),
    ]);
    let report = BenchReport::load(&path).unwrap();
    let mut checked = Vec::new();
    for row in &report.rows {
        // The copy ceiling times its copy command itself, which dispatches no kernel.
        if row.timing != synchgraph::bench::Timing::Timestamps || row.name == "copy" {
            assert!(row.kernels.is_empty(), "{}: {:?}", row.name, row.kernels);
            continue;
        }
        let total: f64 = row.kernels.iter().map(|k| k.ms).sum();
        // The per-kernel times are means over the timed runs: at least the fastest run.
        assert!(
            total >= row.min_ms * (1.0 - 1e-9),
            "{}: {total} ms",
            row.name
        );
        assert!(
            row.kernels.windows(2).all(|w| w[0].ms >= w[1].ms),
            "{}: not largest first",
            row.name
        );
        for k in &row.kernels {
            assert!(k.dispatches >= 1.0 && k.dispatches.fract() == 0.0, "{k:?}");
        }
        match row.name.as_str() {
            "relu" => {
                assert_eq!(row.kernels.len(), 1, "{:?}", row.kernels);
                assert_eq!(
                    (row.kernels[0].name.as_str(), row.kernels[0].dispatches),
                    ("relu", 1.0)
                );
            }
            "gcn_epoch_cora" => {
                let names: Vec<&str> = row.kernels.iter().map(|k| k.name.as_str()).collect();
                for want in ["spmm", "spmm_transpose", "adam_step"] {
                    assert!(names.contains(&want), "{names:?}");
                }
                assert!(table.contains("    kernels: "), "{table}");
            }
            _ => {}
        }
        checked.push(row.name.as_str());
    }
    // On an adapter with timestamps both rows were broken down (lavapipe has them).
    if report
        .rows
        .iter()
        .any(|r| r.timing == synchgraph::bench::Timing::Timestamps)
    {
        assert_eq!(checked, ["relu", "gcn_epoch_cora"]);
    }
}

#[test]
fn a_saved_report_with_a_row_that_is_not_a_measurement_is_refused() {
    let path = scratch("zero.json");
    bench(&[
        "--quick",
        "--filter",
        "relu",
        "--json",
        path.to_str().unwrap(),
    ]);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["rows"][1]["median_ms"] = json!(0.0);
    std::fs::write(&path, v.to_string()).unwrap();
    let e = BenchReport::load(&path).unwrap_err().to_string();
    assert!(e.contains("row 'relu' has median 0 ms"), "{e}");
}

#[test]
fn progress_reports_grow_row_by_row_and_only_the_last_is_complete() {
    let gpu = common::gpu();
    let options = BenchOptions {
        quick: true,
        filter: Some("add,relu".into()),
        ..BenchOptions::default()
    };
    let mut partial: Vec<BenchReport> = Vec::new();
    let report = synchgraph::bench::run_with_progress(&gpu, &options, &mut |r| {
        partial.push(r.clone());
        Ok(())
    })
    .unwrap();
    assert!(report.complete);
    assert!(report.rows.len() >= 3, "{} rows", report.rows.len());
    // One partial report per case, each one row longer, none marked complete.
    assert_eq!(partial.len(), report.rows.len());
    for (i, p) in partial.iter().enumerate() {
        assert!(!p.complete);
        assert_eq!(p.rows.len(), i + 1);
        assert_eq!(p.rows[i].name, report.rows[i].name);
    }
    // A progress callback that fails stops the run with its error.
    let err = synchgraph::bench::run_with_progress(&gpu, &options, &mut |_| {
        Err(synchgraph::Error::InvalidInput("disk full".into()))
    })
    .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
}

#[test]
fn wall_mode_times_by_wall_clock() {
    let path = scratch("wall.json");
    bench(&[
        "--quick",
        "--wall",
        "--filter",
        "relu",
        "--json",
        path.to_str().unwrap(),
    ]);
    let report = BenchReport::load(&path).unwrap();
    assert_eq!(report.rows.len(), 2, "copy and relu");
    for r in &report.rows {
        assert_eq!(r.timing, synchgraph::bench::Timing::Wall, "{}", r.name);
        assert!(r.median_ms > 0.0 && r.fraction.unwrap() > 0.0, "{}", r.name);
    }
}
