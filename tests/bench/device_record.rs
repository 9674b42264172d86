//! `benches/device/record.sh`, the one-call recording of the GPU tables, rehearsed here at the
//! quick sizes: every step is logged in order, the engine's reports (the wall-clock one too) land
//! in the packed results, missing peers (no PyTorch here) fail their own steps without stopping
//! the others, the comparison names every pair, and a spent deadline runs nothing. No loader
//! packages are unpacked here (`SYNCHGRAPH_GL_DIR` points at an empty folder).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use synchgraph::bench::BenchReport;

const STEPS: [&str; 8] = [
    "environment",
    "lgrin-engine",
    "lgrin-torch",
    "engine",
    "engine-wall",
    "torch",
    "pyg",
    "compare",
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn record(out: &Path, args: &[&str]) -> Output {
    let no_packages = out.join("no-gl");
    std::fs::create_dir_all(&no_packages).unwrap();
    Command::new("bash")
        .arg("benches/device/record.sh")
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SYNCHGRAPH_BIN", env!("CARGO_BIN_EXE_synchgraph"))
        .env("SYNCHGRAPH_GL_DIR", no_packages)
        .output()
        .unwrap()
}

/// The summary's rows: (step, exit status, outcome).
fn summary(out: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(out.join("summary.tsv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step\texit\tseconds\toutcome"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            (f[0].to_string(), f[1].to_string(), f[3].to_string())
        })
        .collect()
}

#[test]
fn quick_rehearsal_packs_the_engine_reports_and_logs_every_step() {
    let out = scratch("quick");
    let run = record(
        &out,
        &[
            "--quick",
            "--filter",
            "add,synchrony_graph",
            "--deadline",
            "300",
            "--peer-device",
            "cpu",
        ],
    );
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{log}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let steps = summary(&out);
    let names: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, STEPS);
    for (name, rc, outcome) in &steps {
        match name.as_str() {
            // The engine's steps must succeed; the peers may lack PyTorch here.
            "environment" | "lgrin-engine" | "engine" | "engine-wall" | "compare" => {
                assert_eq!((rc.as_str(), outcome.as_str()), ("0", "ok"), "{name}")
            }
            _ => assert!(outcome == "ok" || outcome == "failed", "{name}: {outcome}"),
        }
    }
    let unpacked = out.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let tar = Command::new("tar")
        .arg("xzf")
        .arg(out.join("device-results.tar.gz"))
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(tar.success());
    let engine = BenchReport::load(&unpacked.join("engine.json")).unwrap();
    assert!(engine.complete && engine.failures.is_empty());
    let rows: Vec<&str> = engine.rows.iter().map(|r| r.name.as_str()).collect();
    assert!(rows.contains(&"copy") && rows.contains(&"add"), "{rows:?}");
    assert!(
        !rows.contains(&"lgrin_epoch") && !rows.contains(&"relu"),
        "{rows:?}"
    );
    let lgrin = BenchReport::load(&unpacked.join("lgrin-ours.json")).unwrap();
    let epoch = lgrin.rows.iter().find(|r| r.name == "lgrin_epoch");
    // The matmul rows run beside it give the compute-bound epoch a ceiling, so it has a frac.
    assert!(
        epoch.is_some_and(|r| r.fraction.is_some()),
        "lgrin_epoch without a fraction: {epoch:?}"
    );
    // The wall-clock step keeps the wall-timed rows the filter selects: synchrony_graph only.
    let wall = BenchReport::load(&unpacked.join("engine-wall.json")).unwrap();
    let rows: Vec<&str> = wall.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rows, ["copy", "synchrony_graph"]);
    assert!(wall
        .rows
        .iter()
        .all(|r| r.timing == synchgraph::bench::Timing::Wall));
    let compared = std::fs::read_to_string(unpacked.join("compare.txt")).unwrap();
    for pair in [
        "engine.json against torch.json",
        "lgrin-ours.json against lgrin-torch.json",
        "engine-wall.json against pyg.json",
    ] {
        assert!(compared.contains(pair), "{compared}");
    }
    let devices = std::fs::read_to_string(unpacked.join("devices.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&devices).unwrap();
    for step in STEPS {
        assert!(unpacked.join(format!("{step}.log")).exists(), "{step}.log");
    }
    let record_log = std::fs::read_to_string(out.join("record.log")).unwrap();
    assert!(record_log.contains("== lgrin-engine"), "{record_log}");
    assert!(
        record_log.contains("no loader packages in") && record_log.contains("Vulkan adapter"),
        "{record_log}"
    );
}

#[test]
fn a_filter_without_wall_timed_rows_skips_the_wall_step() {
    let out = scratch("nowall");
    let run = record(&out, &["--quick", "--filter", "add", "--deadline", "0"]);
    assert!(run.status.success());
    let steps = summary(&out);
    let wall = steps.iter().find(|s| s.0 == "engine-wall").unwrap();
    assert_eq!(wall.2, "not run: --filter selects no wall-timed row");
}

#[test]
fn a_spent_deadline_runs_no_step() {
    let out = scratch("deadline");
    let run = record(&out, &["--quick", "--deadline", "0"]);
    assert!(run.status.success());
    let steps = summary(&out);
    assert_eq!(steps.len(), STEPS.len());
    assert!(
        steps.iter().all(|s| s.2 == "not run: deadline"),
        "{steps:?}"
    );
}

#[test]
fn bad_arguments_are_named() {
    let out = scratch("bad");
    for (args, expect) in [
        (
            &["--deadline", "soon"][..],
            "--deadline takes whole seconds",
        ),
        (&["--fast"][..], "unknown argument --fast"),
    ] {
        let run = record(&out, args);
        assert_eq!(run.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(expect), "{stderr}");
    }
    let missing = Command::new("bash")
        .arg("benches/device/record.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SYNCHGRAPH_BIN", "/no/such/synchgraph")
        .env("OUT", &out)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("no engine binary at /no/such/synchgraph"),
        "{stderr}"
    );
}
