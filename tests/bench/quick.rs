//! The benchmark harness: a quick filtered run through the CLI writes a complete, valid JSON
//! report; `--compare` flags a row twice as slow and not one 1 % slower; `--wall` times by the
//! host clock; the full plan has unique rows that all do work.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use synchgraph::bench::compare::{compare, Verdict};
use synchgraph::bench::{BenchOptions, BenchReport};

use crate::common;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .arg("bench")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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
fn list_prints_the_selected_rows_without_measuring() {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--quick", "--list", "--filter", "relu,transpose"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let names: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["copy", "relu", "transpose", "3"], "{stdout}");
    assert!(
        stdout.lines().next().unwrap().starts_with("name"),
        "{stdout}"
    );
    assert!(stdout.contains("3 rows (quick sizes)"), "{stdout}");
    assert!(!stderr.contains("bench: "), "measured: {stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--list", "--json", "x.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn a_selection_word_that_matches_no_row_is_refused() {
    let path = scratch("typo.json");
    for flags in [["--filter", "add,lif_stpe"], ["--exclude", "matmull"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["bench", "--quick", "--json", path.to_str().unwrap()])
            .args(flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let word = flags[1].rsplit(',').next().unwrap();
        assert!(
            stderr.contains(&format!("{} word '{word}' matches no bench row", flags[0]))
                && stderr.contains("families: "),
            "{stderr}"
        );
        assert!(
            !stderr.contains("bench: copy"),
            "measured before refusing: {stderr}"
        );
        assert!(!path.exists(), "{flags:?} wrote a report");
    }
}

#[test]
fn a_selection_of_no_word_or_no_row_is_refused() {
    // An empty filter (an unset shell variable) would measure the copy ceiling alone.
    for (flags, needle) in [
        (vec!["--filter", ""], "--filter '' holds no word"),
        (vec!["--filter", ","], "--filter ',' holds no word"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["bench", "--quick", "--list"])
            .args(&flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{flags:?}: {stderr}");
    }
    // A filter that its exclusion cancels runs the ceiling alone, and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args([
            "bench",
            "--quick",
            "--list",
            "--filter",
            "matmul",
            "--exclude",
            "matmul",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: the --filter and --exclude words together leave no row"),
        "{stderr}"
    );
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
fn a_time_budget_that_is_not_a_duration_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--quick", "--time-budget=-5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--time-budget"), "{stderr}");
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

fn report(rows: &[(&str, f64, f64)]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(name, ms, spread)| {
            json!({
                "name": name, "family": "elementwise", "size": "1M f32", "bytes": 12u64 << 20,
                "flops": 1u64 << 20, "bound": "memory", "median_ms": ms, "min_ms": ms * 0.99,
                "spread": spread, "repetitions": 5, "gbs": 1.0, "gflops": 0.1, "fraction": 0.5,
                "timing": "timestamps"
            })
        })
        .collect();
    json!({
        "schema": 1,
        "adapter": {"name": "test", "driver": "d", "backend": "Vulkan", "device_type": "Cpu",
                    "software": true, "features": []},
        "note": null, "date": "2026-01-01T00:00:00Z", "command": "test", "mode": "quick",
        "warmup": 2, "ceilings": {"bandwidth_gbs": 10.0, "compute_gflops": null}, "rows": rows
    })
}

fn write(name: &str, v: &Value) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

#[test]
fn compare_flags_a_doubled_time_and_not_a_one_percent_change() {
    let old = write(
        "old.json",
        &report(&[("add", 1.0, 0.01), ("relu", 1.0, 0.01), ("mul", 1.0, 0.01)]),
    );
    let new = write(
        "new.json",
        &report(&[("add", 2.0, 0.01), ("relu", 1.01, 0.01), ("cast", 1.0, 0.0)]),
    );
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    let verdict = |n: &str| c.rows.iter().find(|r| r.name == n).unwrap().verdict;
    assert_eq!(verdict("add"), Verdict::Slower);
    assert_eq!(verdict("relu"), Verdict::Same);
    assert_eq!(verdict("cast"), Verdict::New);
    assert_eq!(c.regressions().count(), 1);
    // A wide spread widens the noise: 2x with 40 % spread is within 3 x 40 %.
    let noisy = write("noisy.json", &report(&[("add", 2.0, 0.4)]));
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&noisy).unwrap(),
    );
    assert_eq!(c.rows[0].verdict, Verdict::Same);
}

#[test]
fn compare_lists_old_rows_the_new_run_failed_or_skipped() {
    // "mul" was skipped (time budget) and "relu" failed in the new run; "cast" was not selected
    // and is not listed. The old times of the two are shown with the reason, not dropped.
    let old = write(
        "unmeasured-old.json",
        &report(&[
            ("add", 1.0, 0.01),
            ("relu", 1.0, 0.01),
            ("mul", 2.0, 0.01),
            ("cast", 1.0, 0.01),
        ]),
    );
    let mut new = report(&[("add", 1.0, 0.01)]);
    new["skipped"] = json!([{"name": "mul", "size": "1M f32", "reason": "time budget spent"}]);
    new["failures"] = json!([{"name": "relu", "size": "1M f32", "error": "out of memory"}]);
    let new = write("unmeasured-new.json", &new);
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    let listed: Vec<(&str, f64, &str)> = c
        .unmeasured
        .iter()
        .map(|u| (u.name.as_str(), u.old_ms, u.why.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("relu", 1.0, "failed: out of memory"),
            ("mul", 2.0, "skipped: time budget spent")
        ]
    );
    let text = c.to_string();
    assert!(
        text.contains("NOT MEASURED (skipped: time budget spent)")
            && text.contains("2 row(s) of the old report not measured in this run"),
        "{text}"
    );
}

#[test]
fn compare_marks_rows_timed_differently() {
    use synchgraph::bench::Timing;
    let old = write("timed-old.json", &report(&[("add", 1.0, 0.01)]));
    let mut wall = report(&[("add", 1.0, 0.01), ("relu", 1.0, 0.01)]);
    wall["rows"][0]["timing"] = json!("wall");
    let new = write("timed-new.json", &wall);
    let c = compare(
        &BenchReport::load(&old).unwrap(),
        &BenchReport::load(&new).unwrap(),
    );
    assert_eq!(c.rows[0].timings, Some((Timing::Wall, Timing::Timestamps)));
    assert_eq!(
        c.rows[1].timings, None,
        "a new row has nothing to differ from"
    );
    let text = c.to_string();
    let add = text.lines().find(|l| l.starts_with("add")).unwrap();
    assert!(
        add.contains("timed by wall clock here, timestamps there"),
        "{add}"
    );
    assert!(!text
        .lines()
        .any(|l| l.starts_with("relu") && l.contains("timed by")));
}

#[test]
fn two_saved_reports_compare_without_a_device() {
    let old = write("saved-old.json", &report(&[("add", 1.0, 0.01)]));
    let new = write("saved-new.json", &report(&[("add", 3.0, 0.01)]));
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", new.to_str().unwrap()])
        .args(["--compare", old.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("compared with"), "{stdout}");
    assert!(!stdout.contains("different adapters"), "{stdout}");
    let add = stdout.lines().find(|l| l.starts_with("add")).unwrap();
    assert!(add.contains("3.00"), "{add}");
    // Reports of two adapters compare devices, and the output says so.
    let mut other = report(&[("add", 0.5, 0.01)]);
    other["adapter"]["name"] = json!("another GPU");
    let other = write("saved-other.json", &other);
    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", other.to_str().unwrap()])
        .args(["--compare", old.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("(another GPU, ")
            && stdout.contains("different adapters: another GPU / test"),
        "{stdout}"
    );
    assert!(!stdout.contains("different backends"), "{stdout}");
    // --from needs --compare, and a missing file is named.
    let alone = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", new.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!alone.status.success());
    let missing = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--from", "no-such-report.json", "--compare"])
        .arg(&old)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && stderr.contains("no-such-report.json"),
        "{stderr}"
    );
}

#[test]
fn compare_flag_prints_the_ratio_per_row() {
    // An old report claiming relu took a nanosecond: the real run must be flagged slower.
    let old = write("fast.json", &report(&[("relu", 1e-6, 0.0)]));
    let out = bench(&[
        "--quick",
        "--filter",
        "relu",
        "--compare",
        old.to_str().unwrap(),
    ]);
    let line = out
        .lines()
        .find(|l| l.starts_with("relu") && l.contains("SLOWER"))
        .unwrap_or_else(|| panic!("no flagged relu row:\n{out}"));
    assert!(line.contains("1M f32"), "{line}");
    assert!(out.contains("1 row(s) slower than the noise"), "{out}");
    // The old report's adapter ("test") is not this one.
    assert!(
        out.contains("this run (") && out.contains("(test, 2026-01-01T00:00:00Z)"),
        "{out}"
    );
    assert!(out.contains("different adapters: "), "{out}");
    assert!(out.contains("different drivers: "), "{out}");
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

#[test]
fn full_plan_has_unique_rows_with_work_and_all_matmul_transposes() {
    use synchgraph::bench::{all_cases, Bound, Sizes};
    let sizes = Sizes {
        quick: false,
        elements: 128 << 20,
        copy_bytes: 1 << 30,
        matmul: &[1024, 2048, 4096],
        neurons: 16 << 20,
        stdp: 4096,
        warmup: 3,
        repetitions: 20,
        timestamps: true,
    };
    let cases = all_cases(&sizes);
    let mut keys: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.name.clone(), c.size.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), cases.len(), "duplicate rows");
    assert!(cases[0].is_ceiling && cases[0].bytes == 2 << 30);
    for c in &cases {
        assert!(c.bytes + c.flops > 0, "{} does no work", c.name);
    }
    let matmuls: Vec<_> = cases.iter().filter(|c| c.family == "matmul").collect();
    assert!(matmuls.iter().all(|c| c.bound == Bound::Compute));
    assert_eq!(
        matmuls.len(),
        11,
        "3 sizes x nn, tn, nt, and 2 gradient shapes"
    );
    assert_eq!(matmuls[8].flops, 2 * 4096u64.pow(3));
    assert_eq!(matmuls[9].size, "90x66560x90");
    assert_eq!(matmuls[9].flops, 2 * 90 * 66560 * 90);
}

/// The kernel-family rows of the spiking network, graphs and optimizer: (name, family).
const FAMILY_ROWS: [(&str, &str); 10] = [
    ("lif_step", "snn"),
    ("poisson_encode", "snn"),
    ("synapse_propagate", "snn"),
    ("stdp_dense", "snn"),
    ("synchrony_graph", "graph"),
    ("spmm_random", "graph"),
    ("spmm_backward_random", "graph"),
    ("spmm_large", "graph"),
    ("spmm_backward_large", "graph"),
    ("adam_step", "adam"),
];

#[test]
fn quick_run_has_every_kernel_family_row_with_sane_fields() {
    let path = scratch("families.json");
    bench(&[
        "--quick",
        "--filter",
        "lif_step,poisson_encode,synapse_propagate,stdp_dense,synchrony_graph,spmm_,adam_step",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > FAMILY_ROWS.len(), "copy + the family rows");
    for (name, family) in FAMILY_ROWS {
        let r = rows
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("row {name} missing"));
        assert_eq!(r["family"], family, "{name}");
        assert!(!r["size"].as_str().unwrap().is_empty(), "{name}: size");
        assert_eq!(r["bound"], "memory", "{name}");
        let bytes = r["bytes"].as_u64().unwrap();
        let flops = r["flops"].as_u64().unwrap();
        assert!(
            bytes > 0 && flops > 0,
            "{name}: bytes {bytes} flops {flops}"
        );
        let ms = r["median_ms"].as_f64().unwrap();
        assert!(
            ms > 0.0 && r["min_ms"].as_f64().unwrap() <= ms,
            "{name}: times"
        );
        // GB/s and GFLOP/s are the counted work over the median time.
        let gbs = r["gbs"].as_f64().unwrap();
        let gflops = r["gflops"].as_f64().unwrap();
        assert!(
            (gbs - bytes as f64 / (ms * 1e6)).abs() <= 1e-9 * gbs.max(1.0),
            "{name}"
        );
        assert!((gflops - flops as f64 / (ms * 1e6)).abs() <= 1e-9 * gflops.max(1.0));
        let fraction = r["fraction"].as_f64().unwrap();
        assert!(
            fraction > 0.0 && fraction <= 1.5,
            "{name}: fraction {fraction}"
        );
        assert!(r["repetitions"].as_u64().unwrap() >= 3, "{name}");
        // Rows that gather (SpMM, propagation) report the gathered volume beside their bytes.
        if name.starts_with("spmm_") || name == "synapse_propagate" {
            let gathered = r["metrics"]["gathered_bytes"].as_f64().unwrap();
            let per_s = r["metrics"]["gathered_bytes_per_s"].as_f64().unwrap();
            assert!(gathered > 0.0, "{name}: gathered_bytes");
            assert!(
                (per_s - gathered / (ms / 1e3)).abs() <= 1e-9 * per_s,
                "{name}"
            );
        }
    }
}

#[test]
fn full_plan_has_every_kernel_family_row_at_full_size() {
    use synchgraph::bench::{all_cases, Sizes};
    let sizes = Sizes {
        quick: false,
        elements: 128 << 20,
        copy_bytes: 1 << 30,
        matmul: &[1024, 2048, 4096],
        neurons: 16 << 20,
        stdp: 4096,
        warmup: 3,
        repetitions: 20,
        timestamps: true,
    };
    let cases = all_cases(&sizes);
    let find = |n: &str| cases.iter().find(|c| c.name == n).unwrap();
    for (name, family) in FAMILY_ROWS {
        assert_eq!(find(name).family, family);
    }
    let lif = find("lif_step");
    assert_eq!(lif.size, "16M neurons");
    assert_eq!((lif.bytes, lif.flops), (40 << 24, 18 << 24));
    // 16M rates and ring flags, plus one stream id per clip of 64 inputs.
    assert_eq!(
        find("poisson_encode").bytes,
        (8 << 24) + 4 * (16 << 20) / 64
    );
    assert_eq!(find("stdp_dense").size, "4096x4096");
    assert_eq!(find("spmm_random").size, "128K nodes 1152K nnz x 64");
    assert_eq!(find("spmm_large").size, "1M nodes 16M nnz x 64");
    let adam = find("adam_step");
    assert_eq!(adam.size, "128M params / 16 tensors");
    assert_eq!(adam.bytes, 28 << 27);
    let snn = find("snn_second");
    assert_eq!(
        (snn.family, snn.size.as_str()),
        ("e2e", "8K clips x 128+40+40 1 s")
    );
    assert!(snn.counted.is_some() && snn.runs == Some((2, 10)));
    // The spike-independent part: 2000 steps x 8192 clips x (8*128 + 80*40 + 8*208 + 40) bytes,
    // plus the four weight matrices read once (128 x 40 and three 40 x 40).
    assert_eq!(
        snn.bytes,
        2000 * 8192 * (1024 + 3200 + 1664 + 40) + 4 * (128 * 40 + 3 * 40 * 40)
    );
    // SpMM counts the feature matrix once; the rows gathered per entry are a separate count.
    use synchgraph::graph::spmm::{spmm_bytes, spmm_gathered_bytes};
    let (n, nnz, f) = (131_072usize, (1 << 20) + 131_072usize, 64usize);
    let spmm = find("spmm_random");
    assert_eq!(spmm.bytes, (4 * ((n + 1) + 2 * nnz + n * f + n * f)) as u64);
    assert_eq!(spmm.bytes, spmm_bytes(nnz, n, f) as u64);
    assert_eq!(
        spmm.counts,
        [("gathered_bytes", spmm_gathered_bytes(nnz, f))]
    );
    assert_eq!(spmm_gathered_bytes(nnz, f), (4 * nnz * f) as f64);
    assert_eq!(
        find("spmm_backward_random").bytes,
        spmm.bytes + 4 * nnz as u64
    );
    // Propagation reads each named weight row once (all 4096 at full size) and gathers
    // 1024 clips x 205 rows of 4096.
    use synchgraph::bench::cases_snn::synapse_rows_read;
    assert_eq!(synapse_rows_read(1024, 4096, 205, 0), 4096);
    let prop = find("synapse_propagate");
    assert_eq!(
        prop.bytes,
        4 * 4096 * 4096 + 4 * (1024 * 205 + 1024) + 32 * 1024 * 4096
    );
    assert_eq!(
        prop.counts,
        [("gathered_bytes", 4.0 * (1024 * 205 * 4096) as f64)]
    );
}

/// The `snn_second` quick row: counted work and every end-to-end metric, per run, per second
/// and per wall second.
#[test]
fn quick_run_has_the_snn_second_row_with_complete_metrics() {
    let path = scratch("snn_second.json");
    bench(&[
        "--quick",
        "--filter",
        "snn_second",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let r = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "snn_second")
        .expect("snn_second row");
    assert_eq!(r["family"], "e2e");
    assert_eq!(r["size"], "4 clips x 128+40+40 1 s");
    assert_eq!(r["repetitions"], 3);
    let (bytes, flops) = (r["bytes"].as_u64().unwrap(), r["flops"].as_u64().unwrap());
    let fixed = 2000 * 4 * (1024 + 3200 + 1664 + 40);
    assert!(bytes > fixed, "spike traffic counted: {bytes}");
    assert!(flops > 2000 * 4 * (36 * 40 + 2 * 128), "{flops}");
    let ms = r["median_ms"].as_f64().unwrap();
    let gbs = r["gbs"].as_f64().unwrap();
    assert!((gbs - bytes as f64 / (ms * 1e6)).abs() <= 1e-9 * gbs.max(1.0));
    let fraction = r["fraction"].as_f64().unwrap();
    assert!(fraction > 0.0 && fraction <= 1.5, "fraction {fraction}");
    let m = &r["metrics"];
    let get = |k: &str| {
        m[k].as_f64()
            .unwrap_or_else(|| panic!("metric {k} missing: {m}"))
    };
    assert_eq!(get("simulated_s"), 1.0);
    assert_eq!(get("neuron_updates"), (2000 * 4 * 80) as f64);
    assert_eq!(get("input_updates"), (2000 * 4 * 128) as f64);
    let wall_s = get("wall_ms") / 1e3;
    assert!(wall_s > 0.0);
    for k in [
        "simulated_s",
        "neuron_updates",
        "input_updates",
        "synaptic_events",
        "spikes",
        "input_spikes",
    ] {
        let per_run = get(k);
        assert!(per_run > 0.0, "{k}: {per_run}");
        let per_s = get(&format!("{k}_per_s"));
        assert!(
            (per_s - per_run / (ms / 1e3)).abs() <= 1e-9 * per_s,
            "{k}_per_s"
        );
        let per_wall = get(&format!("{k}_per_wall_s"));
        assert!(
            (per_wall - per_run / wall_s).abs() <= 1e-9 * per_wall,
            "{k}_per_wall_s"
        );
    }
    // Every input spike reaches at least one excitatory neuron, so events outnumber spikes.
    assert!(get("synaptic_events") > get("input_spikes"));
    BenchReport::load(&path).unwrap();
}

#[test]
fn snn_second_counts_fan_out_spikes_and_expected_inputs() {
    use synchgraph::bench::cases_e2e::{
        fan_out, input_expectation, snn_second_config, tally, NEURONS_PER_MODALITY, WINDOW,
    };
    use synchgraph::snn::network::Weights;
    let cfg = snn_second_config();
    cfg.validate().unwrap();
    let (n_in, n_e) = (128, 40);
    let (fin, fexc, finh) = fan_out(&Weights::build(&cfg), n_in, n_e);
    // Windows: every excitatory neuron sees WINDOW.0 inputs of its own modality.
    assert_eq!(fin.iter().sum::<u32>() as usize, n_e * WINDOW.0);
    assert_eq!((fin[0], fin[25], fin[63]), (1, 13, 1));
    // Exc: its inhibitory partner and the 20 neurons of the other modality; inh: 19 others.
    assert!(fexc.iter().all(|&f| f as usize == 1 + NEURONS_PER_MODALITY));
    assert!(finh.iter().all(|&f| f as usize == NEURONS_PER_MODALITY - 1));
    // Record entries (group, neuron, step): two exc spikes of clip 0 in one step, one inh spike
    // of clip 1.
    let raw = [0, 3, 100, 0, 5, 100, 1, 40 + 7, 101];
    let t = tally(&raw, n_e, 100, 2000, 2, (&fexc, &finh)).unwrap();
    assert_eq!(t.spikes, [2, 1]);
    assert_eq!(t.active, [1, 1]);
    assert_eq!(t.events, 2 * 21 + 19);
    assert!(tally(&[2, 0, 100], n_e, 100, 2000, 2, (&fexc, &finh)).is_err());
    assert!(tally(&[0, 0, 99], n_e, 100, 2000, 2, (&fexc, &finh)).is_err());
    // One input at 100 Hz for 2000 steps of 0.5 ms: 100 expected spikes.
    let mut rates = vec![0.0f32; n_in];
    rates[0] = 100.0;
    let [spikes, active, events] = input_expectation(&rates, n_in, &fin, 2000, 0.5);
    assert!((spikes - 100.0).abs() < 1e-9 && (active - 100.0).abs() < 1e-9);
    assert!((events - 100.0 * f64::from(fin[0])).abs() < 1e-9);
}

#[test]
fn synchrony_row_counts_the_edges_the_gpu_builds() {
    use synchgraph::bench::cases_graph::{
        synchrony_counts, synchrony_spikes, SYNC_DURATION_MS, SYNC_NEURONS,
    };
    use synchgraph::graph::synchrony::{build, Layer, SynchronyConfig};
    let gpu = synchgraph::Gpu::open_default().unwrap();
    let spikes = synchrony_spikes(3, 77);
    let config = SynchronyConfig::default();
    let (pairs, edges) = synchrony_counts(&spikes, config.window_ms);
    let layer = Layer {
        clips: 3,
        neurons: SYNC_NEURONS,
        audio_neurons: SYNC_NEURONS / 2,
        duration_ms: SYNC_DURATION_MS,
    };
    let g = build(&gpu, &spikes, &layer, &config).unwrap();
    assert_eq!(g.edges as u64, edges);
    assert!(
        pairs >= edges / 2,
        "every edge comes from at least one examined pair"
    );
}

#[test]
fn spmm_bench_graphs_have_the_announced_shape() {
    use synchgraph::bench::cases_graph::{random_graph, regular_graph};
    let g = random_graph(100, 700, 3);
    assert_eq!(g.row_ptr.len(), 101);
    assert_eq!(g.col_idx.len(), 800, "edges plus one self loop per node");
    for r in 0..100 {
        let row = &g.col_idx[g.row_ptr[r] as usize..g.row_ptr[r + 1] as usize];
        assert!(row.contains(&(r as u32)) && row.windows(2).all(|w| w[0] <= w[1]));
        let sum: f32 = g.values[g.row_ptr[r] as usize..g.row_ptr[r + 1] as usize]
            .iter()
            .sum();
        assert!((sum - 1.0).abs() < 1e-5);
    }
    let g = regular_graph(50, 4, 9);
    assert_eq!((g.row_ptr[50], g.col_idx.len()), (200, 200));
    assert!(g.col_idx.iter().all(|&c| c < 50));
}

/// The training-epoch rows: `lgrin_epoch` always, `gcn_epoch_cora` where the Cora files are
/// found (`cora_dir`), each with its counts and sane fields.
#[test]
fn quick_run_has_the_training_epoch_rows() {
    use synchgraph::bench::cases_train::cora_dir;
    let path = scratch("train.json");
    bench(&[
        "--quick",
        "--filter",
        "gcn_epoch_cora,lgrin_epoch,matmul_nn",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["failures"], json!([]), "failed cases");
    let rows = v["rows"].as_array().unwrap();
    let find = |n: &str| rows.iter().find(|r| r["name"] == n);
    let check = |r: &Value, bound: &str, counts: &[(&str, f64)]| {
        let name = &r["name"];
        assert_eq!(r["family"], "e2e", "{name}");
        assert_eq!(r["bound"], bound, "{name}");
        assert!(r["bytes"].as_u64().unwrap() > 0 && r["flops"].as_u64().unwrap() > 0);
        let ms = r["median_ms"].as_f64().unwrap();
        assert!(ms > 0.0 && r["min_ms"].as_f64().unwrap() <= ms, "{name}");
        let fraction = r["fraction"].as_f64().unwrap();
        assert!(
            fraction > 0.0 && fraction <= 1.5,
            "{name}: fraction {fraction}"
        );
        assert!(r["repetitions"].as_u64().unwrap() >= 3, "{name}");
        for (k, want) in counts {
            assert_eq!(r["metrics"][k].as_f64(), Some(*want), "{name}: {k}");
            let per_s = r["metrics"][format!("{k}_per_s")].as_f64().unwrap();
            assert!(
                (per_s - want / (ms / 1e3)).abs() <= 1e-9 * per_s,
                "{name}: {k}_per_s"
            );
        }
    };
    let lgrin = find("lgrin_epoch").expect("lgrin_epoch row");
    assert_eq!(lgrin["size"], "4 graphs x 90 x 136 b 2");
    check(lgrin, "compute", &[("graphs", 4.0), ("steps", 2.0)]);
    assert!(lgrin["metrics"]["graphs_per_wall_s"].as_f64().unwrap() > 0.0);
    match cora_dir() {
        Ok(_) => {
            let gcn = find("gcn_epoch_cora").expect("gcn_epoch_cora row");
            assert_eq!(gcn["size"], "2708 nodes 1433 feats h 16");
            check(gcn, "memory", &[("epochs", 1.0), ("nodes", 2708.0)]);
        }
        Err(why) => {
            eprintln!("gcn_epoch_cora not checked: {why}");
            assert!(find("gcn_epoch_cora").is_none());
        }
    }
}

#[test]
fn lgrin_epoch_counts_the_dense_products() {
    use synchgraph::bench::cases_train::{lgrin_config, lgrin_forward_flops, lgrin_step_flops};
    use synchgraph::models::lgrin::LgrinConfig;
    let c = lgrin_config(128);
    // Layer 0 (136 -> 128 and 64, MLP hidden 66 and 50), layer 1 (328 -> 128 and 64, hidden
    // 114 and 98), each with one adjacency product shared by its two branches, classifier
    // 3 x 520 -> 512 -> 8, for 128 graphs of 90 nodes.
    let (m, b) = (90u64, 128u64);
    let adj = |w: u64| 2 * m * m * b * w;
    let g = |w: u64, o: u64| {
        let k = (w + o) / 4;
        2 * m * b * w * k + 2 * m * b * k * o
    };
    let want = adj(136)
        + g(136, 128)
        + g(136, 64)
        + adj(328)
        + g(328, 128)
        + g(328, 64)
        + 2 * b * 1560 * 512
        + 2 * b * 512 * 8;
    assert_eq!(lgrin_forward_flops(&c, 128), want);
    // A training step: twice the forward for the backward, less one product for the first
    // adjacency product (its input, the normalised features, needs no gradient: dA only).
    assert_eq!(lgrin_step_flops(&c, 128), 3 * want - adj(136));
    // With A fixed, no adjacency product needs dA: layer 0's needs nothing, layer 1's dH only,
    // and layer 0's aggregation needs no gradient, so the first linear map of each of its two
    // branches (136 -> 66 and 136 -> 50) computes its weight gradient only.
    let fixed = LgrinConfig {
        learned_a: false,
        ..c.clone()
    };
    let first = |k: u64| 2 * m * b * 136 * k;
    assert_eq!(
        lgrin_step_flops(&fixed, 128),
        3 * want - 2 * adj(136) - adj(328) - first(66) - first(50)
    );
}

#[test]
fn gcn_epoch_counts_every_product_of_forward_and_backward() {
    // The two-layer GCN's products, listed one by one (X sparse n x f with nnz_x entries, Â
    // with nnz_a, hidden h, classes c). Forward: X W1, Â (X W1), H W2, Â (H W2). Backward:
    // Âᵀ G2, G W2ᵀ and Hᵀ G (dense), Âᵀ G1, Xᵀ G1 (the input needs no gradient).
    use synchgraph::bench::cases_train::{gcn_epoch_gathered_bytes, gcn_epoch_work};
    let (nnz_x, nnz_a, n, f, h, c) = (49_216, 13_264, 2708, 1433, 16, 7);
    let forward = 2 * nnz_x * h + 2 * nnz_a * h + 2 * n * h * c + 2 * nnz_a * c;
    let backward = 2 * nnz_a * c + 2 * (2 * n * h * c) + 2 * nnz_a * h + 2 * nnz_x * h;
    // (entries, output rows, rows of the gathered operand, width): each SpMM reads the sparse
    // operand's offsets, columns and values, the gathered operand once and writes its output; the
    // backward's three (the last) run as transposes and also read the permutation, 4 B an entry.
    let products = [
        (nnz_x, n, f, h), // X W1: W1 has f rows
        (nnz_a, n, n, h),
        (nnz_a, n, n, c),
        (nnz_a, n, n, c),
        (nnz_a, n, n, h),
        (nnz_x, f, n, h), // Xᵀ G1: f output rows, G1 has n rows
    ];
    let bytes: usize = products
        .iter()
        .enumerate()
        .map(|(k, &(z, rows, m, w))| {
            let permutation = if k >= 3 { 4 * z } else { 0 };
            4 * ((rows + 1) + 2 * z + z.min(m) * w + rows * w) + permutation
        })
        .sum();
    assert_eq!(
        gcn_epoch_work(nnz_x, nnz_a, (n, f), h, c),
        (bytes as u64, (forward + backward) as u64)
    );
    let gathered: usize = products.iter().map(|&(z, _, _, w)| 4 * z * w).sum();
    assert_eq!(
        gcn_epoch_gathered_bytes(nnz_x, nnz_a, h, c),
        gathered as f64
    );
}
