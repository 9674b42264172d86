//! `dispatch_chain`: the cost of one small dispatch, host and device together. A chain of
//! [`CHAIN_DISPATCHES`] dependent `affine` maps over [`CHAIN_ELEMENTS`] f32 values (one
//! workgroup each, each map reading the previous one's output) is recorded, submitted and waited
//! for. The row is timed by the host wall clock from the first record to idle, with per-dispatch
//! timestamps off, because what it measures is everything a kernel call costs besides its
//! arithmetic: recording, binding, submitting and the GPU's own launch latency. Small training
//! steps (L-GrIN's minibatches, the spiking network's 13 dispatches per 0.5 ms step) spend most
//! of their time here. The row reports `dispatches` per run and per second, and `recording_s`,
//! the host's seconds spent recording them before the submit (1000 dispatches fit in one batch,
//! so none of them runs while the host records): per run, the host cost of the chain; per wall
//! second, the share of the wall time it takes. Its bytes are the maps' compulsory traffic (2 x
//! 4 bytes per element per dispatch), so its fraction of the copy ceiling is tiny by design.
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use super::case::{BenchCase, Counted, RunFn, Sizes};
use crate::error::Result;
use crate::gpu::Gpu;
use crate::kernels::elementwise as ew;
use crate::tensor::Tensor;

/// Dependent dispatches per run.
pub const CHAIN_DISPATCHES: usize = 1000;
/// Elements each dispatch maps (one workgroup).
pub const CHAIN_ELEMENTS: usize = 256;

/// The `dispatch_chain` row.
pub fn dispatch_chain(sizes: &Sizes) -> BenchCase {
    let counted = Rc::new(RefCell::new(Counted::default()));
    let cell = Rc::clone(&counted);
    let n = CHAIN_DISPATCHES;
    let bytes = (n * 2 * 4 * CHAIN_ELEMENTS) as u64;
    let flops = (n * 2 * CHAIN_ELEMENTS) as u64;
    let runs = if sizes.quick { (1, 5) } else { (2, 20) };
    let warmup = runs.0;
    let mut case = BenchCase::memory(
        "dispatch_chain",
        "overhead",
        format!("{n} x {CHAIN_ELEMENTS} f32"),
        bytes,
        flops,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let start = Tensor::from_f32(gpu, &[CHAIN_ELEMENTS], &[0.0; CHAIN_ELEMENTS])?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                let profiling = gpu.profiling();
                gpu.set_profiling(false)?;
                let chain = || -> Result<(f64, f64)> {
                    let clock = Instant::now();
                    let mut t = start.clone();
                    for _ in 0..n {
                        t = ew::affine(&t, 1.0, 1.0)?;
                    }
                    let recording = clock.elapsed().as_secs_f64();
                    gpu.synchronize()?;
                    Ok((clock.elapsed().as_secs_f64(), recording))
                };
                // Profiling comes back on whether or not the chain failed.
                let wall = chain();
                gpu.set_profiling(profiling)?;
                let (wall, recording) = wall?;
                if i >= warmup {
                    let mut acc = cell.borrow_mut();
                    acc.runs += 1;
                    acc.bytes += bytes as f64;
                    acc.flops += flops as f64;
                    acc.wall_s.push(wall);
                    *acc.counts.entry("dispatches".to_string()).or_default() += n as f64;
                    *acc.counts.entry("recording_s".to_string()).or_default() += recording;
                }
                Ok(Some(wall * 1e9))
            }))
        }),
    );
    case.counted = Some(counted);
    case.runs = Some(runs);
    case.wall_clock = true;
    case
}
