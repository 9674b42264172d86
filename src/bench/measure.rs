//! Timing: warm-up runs, then repetitions timed by GPU timestamp queries where the adapter has
//! TIMESTAMP_QUERY (the sum of the run's dispatches, read through the engine's profiler) and by
//! wall clock around a full synchronisation otherwise.

use std::collections::BTreeMap;
use std::time::Instant;

use super::case::RunFn;
use super::report::KernelTime;
use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// Where a row's times come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Timing {
    /// GPU timestamp queries around each dispatch (or around the self-timed commands).
    Timestamps,
    /// Host wall clock from submit to idle (includes submission and synchronisation overhead).
    Wall,
}

/// The times of one case's repetitions.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Nanoseconds per repetition, in run order.
    pub times_ns: Vec<f64>,
    /// Where the times come from.
    pub timing: Timing,
    /// GPU time of each kernel per timed repetition, largest first (empty unless the run was
    /// timed by the profiler's timestamps).
    pub kernels: Vec<KernelTime>,
}

/// Run `run` `warmup` times untimed, then `repetitions` times timed, by timestamps when
/// `timestamps` (the device must have TIMESTAMP_QUERY and profiling on), else by wall clock.
/// The wall clock runs from the call of `run` to idle, so a run with host work outside its timed
/// region (a readback and a count after the workload) times itself by wall clock and returns
/// `Some(nanoseconds)` when `timestamps` is off; returning `None` there would time that work too.
/// A self time that is not a positive finite number (timestamps that read zero) is not a
/// measurement: that repetition is timed by the wall clock and the timing becomes [`Timing::Wall`].
pub fn measure(
    gpu: &Gpu,
    run: &mut RunFn,
    warmup: usize,
    repetitions: usize,
    timestamps: bool,
) -> Result<Measurement> {
    for i in 0..warmup {
        run(i)?;
        gpu.synchronize()?;
    }
    gpu.profile_report()?; // discard the warm-up samples
    let mut times_ns = Vec::with_capacity(repetitions);
    // Per kernel: dispatches and nanoseconds summed over the repetitions timed by the profiler.
    let mut per_kernel: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let mut profiled = 0usize;
    let mut timing = if timestamps {
        Timing::Timestamps
    } else {
        Timing::Wall
    };
    for r in 0..repetitions {
        gpu.synchronize()?;
        let start = Instant::now();
        let self_time = run(warmup + r)?;
        if let Some(ns) = self_time.filter(|ns| ns.is_finite() && *ns > 0.0) {
            times_ns.push(ns);
            continue;
        }
        if self_time.is_some() {
            // The run timed itself but measured nothing (a stopwatch whose timestamps read
            // zero): the wall clock, as for dispatches that timed nothing below.
            timing = Timing::Wall;
        } else if timestamps {
            let report = gpu.profile_report()?;
            let ns: f64 = report.rows.iter().map(|row| row.total_ms * 1e6).sum();
            if report.available && ns > 0.0 {
                times_ns.push(ns);
                profiled += 1;
                for row in &report.rows {
                    let k = per_kernel.entry(row.name.clone()).or_default();
                    k.0 += row.dispatches;
                    k.1 += row.total_ms * 1e6;
                }
                continue;
            }
            // Nothing was timed (profiling off or zero-length timestamps): fall back to wall.
            timing = Timing::Wall;
        }
        gpu.synchronize()?;
        times_ns.push(start.elapsed().as_secs_f64() * 1e9);
    }
    let runs = profiled.max(1) as f64;
    let mut kernels: Vec<KernelTime> = per_kernel
        .into_iter()
        .map(|(name, (dispatches, ns))| KernelTime {
            name,
            dispatches: dispatches as f64 / runs,
            ms: ns / runs / 1e6,
        })
        .collect();
    kernels.sort_by(|a, b| b.ms.total_cmp(&a.ms).then_with(|| a.name.cmp(&b.name)));
    Ok(Measurement {
        times_ns,
        timing,
        kernels,
    })
}

/// Summary statistics of a measurement.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Median time in milliseconds.
    pub median_ms: f64,
    /// Fastest repetition in milliseconds.
    pub min_ms: f64,
    /// Relative spread: median absolute deviation divided by the median.
    pub spread: f64,
}

/// Median of a non-empty sample (mean of the two middle values for even lengths).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Stats {
    /// Median, minimum and relative median absolute deviation of nanosecond times.
    pub fn of(times_ns: &[f64]) -> Stats {
        let med = median(times_ns);
        let deviations: Vec<f64> = times_ns.iter().map(|t| (t - med).abs()).collect();
        let mad = median(&deviations);
        Stats {
            median_ms: med / 1e6,
            min_ms: times_ns.iter().copied().fold(f64::INFINITY, f64::min) / 1e6,
            spread: if med > 0.0 { mad / med } else { 0.0 },
        }
    }
}

/// Times commands recorded straight into a command encoder (copies, which are not compute
/// dispatches and so are not seen by the profiler): an empty compute pass writes a timestamp
/// before them and another one after them. Without TIMESTAMP_QUERY it times submit-to-idle.
pub struct Stopwatch {
    query: Option<(wgpu::QuerySet, wgpu::Buffer, wgpu::Buffer, f64)>,
}

impl Stopwatch {
    /// Create the two-entry query set and its buffers when `timestamps` and the device has them.
    pub fn new(gpu: &Gpu, timestamps: bool) -> Self {
        let device = gpu.device();
        let query = (timestamps && gpu.profiling_available()).then(|| {
            let buffer = |label, usage| {
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size: 16,
                    usage,
                    mapped_at_creation: false,
                })
            };
            (
                device.create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some("bench stopwatch"),
                    ty: wgpu::QueryType::Timestamp,
                    count: 2,
                }),
                buffer(
                    "bench stopwatch resolve",
                    wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                ),
                buffer(
                    "bench stopwatch readback",
                    wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                ),
                f64::from(gpu.queue().get_timestamp_period()),
            )
        });
        Self { query }
    }

    /// Record the commands of `record`, submit them and return their duration in nanoseconds.
    pub fn time(&self, gpu: &Gpu, record: impl FnOnce(&mut wgpu::CommandEncoder)) -> Result<f64> {
        gpu.synchronize()?;
        let device = gpu.device();
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bench stopwatch"),
        });
        let mark = |encoder: &mut wgpu::CommandEncoder, qs: &wgpu::QuerySet, index: u32| {
            let begin = (index == 0).then_some(0);
            let end = (index == 1).then_some(1);
            encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("bench stopwatch mark"),
                timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                    query_set: qs,
                    beginning_of_pass_write_index: begin,
                    end_of_pass_write_index: end,
                }),
            });
        };
        let start = Instant::now();
        let Some((qs, resolve, readback, period)) = &self.query else {
            record(&mut encoder);
            gpu.queue().submit([encoder.finish()]);
            gpu.synchronize()?;
            return Ok(start.elapsed().as_secs_f64() * 1e9);
        };
        mark(&mut encoder, qs, 0);
        record(&mut encoder);
        mark(&mut encoder, qs, 1);
        encoder.resolve_query_set(qs, 0..2, resolve, 0);
        encoder.copy_buffer_to_buffer(resolve, 0, readback, 0, 16);
        gpu.queue().submit([encoder.finish()]);
        let slice = readback.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        gpu.synchronize()?;
        rx.recv()
            .map_err(|e| Error::Device(e.to_string()))?
            .map_err(|e| Error::Device(format!("reading the stopwatch failed: {e}")))?;
        let ticks = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| Error::Device(e.to_string()))?;
            let stamps: &[u64] = bytemuck::cast_slice(&view);
            stamps[1].saturating_sub(stamps[0])
        };
        readback.unmap();
        Ok(ticks as f64 * period)
    }
}
