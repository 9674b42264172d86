//! The PyTorch peer scripts: they compile, and the peer harness writes JSON that the engine's
//! report reader (and so `synchgraph bench --compare`) accepts. PyTorch is replaced by a stub
//! module just large enough for the harness, so no GPU or PyTorch is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use synchgraph::bench::measure::Timing;
use synchgraph::bench::{compare, BenchReport};

pub(super) const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");

/// A stand-in for the few `torch` names `peer_common.Harness` touches on a CPU device.
pub(super) const FAKE_TORCH: &str = r#"
import contextlib
__version__ = "stub"
class version:
    cuda = None
class device:
    def __init__(self, name):
        self.type = name
def no_grad():
    return contextlib.nullcontext()
"#;

/// The stub with a CUDA device whose events read the host clock, and a count of the cache
/// releases.
const FAKE_CUDA_TORCH: &str = r#"
import contextlib, time
__version__ = "stub"
class version:
    cuda = "stub"
class device:
    def __init__(self, name):
        self.type = name
def no_grad():
    return contextlib.nullcontext()
class _Event:
    def __init__(self, enable_timing=False):
        self.t = None
    def record(self):
        self.t = time.perf_counter()
    def synchronize(self):
        pass
    def elapsed_time(self, other):
        return (other.t - self.t) * 1e3
class cuda:
    Event = _Event
    emptied = 0
    @staticmethod
    def synchronize(dev=None):
        pass
    @staticmethod
    def empty_cache():
        cuda.emptied += 1
    @staticmethod
    def get_device_name(dev):
        return "stub GPU"
"#;

/// On the CUDA stub: a kernel row is timed in batches of back-to-back runs (the run numbers
/// go on across the batches), an end-to-end row one run per repetition, and a row that runs
/// out of memory is listed and the cache freed.
const CUDA_DRIVER: &str = r#"
import sys, types
import torch
from peer_common import Harness, MAX_BATCH
args = types.SimpleNamespace(quick=True, filter=None, json=sys.argv[1], device="cuda")
h = Harness(args, command="stub")
seen = []
h.case("add", "elementwise", "1M f32", 12 << 20, 1 << 20, lambda i: seen.append(i))
def oom(i):
    raise RuntimeError("CUDA out of memory (stub)")
h.case("relu", "elementwise", "1M f32", 8 << 20, 1 << 20, oom)
e2e = []
h.case("snn_second", "e2e", "4 clips", 1, 1, lambda i: e2e.append(i), runs=(1, 3),
       counted=lambda: (1, 1, {"spikes": 1.0}))
h.finish()
# 2 warm-up runs, a probe, then 5 repetitions of one batch size (several runs each, as a run
# is far below the target; up to MAX_BATCH), the run numbers going on across them.
per = (len(seen) - 3) // 5
assert seen == list(range(len(seen))) and len(seen) == 3 + 5 * per, (len(seen), seen[:5])
assert 1 < per <= MAX_BATCH, per
assert e2e == [0, 1, 2, 3], e2e
print("emptied", torch.cuda.emptied)
"#;

/// The harness driven on the stub, writing JSON to `out`: the ceiling, a kernel row with a fixed
/// count, a row that fails in its warm-up (as a torch.compile or out-of-memory error would), and
/// a latency row after it.
const DRIVER: &str = r#"
import sys, types
from peer_common import Harness
args = types.SimpleNamespace(quick=True, filter=None, json=sys.argv[1], device="cpu")
h = Harness(args, command="stub")
h.case("copy", "ceiling", "16 MiB", 2 << 24, 0, lambda i: sum(range(1000)), ceiling=True)
h.case("add", "elementwise", "1M f32", 12 << 20, 1 << 20, lambda i: sum(range(2000)),
       counts={"gathered_bytes": 3.0e6})
def broken(i):
    raise RuntimeError("BackendCompilerFailed: inductor said no")
h.case("add_compiled", "elementwise", "1M f32", 12 << 20, 1 << 20, broken)
h.case("dispatch_chain", "overhead", "1000 x 256 f32", 2048000, 512000,
       lambda i: sum(range(2000)), runs=(1, 3), wall=True,
       counted=lambda: (2048000, 512000, {"dispatches": 1000.0}))
h.finish()
"#;

/// The harness with a spent time budget: the ceiling runs, the next row is skipped and the
/// excluded one is not even listed. After the first row the JSON on disk is a partial report;
/// the driver prints its `complete` flag.
const BUDGET_DRIVER: &str = r#"
import json, sys, types
from peer_common import Harness
args = types.SimpleNamespace(quick=True, filter=None, exclude="relu", json=sys.argv[1],
                             device="cpu", time_budget=0.0)
h = Harness(args, command="stub")
h.case("copy", "ceiling", "16 MiB", 2 << 24, 0, lambda i: sum(range(1000)), ceiling=True)
print("partial complete:", json.load(open(sys.argv[1]))["complete"])
h.case("add", "elementwise", "1M f32", 12 << 20, 1 << 20, lambda i: sum(range(2000)))
h.case("relu", "elementwise", "1M f32", 8 << 20, 1 << 20, lambda i: sum(range(2000)))
h.finish()
"#;

fn python() -> Option<Command> {
    Command::new("python3").arg("--version").output().ok()?;
    Some(Command::new("python3"))
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-peers-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("stub")).unwrap();
    dir
}

#[test]
fn peer_scripts_compile() {
    let scripts: Vec<PathBuf> = std::fs::read_dir(PEERS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    assert!(scripts.len() >= 3, "peer scripts missing in {PEERS}");
    let Some(mut py) = python() else {
        eprintln!("python3 not found: peer scripts not compiled");
        return;
    };
    let status = py
        .args(["-m", "py_compile"])
        .args(&scripts)
        .env("PYTHONPYCACHEPREFIX", scratch().join("pycache"))
        .status()
        .unwrap();
    assert!(status.success(), "py_compile failed on {scripts:?}");
}

/// Run a driver on the stub torch, writing JSON to a fresh file; the report and stdout.
fn run_driver(driver: &str, name: &str) -> Option<(BenchReport, String)> {
    run_driver_on(FAKE_TORCH, driver, name)
}

/// [`run_driver`] on the `stub` torch module.
fn run_driver_on(stub: &str, driver: &str, name: &str) -> Option<(BenchReport, String)> {
    let Some(mut py) = python() else {
        eprintln!("python3 not found: peer harness not run");
        return None;
    };
    let dir = scratch().join(name.replace('.', "_"));
    std::fs::create_dir_all(dir.join("stub")).unwrap();
    std::fs::write(dir.join("stub/torch.py"), stub).unwrap();
    let out = dir.join(name);
    let path = format!(
        "{}:{}",
        dir.join("stub").display(),
        Path::new(PEERS).display()
    );
    let run = py
        .args(["-c", driver])
        .arg(&out)
        .env("PYTHONPATH", path)
        .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    Some((BenchReport::load(&out).unwrap(), stdout))
}

#[test]
fn peer_json_reads_as_a_report() {
    let Some((report, _)) = run_driver(DRIVER, "peer.json") else {
        return;
    };
    assert_eq!(report.rows.len(), 3);
    assert!(report.complete && report.skipped.is_empty());
    // The failing row is listed with its error, and the row after it still ran.
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].name, "add_compiled");
    assert_eq!(report.failures[0].size, "1M f32");
    assert!(
        report.failures[0]
            .error
            .starts_with("RuntimeError: BackendCompilerFailed"),
        "{}",
        report.failures[0].error
    );
    // A latency row (`wall`) is timed by the host clock and carries its counts.
    let chain = &report.rows[2];
    assert_eq!(chain.timing, Timing::Wall);
    // A CPU run names no CUDA version (a CPU-only torch has none: not "CUDA None").
    assert_eq!(
        (
            report.adapter.driver.as_str(),
            report.adapter.backend.as_str()
        ),
        ("torch stub", "cpu")
    );
    // Its own warm-up, not the mode's, is written with it.
    assert_eq!((chain.warmup, report.warmup), (Some(1), 2));
    assert_eq!(report.rows[1].warmup, Some(2));
    assert_eq!(chain.metrics["dispatches"], 1000.0);
    let add = &report.rows[1];
    assert!(add.median_ms > 0.0 && add.gbs.unwrap() > 0.0);
    assert!(add.fraction.unwrap() > 0.0);
    // A kernel row's fixed count, per run and per second of its median time.
    assert_eq!(add.metrics["gathered_bytes"], 3.0e6);
    let per_s = add.metrics["gathered_bytes_per_s"];
    assert!((per_s - 3.0e6 / (add.median_ms / 1e3)).abs() <= 1e-9 * per_s);
    assert!(report.ceilings.bandwidth_gbs.unwrap() > 0.0);
    // Rows match themselves by name and size.
    assert!(compare(&report, &report)
        .rows
        .iter()
        .all(|r| r.ratio == Some(1.0)));
}

#[test]
fn peer_time_budget_skips_rows_and_marks_partial_reports() {
    let Some((report, stdout)) = run_driver(BUDGET_DRIVER, "budget.json") else {
        return;
    };
    assert!(stdout.contains("partial complete: False"), "{stdout}");
    assert!(stdout.contains("SKIPPED: time budget of 0 s"), "{stdout}");
    let ran: Vec<&str> = report.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ran, ["copy"]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].name, "add");
    assert!(report.complete);
}

#[test]
fn peer_cuda_rows_are_timed_in_batches_and_a_failing_row_is_listed() {
    let Some((report, stdout)) = run_driver_on(FAKE_CUDA_TORCH, CUDA_DRIVER, "cuda.json") else {
        return;
    };
    let rows: Vec<(&str, Timing)> = report
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.timing))
        .collect();
    assert_eq!(
        rows,
        [
            ("add", Timing::Timestamps),
            ("snn_second", Timing::Timestamps)
        ]
    );
    assert_eq!(report.rows[0].repetitions, 5);
    assert_eq!(report.adapter.driver, "torch stub, CUDA stub");
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].name, "relu");
    assert!(report.failures[0].error.contains("out of memory"));
    assert!(stdout.contains("emptied 1"), "{stdout}");
}
