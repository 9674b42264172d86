//! Per-kernel GPU timing from timestamp queries written at the start and end of each dispatch's
//! compute pass. Where the adapter lacks TIMESTAMP_QUERY the report says so.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};

/// Dispatches one query set can time before the batch must be submitted.
pub const PROFILED_DISPATCHES_PER_BATCH: u32 = 512;

/// Timestamp query state for one device.
pub struct Profiler {
    query_set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    period_ns: f64,
    /// Kernel names of the dispatches timed in the batch being recorded.
    pending: Vec<&'static str>,
    samples: BTreeMap<&'static str, Vec<f64>>,
}

impl Profiler {
    /// Create the query set and buffers.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        let count = PROFILED_DISPATCHES_PER_BATCH * 2;
        let bytes = u64::from(count) * 8;
        Self {
            query_set: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("synchgraph timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count,
            }),
            resolve: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("timestamp resolve"),
                size: bytes,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            readback: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("timestamp readback"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            period_ns: f64::from(queue.get_timestamp_period()),
            pending: Vec::new(),
            samples: BTreeMap::new(),
        }
    }

    /// True when the query set is full and the batch must be submitted before the next dispatch.
    pub fn is_full(&self) -> bool {
        self.pending.len() as u32 >= PROFILED_DISPATCHES_PER_BATCH
    }

    /// Timestamp writes for the next dispatch, named `name`.
    pub fn next_writes(&mut self, name: &'static str) -> wgpu::ComputePassTimestampWrites<'_> {
        let i = self.pending.len() as u32;
        self.pending.push(name);
        wgpu::ComputePassTimestampWrites {
            query_set: &self.query_set,
            beginning_of_pass_write_index: Some(2 * i),
            end_of_pass_write_index: Some(2 * i + 1),
        }
    }

    /// Record the resolve and copy of this batch's timestamps. Returns true if anything was timed.
    pub fn encode_resolve(&self, encoder: &mut wgpu::CommandEncoder) -> bool {
        let n = self.pending.len() as u32;
        if n == 0 {
            return false;
        }
        encoder.resolve_query_set(&self.query_set, 0..2 * n, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, u64::from(n) * 16);
        true
    }

    /// After the submit: read the timestamps back and add them to the per-kernel samples.
    /// `wait` blocks until the submitted work is done (the device's bounded, counted wait). On
    /// failure this batch's timestamps are dropped, so the next batch starts clean.
    pub fn collect(&mut self, wait: impl FnOnce() -> Result<()>) -> Result<()> {
        let n = self.pending.len();
        if n == 0 {
            return Ok(());
        }
        let read = self.read_back(n, wait);
        self.pending.clear();
        if read.is_err() {
            // Cancels a map still pending, so the next batch can copy into the buffer again.
            self.readback.unmap();
        }
        read
    }

    /// Forget the dispatches timed in a batch that did not run (it failed validation), without
    /// reading its timestamps.
    pub fn discard(&mut self) {
        self.pending.clear();
    }

    /// Map the first `n` timestamp pairs, add them to the samples and unmap.
    fn read_back(&mut self, n: usize, wait: impl FnOnce() -> Result<()>) -> Result<()> {
        let slice = self.readback.slice(0..(n as u64) * 16);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        wait()?;
        let device = |e: &dyn fmt::Display| Error::Device(format!("reading timestamps: {e}"));
        rx.recv().map_err(|e| device(&e))?.map_err(|e| device(&e))?;
        {
            let view = slice.get_mapped_range().map_err(|e| device(&e))?;
            let stamps: &[u64] = bytemuck::cast_slice(&view);
            for (i, name) in self.pending.iter().enumerate() {
                // An end stamp below its start means the counter wrapped (GPUs whose counter
                // has fewer valid bits than 64): no duration can be read from the pair, and a
                // 0 ns sample would pull the median down, so it is left out.
                let Some(ticks) = stamps[2 * i + 1].checked_sub(stamps[2 * i]) else {
                    continue;
                };
                self.samples
                    .entry(name)
                    .or_default()
                    .push(ticks as f64 * self.period_ns);
            }
        }
        self.readback.unmap();
        Ok(())
    }

    /// Forget every sample gathered so far (profiling was switched back on: a report covers
    /// the time since then).
    pub fn clear_samples(&mut self) {
        self.samples.clear();
    }

    /// Summarise and clear the samples.
    pub fn take_report(&mut self) -> ProfileReport {
        let rows = std::mem::take(&mut self.samples)
            .into_iter()
            .map(|(name, mut ns)| {
                ns.sort_by(f64::total_cmp);
                ProfileRow {
                    name: name.to_string(),
                    dispatches: ns.len(),
                    total_ms: ns.iter().sum::<f64>() / 1e6,
                    median_us: median_sorted(&ns) / 1e3,
                }
            })
            .collect();
        ProfileReport {
            available: true,
            rows,
        }
    }
}

/// Median of sorted, non-empty values: the middle one, or the mean of the two middle ones for an
/// even count.
fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One kernel's timing summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileRow {
    /// Kernel name.
    pub name: String,
    /// Number of timed dispatches.
    pub dispatches: usize,
    /// Total GPU time in milliseconds.
    pub total_ms: f64,
    /// Median GPU time per dispatch in microseconds (the mean of the two middle dispatches for
    /// an even count).
    pub median_us: f64,
}

/// Per-kernel GPU time since profiling was enabled or last reported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileReport {
    /// False when the adapter has no TIMESTAMP_QUERY or profiling is off.
    pub available: bool,
    /// One row per kernel name.
    pub rows: Vec<ProfileRow>,
}

impl fmt::Display for ProfileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.available {
            return writeln!(
                f,
                "GPU timestamps are unavailable on this adapter (no TIMESTAMP_QUERY) or profiling is off"
            );
        }
        writeln!(
            f,
            "{:<32} {:>10} {:>12} {:>12}",
            "kernel", "dispatches", "total ms", "median us"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<32} {:>10} {:>12.3} {:>12.2}",
                r.name, r.dispatches, r.total_ms, r.median_us
            )?;
        }
        Ok(())
    }
}
