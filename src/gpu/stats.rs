//! What the device context counts and times of its own work: pool, bind-group and pipeline
//! counts, pending dispatches, host waits, uploaded bytes, and per-dispatch timestamp profiling.

use std::sync::atomic::Ordering;

use super::bind_cache::BindGroupStats;
use super::context::{lock, Gpu};
use super::profiler::ProfileReport;
use crate::error::Result;

impl Gpu {
    /// (pool hits, pool misses) since the device was opened.
    pub fn pool_stats(&self) -> (u64, u64) {
        let b = lock(&self.inner.batch);
        (b.pool.hits, b.pool.misses)
    }

    /// The bind-group cache's counts since the device was opened: a miss is a dispatch that
    /// built its bind group, a hit one that reused the group built for the same pipeline layout
    /// and buffer ranges.
    pub fn bind_group_stats(&self) -> BindGroupStats {
        lock(&self.inner.batch).bind_groups.stats()
    }

    /// Number of pipelines compiled so far (each (family, entry, constants) is compiled once).
    pub fn pipelines_compiled(&self) -> usize {
        lock(&self.inner.pipelines).compiled
    }

    /// Dispatches recorded but not yet submitted.
    pub fn pending_dispatches(&self) -> u32 {
        lock(&self.inner.batch).dispatches
    }

    /// Times the host has blocked until the device went idle since it was opened: once per
    /// readback of at least one byte ([`Gpu::read_bytes`], so every `to_f32`, `to_u32` or
    /// `item` of a non-empty tensor; a read of nothing only submits the pending work), once
    /// per [`Gpu::synchronize`] and, while profiling, once per submitted batch with timed
    /// dispatches (its timestamps are read back; a batch that failed validation ran nothing and
    /// has none to read), and once per allocation that finds the device out of memory while
    /// the pool holds free buffers (it waits for the dropped buffers to be destroyed before it
    /// tries again). A loop that records work without waiting leaves it unchanged, which is
    /// what tests of "no sync here" check.
    pub fn host_waits(&self) -> u64 {
        self.inner.waits.load(Ordering::Relaxed)
    }

    /// Bytes the host has written into device buffers since the device was opened: every
    /// upload of tensor data (`Tensor::from_*` and [`Gpu::write_bytes`]), as given, before any
    /// padding to 4 bytes; not the per-dispatch parameter blocks. Tests use it to check what a
    /// loop uploads per step.
    pub fn uploaded_bytes(&self) -> u64 {
        self.inner.uploaded.load(Ordering::Relaxed)
    }
    /// Turn per-dispatch timestamp profiling on or off (no-op without TIMESTAMP_QUERY).
    /// Switching it on again drops the samples of the earlier profiling span, so the next
    /// [`Gpu::profile_report`] covers only the time since.
    pub fn set_profiling(&self, on: bool) -> Result<()> {
        self.flush()?;
        let mut batch = lock(&self.inner.batch);
        if on && !batch.profiling {
            if let Some(p) = &mut batch.profiler {
                p.clear_samples();
            }
        }
        batch.profiling = on;
        Ok(())
    }

    /// True while per-dispatch timestamp profiling is switched on (see [`Gpu::set_profiling`];
    /// on a device without TIMESTAMP_QUERY it times nothing even when on).
    pub fn profiling(&self) -> bool {
        lock(&self.inner.batch).profiling
    }

    /// True when the device can time dispatches (it has TIMESTAMP_QUERY).
    pub fn profiling_available(&self) -> bool {
        self.inner
            .features
            .contains(wgpu::Features::TIMESTAMP_QUERY)
    }

    /// Submit pending work and return per-kernel GPU times gathered since the last report.
    pub fn profile_report(&self) -> Result<ProfileReport> {
        self.flush()?;
        let mut batch = lock(&self.inner.batch);
        let profiling = batch.profiling;
        Ok(match (&mut batch.profiler, profiling) {
            (Some(p), true) => p.take_report(),
            _ => ProfileReport {
                available: false,
                rows: Vec::new(),
            },
        })
    }
}
