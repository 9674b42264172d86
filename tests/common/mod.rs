//! Helpers shared by the GPU tests: one device per test binary, seeded random data and
//! tolerance checks with the formula stated at each call.
#![allow(dead_code)]

use std::sync::OnceLock;

use synchgraph::Gpu;

/// A device of the caller's own with timestamp profiling on (each profiling test needs its
/// batches and its report to itself).
pub fn profiled_gpu() -> Gpu {
    Gpu::open(&synchgraph::GpuOptions {
        profile: true,
        ..synchgraph::GpuOptions::default()
    })
    .unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

/// Record a dispatch of `binary` (three storage buffers) with one binding: its bind group is
/// invalid, so the batch it is recorded in fails at submit.
pub fn record_invalid_dispatch(gpu: &Gpu) {
    let t = synchgraph::Tensor::zeros(gpu, &[4], synchgraph::DType::F32).unwrap();
    let _ = gpu.dispatch(
        "binary",
        &synchgraph::gpu::Kernel::new(synchgraph::gpu::Shader::Elementwise, "binary"),
        &[4u32; 8],
        &[t.binding().unwrap()],
        [1, 1, 1],
    );
}

/// The device used by the tests. Fails loudly (never skips) when no adapter exists.
pub fn gpu() -> Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| {
        let g = Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"));
        eprintln!(
            "test adapter: {} ({})",
            g.info().adapter.name,
            g.info().adapter.backend
        );
        g
    })
    .clone()
}

/// Workgroups per grid dimension of [`folded_gpu`]. Seven (prime, and small) makes a grid fold
/// into two dimensions from the 8th workgroup on, so a 1-D kernel of 256 threads takes the
/// folded path from 1,793 elements and a workgroup-per-row kernel from 8 rows; sizes up to
/// 7 x 7 = 49 workgroups fit.
pub const FOLD_DIM: u32 = 7;

/// A device of its own whose grids fold at [`FOLD_DIM`] workgroups per dimension (see
/// `Gpu::open_with_grid_limit`): the same `flat_index` / `flat_group` path a problem of more than
/// 65,535 workgroups takes on a real limit, at sizes a software adapter runs in milliseconds.
pub fn folded_gpu() -> Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| {
        let g = Gpu::open_with_grid_limit(&synchgraph::GpuOptions::default(), FOLD_DIM)
            .unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"));
        assert_eq!(g.limits().max_compute_workgroups_per_dimension, FOLD_DIM);
        g
    })
    .clone()
}

/// Assert that `items` items at `per_group` per workgroup take a folded grid on `gpu` (more than
/// one row of workgroups), with at least `spare` workgroups past the last item, which must
/// bounds-check themselves out. Returns the grid.
pub fn assert_folded(gpu: &Gpu, items: usize, per_group: u32, spare: u32) -> [u32; 3] {
    let grid = gpu.grid(items as u64, per_group).unwrap();
    let groups = (items as u64).div_ceil(u64::from(per_group));
    let launched = u64::from(grid[0]) * u64::from(grid[1]);
    assert!(
        grid[1] > 1 && launched >= groups + u64::from(spare),
        "{items} items / {per_group} per group: grid {grid:?} does not fold with {spare} spare"
    );
    grid
}

/// Small deterministic generator for test inputs (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }

    /// Vector of uniforms.
    pub fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }

    /// Uniform integer below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Assert |got - want| <= atol + rtol * |want| elementwise, naming the first failure.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], atol: f32, rtol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= atol + rtol * w.abs() || (g.is_nan() && w.is_nan());
        assert!(
            ok,
            "{what}[{i}]: got {g}, want {w} (atol {atol}, rtol {rtol})"
        );
    }
}

/// Sizes that exercise tails and empty inputs: 0, 1, not multiples of 256, exact multiples.
pub const AWKWARD_SIZES: &[usize] = &[0, 1, 7, 255, 256, 257, 1000, 4099];
pub mod cli;
pub mod fixtures;
pub mod grad;

/// The class names a `metrics.json` lists under `classes`.
pub fn metric_classes(m: &serde_json::Value) -> Vec<&str> {
    m["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| c.as_str().expect("a class name"))
        .collect()
}

/// Check the `metrics.json` entries every training and evaluation command shares: the engine
/// that ran (this build), the full adapter report, the command line, seconds per epoch
/// (positive for a training run, null for an evaluation, which trains nothing), the
/// configuration, and a test accuracy in [0, 1]. With `classes`, also the classifier entries:
/// unweighted accuracy, recall per class name and a square confusion matrix over those classes
/// whose counts sum to `tested` clips.
pub fn assert_run_metrics(
    m: &serde_json::Value,
    trained: bool,
    classes: Option<&[&str]>,
    tested: u64,
) {
    assert_eq!(m["engine"], synchgraph::report::provenance::engine_json());
    for key in ["name", "backend", "device_type", "driver"] {
        assert!(
            m["adapter"][key].is_string(),
            "adapter.{key}: {}",
            m["adapter"]
        );
    }
    let command = m["command"].as_str().unwrap_or_default();
    assert!(
        command.contains(" train ") || command.contains(" eval "),
        "command: {command}"
    );
    let spe = m.get("seconds_per_epoch").expect("seconds_per_epoch");
    match trained {
        true => assert!(spe.as_f64().is_some_and(|s| s > 0.0), "{spe}"),
        false => assert!(spe.is_null(), "{spe}"),
    }
    assert!(m["config"].is_object(), "config: {}", m["config"]);
    let acc = m["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc), "{acc}");
    let Some(classes) = classes else { return };
    let ua = m["unweighted_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&ua), "{ua}");
    assert_eq!(m["classes"], serde_json::json!(classes));
    let recall = m["per_class_recall"].as_object().unwrap();
    assert_eq!(recall.len(), classes.len(), "{recall:?}");
    assert!(
        classes.iter().all(|c| recall.contains_key(*c)),
        "{recall:?}"
    );
    let rows = m["confusion"].as_array().unwrap();
    assert_eq!(rows.len(), classes.len());
    let mut total = 0;
    for row in rows {
        let row = row.as_array().unwrap();
        assert_eq!(row.len(), classes.len());
        total += row.iter().map(|v| v.as_u64().unwrap()).sum::<u64>();
    }
    assert_eq!(total, tested, "confusion counts");
}

/// Run the test `test` of the module whose `module_path!()` is `module` again, alone, in a
/// child process of this test binary with the variable `alone` set, and assert it passed there.
/// The tests of one binary share a process: a scenario that changes process-wide state (an
/// environment variable, a process-wide counter) runs this way, and checks `alone` to know it
/// is the child.
pub fn run_test_alone(module: &str, test: &str, alone: &str) {
    // The test's name within its binary: the module path without the binary's name.
    let module = module.split_once("::").map_or("", |(_, m)| m);
    let name = format!("{module}::{test}");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--test-threads=1"])
        .env(alone, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the scenario failed or did not run in its own process:\n{stdout}\n{stderr}"
    );
}
