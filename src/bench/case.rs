//! What one benchmark row measures: a named workload with analytic byte and FLOP counts, a setup
//! that allocates its inputs once and a run closure that records the workload's dispatches.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::error::Result;
use crate::gpu::Gpu;

/// Records one run of a case. The argument is the repetition number, so a case can rotate between
/// input sets. Returns `Some(nanoseconds)` when the case timed itself (the copy ceiling, whose
/// copy is not a compute dispatch), `None` when the harness should time the recorded dispatches.
pub type RunFn = Box<dyn FnMut(usize) -> Result<Option<f64>>>;

/// Allocates a case's inputs (once) and returns its run closure.
pub type SetupFn = Box<dyn FnOnce(&Gpu) -> Result<RunFn>>;

/// Which device ceiling a row is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    /// Limited by memory traffic: compared with the copy bandwidth.
    Memory,
    /// Limited by arithmetic: compared with the best matmul GFLOP/s.
    Compute,
}

/// Work an end-to-end case counts while it runs, where traffic depends on what the run does (a
/// spiking network's spikes). The run closure adds one entry per timed repetition; the harness
/// then replaces the row's analytic bytes and FLOPs by the means and reports each named count per
/// run, per second of the row's median time and per second of the median wall time.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    /// Timed repetitions counted.
    pub runs: usize,
    /// Bytes summed over the counted repetitions.
    pub bytes: f64,
    /// FLOPs summed over the counted repetitions.
    pub flops: f64,
    /// Named counts summed over the counted repetitions (e.g. `neuron_updates`).
    pub counts: BTreeMap<String, f64>,
    /// Host wall-clock seconds of each counted repetition (start to idle).
    pub wall_s: Vec<f64>,
}

/// [`Counted`] shared between a case's run closure and the harness.
pub type CountedCell = Rc<RefCell<Counted>>;

/// One benchmark workload.
pub struct BenchCase {
    /// Unique row name, e.g. `add` or `matmul_nt`.
    pub name: String,
    /// Kernel family, e.g. `elementwise`.
    pub family: &'static str,
    /// Human-readable problem size, e.g. `64M f32` or `1024x1024x1024`.
    pub size: String,
    /// Bytes read plus bytes written by one run, counted analytically (compulsory traffic).
    pub bytes: u64,
    /// Floating-point operations of one run, counted analytically (0 where not meaningful).
    pub flops: u64,
    /// Which ceiling the row's fraction refers to.
    pub bound: Bound,
    /// True for the bandwidth-ceiling row itself.
    pub is_ceiling: bool,
    /// Allocates inputs and returns the run closure.
    pub setup: SetupFn,
    /// Counts filled while the case runs (end-to-end rows); `None` keeps the analytic counts.
    pub counted: Option<CountedCell>,
    /// (warm-up, repetitions) replacing the mode's for long end-to-end rows; `None` keeps them.
    pub runs: Option<(usize, usize)>,
    /// Timed by the host wall clock even where timestamps are available (latency rows).
    pub wall_clock: bool,
    /// Fixed counts of one run that are not part of `bytes` or `flops` (e.g. `gathered_bytes`,
    /// the rows an SpMM gathers, which a cache serves), reported in the row's `metrics` per run
    /// and per second of the median time. Rows with `counted` add theirs while they run.
    pub counts: Vec<(&'static str, f64)>,
    /// Why the case cannot run here (its input data is missing), or `None`. Such a case can
    /// still be selected: `--list` says it would be skipped and why, and a run lists it under
    /// [`super::BenchReport::skipped`] with this reason instead of dropping it silently.
    pub unavailable: Option<String>,
}

impl BenchCase {
    /// A memory-bound case.
    pub fn memory(
        name: impl Into<String>,
        family: &'static str,
        size: impl Into<String>,
        bytes: u64,
        flops: u64,
        setup: SetupFn,
    ) -> Self {
        Self {
            name: name.into(),
            family,
            size: size.into(),
            bytes,
            flops,
            bound: Bound::Memory,
            is_ceiling: false,
            setup,
            counted: None,
            runs: None,
            wall_clock: false,
            counts: Vec::new(),
            unavailable: None,
        }
    }

    /// A compute-bound case.
    pub fn compute(
        name: impl Into<String>,
        family: &'static str,
        size: impl Into<String>,
        bytes: u64,
        flops: u64,
        setup: SetupFn,
    ) -> Self {
        Self {
            bound: Bound::Compute,
            ..Self::memory(name, family, size, bytes, flops, setup)
        }
    }
}

/// Problem sizes for one mode of the harness.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// True in `--quick` mode.
    pub quick: bool,
    /// Elements of the 1-D elementwise, random and cast workloads.
    pub elements: usize,
    /// Bytes of the copy-ceiling buffer.
    pub copy_bytes: u64,
    /// Edge lengths of the square matmuls.
    pub matmul: &'static [usize],
    /// Neurons of the LIF step and inputs of the Poisson encoding.
    pub neurons: usize,
    /// Side of the square STDP weight matrix.
    pub stdp: usize,
    /// Warm-up runs before timing.
    pub warmup: usize,
    /// Timed repetitions.
    pub repetitions: usize,
    /// Time with GPU timestamp queries (false: host wall clock around a full synchronisation).
    pub timestamps: bool,
}

/// Input sets a case rotates between, so a cache cannot keep the previous run's inputs.
pub const INPUT_SETS: usize = 2;

impl Sizes {
    /// Sizes for `quick` (tiny, a few repetitions) or the full run, bounded by the device's
    /// largest storage binding. Timestamps are used where the device has them unless `wall`.
    pub fn for_device(gpu: &Gpu, quick: bool, wall: bool) -> Self {
        let max = gpu.max_binding_bytes();
        let timestamps = gpu.profiling_available() && !wall;
        if quick {
            return Self {
                quick,
                elements: (1 << 20).min(prev_pow2(max / 4) as usize),
                copy_bytes: (16 << 20).min(prev_pow2(max)),
                matmul: &[256],
                neurons: (1 << 20).min(prev_pow2(max / 16) as usize),
                stdp: 512,
                warmup: 2,
                repetitions: 5,
                timestamps,
            };
        }
        Self {
            quick,
            elements: (128 << 20).min(prev_pow2(max / 4) as usize),
            copy_bytes: (1 << 30).min(prev_pow2(max)),
            matmul: &[1024, 2048, 4096],
            neurons: (16 << 20).min(prev_pow2(max / 16) as usize),
            stdp: 4096,
            warmup: 3,
            repetitions: 20,
            timestamps,
        }
    }
}

/// Largest power of two not above `x` (0 for 0).
pub fn prev_pow2(x: u64) -> u64 {
    if x == 0 {
        0
    } else {
        1 << (63 - x.leading_zeros())
    }
}

/// `n` elements as text: `64M`, `512K` or the plain number.
pub fn count_text(n: usize) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{}M", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{}K", n >> 10)
    } else {
        n.to_string()
    }
}
