//! The device context: an opened adapter, its caches and the batch being recorded.
//!
//! Every kernel call records a dispatch into one shared command encoder, in a compute pass that
//! consecutive dispatches share (a copy, a clear or a timed dispatch ends it). Work is submitted
//! only when a result is read back, when [`Gpu::flush`] (or [`Gpu::synchronize`]) is called,
//! when [`Gpu::write_bytes`] would otherwise overtake it, when profiling is switched or reported
//! or its timestamp slots are full, when the batch grows past [`MAX_DISPATCHES_PER_BATCH`], or
//! when [`PENDING_SUBMIT_BYTES`] of freed buffers wait for a submit to become reusable, or when
//! an allocation finds the device out of memory (the pool's free buffers are then dropped and
//! the allocation tried once more).
//! Validation and out-of-memory errors are captured and returned as typed errors instead of
//! panicking.
//!
//! A batch that fails on the GPU side leaves its error standing: every later read, flush and
//! synchronize returns it until [`Gpu::clear_error`] acknowledges it, so no caller reads a
//! tensor of the failed batch (stale pool data) as if it were good. The automatic submits above
//! report it as well: a dispatch, allocation or upload that triggers one fails with the standing
//! error before its own work is recorded. A lost device (driver
//! reset, [`Gpu::lose_device`]) makes every later submit, wait, read, upload, dispatch and
//! allocation return [`Error::Device`] naming wgpu's reason, and a blocking wait is bounded by
//! [`Gpu::wait_timeout`] instead of hanging.
//!
//! This file holds the handle, its shared state and the opening of a device; the `Gpu` methods
//! that do the above live beside it: recording and submitting in `dispatch.rs`, readbacks,
//! uploads and waits in `transfer.rs`, allocation in `buffers.rs`, standing errors, device loss
//! and the wait bound in `failure.rs`, and counters and profiling in `stats.rs`.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::adapter;
use super::bind_cache::BindGroupCache;
pub use super::buffers::PENDING_SUBMIT_BYTES;
use super::dispatch::Batch;
pub use super::dispatch::MAX_DISPATCHES_PER_BATCH;
use super::failure::{wait_timeout_from_env, ErrorState};
pub use super::failure::{DEFAULT_WAIT_TIMEOUT, WAIT_TIMEOUT_ENV};
use super::params::ParamArena;
use super::pipelines::PipelineCache;
use super::pool::BufferPool;
use super::profiler::Profiler;
use crate::error::{Error, Result};

/// Options for opening a device.
#[derive(Debug, Clone, Default)]
pub struct GpuOptions {
    /// Adapter index or name substring; `None` uses `SYNCHGRAPH_ADAPTER`, then the best type.
    pub adapter: Option<String>,
    /// Time every dispatch with timestamp queries (where supported).
    pub profile: bool,
}

/// Static facts about the opened device.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GpuInfo {
    /// Adapter description.
    #[serde(flatten)]
    pub adapter: adapter::AdapterReport,
}

pub(super) struct Inner {
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    pub(super) info: GpuInfo,
    pub(super) limits: wgpu::Limits,
    pub(super) features: wgpu::Features,
    pub(super) errors: Arc<Mutex<ErrorState>>,
    /// Set by wgpu's device-lost callback: why the device was lost.
    pub(super) lost: Arc<OnceLock<String>>,
    /// Bound of a blocking wait, in nanoseconds (see [`Gpu::wait_timeout`]).
    pub(super) wait_timeout_ns: AtomicU64,
    pub(super) pipelines: Mutex<PipelineCache>,
    pub(super) batch: Mutex<Batch>,
    /// Times the host blocked until the device went idle (see [`Gpu::host_waits`]).
    pub(super) waits: AtomicU64,
    /// Bytes written from the host into device buffers (see [`Gpu::uploaded_bytes`]).
    pub(super) uploaded: AtomicU64,
}

/// A handle to an opened GPU device. Cheap to clone; all clones share caches and the batch.
#[derive(Clone)]
pub struct Gpu {
    pub(super) inner: Arc<Inner>,
}

/// One bound storage buffer range.
pub struct Binding {
    /// Buffer.
    pub buffer: wgpu::Buffer,
    /// Byte offset.
    pub offset: u64,
    /// Byte size (non-zero, multiple of 4).
    pub size: u64,
    /// What must stay alive until the dispatch that uses this binding is recorded: the bound
    /// tensor's storage, or the copy made for a view off the storage alignment. Dropping it
    /// earlier would hand its buffer back to the pool, where a submit in between could let
    /// another tensor take it and overwrite the data before the dispatch reads it.
    pub(crate) _keep_alive: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// [`Gpu::device_key`] of the device that owns the buffer, checked by [`Gpu::dispatch`].
    pub(crate) device: usize,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Gpu {
    /// Open the preferred (or requested) adapter with its own limits and the optional features
    /// TIMESTAMP_QUERY, SHADER_F16 and SUBGROUP where present.
    pub fn open(options: &GpuOptions) -> Result<Gpu> {
        Self::open_capped(options, None)
    }

    /// Open like [`Gpu::open`], but lay out every grid as if the device allowed at most
    /// `max_workgroups_per_dim` workgroups per dimension (never more than the adapter's own
    /// limit): [`Gpu::grid`] folds 1-D grids into 2-D past it, matmul moves tile rows into
    /// further z layers, and [`Gpu::limits`] reports it. Tests use a small value to run the
    /// folded-grid paths that otherwise need more than 65,535 workgroups.
    pub fn open_with_grid_limit(options: &GpuOptions, max_workgroups_per_dim: u32) -> Result<Gpu> {
        Self::open_capped(options, Some(max_workgroups_per_dim))
    }

    fn open_capped(options: &GpuOptions, grid_limit: Option<u32>) -> Result<Gpu> {
        let instance = adapter::instance();
        let adapters = adapter::enumerate(&instance);
        // By identity, not by description: two cards of one model can describe themselves
        // alike, and the second must not report the first one's index.
        let index_of = |a: &wgpu::Adapter| adapters.iter().position(|b| b == a).unwrap_or(0);
        let chosen = adapter::select(adapters.clone(), options.adapter.as_deref())?;
        let report = adapter::report(index_of(&chosen), &chosen);
        let features = chosen.features() & adapter::wanted_features();
        let limits = chosen.limits();
        let (device, queue) = pollster::block_on(chosen.request_device(&wgpu::DeviceDescriptor {
            label: Some("synchgraph"),
            required_features: features,
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| Error::RequestDevice {
            adapter: report.name.clone(),
            reason: e.to_string(),
        })?;
        let mut limits = limits;
        if let Some(cap) = grid_limit {
            limits.max_compute_workgroups_per_dimension =
                limits.max_compute_workgroups_per_dimension.min(cap.max(1));
        }
        let wait_timeout = wait_timeout_from_env()?;
        let errors: Arc<Mutex<ErrorState>> = Arc::default();
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            lock(&sink).pending.push(e.to_string());
        }));
        // wgpu drops DeviceLost errors on the floor (they never reach the handler above) and
        // reports a lost device only through this callback.
        let lost: Arc<OnceLock<String>> = Arc::default();
        let lost_sink = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            let reason = match message.trim() {
                "" => format!("reason: {reason:?}"),
                m => format!("reason: {reason:?}, {m}"),
            };
            let _ = lost_sink.set(reason);
        });
        let profiler = features
            .contains(wgpu::Features::TIMESTAMP_QUERY)
            .then(|| Profiler::new(&device, &queue));
        let batch = Batch {
            pass: None,
            encoder: None,
            dispatches: 0,
            params: ParamArena::new(limits.min_uniform_buffer_offset_alignment),
            pool: BufferPool::default(),
            bind_groups: BindGroupCache::default(),
            profiler,
            profiling: options.profile,
        };
        Ok(Gpu {
            inner: Arc::new(Inner {
                device,
                queue,
                info: GpuInfo { adapter: report },
                limits,
                features,
                errors,
                lost,
                wait_timeout_ns: AtomicU64::new(
                    u64::try_from(wait_timeout.as_nanos()).unwrap_or(u64::MAX),
                ),
                pipelines: Mutex::default(),
                batch: Mutex::new(batch),
                waits: AtomicU64::new(0),
                uploaded: AtomicU64::new(0),
            }),
        })
    }

    /// Open the default adapter (honours `SYNCHGRAPH_ADAPTER`).
    pub fn open_default() -> Result<Gpu> {
        Self::open(&GpuOptions::default())
    }

    /// The wgpu device.
    pub fn device(&self) -> &wgpu::Device {
        &self.inner.device
    }

    /// An identity of this device shared by every clone of this `Gpu` (the address of their
    /// shared state): wgpu's own equality compares ids, which devices of two instances (opened
    /// under different `WGPU_BACKEND` values, see [`adapter::instance`]) can share, so it cannot
    /// always tell them apart.
    pub(crate) fn device_key(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// [`Error::InvalidInput`] naming `op` and `what` when `other` is another device than this
    /// one (clones of one `Gpu` are one device): a kernel of one device cannot read another
    /// device's buffers, and wgpu does not always notice, leaving a wrong result.
    pub fn check_same_device(&self, op: &str, what: &str, other: &Gpu) -> Result<()> {
        if self.device_key() != other.device_key() {
            return Err(Error::InvalidInput(format!(
                "{op}: {what} lives on another GPU device than the one in use here; tensors of \
                 two devices cannot meet in one computation"
            )));
        }
        Ok(())
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.inner.queue
    }

    /// Adapter facts.
    pub fn info(&self) -> &GpuInfo {
        &self.inner.info
    }

    /// Device limits (the adapter's own, with the grid limit of
    /// [`Gpu::open_with_grid_limit`] where one was given).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.inner.limits
    }

    /// Enabled optional features.
    pub fn features(&self) -> wgpu::Features {
        self.inner.features
    }

    /// Largest byte size one storage binding (and so one tensor) may have.
    pub fn max_binding_bytes(&self) -> u64 {
        self.inner
            .limits
            .max_storage_buffer_binding_size
            .min(self.inner.limits.max_buffer_size)
    }

    /// Workgroup grid for `items` items, `per_group` per workgroup, within the device's limits.
    pub fn grid(&self, items: u64, per_group: u32) -> Result<[u32; 3]> {
        super::grid::grid_1d(
            items,
            per_group,
            self.inner.limits.max_compute_workgroups_per_dimension,
        )
    }
}
