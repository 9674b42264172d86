//! The device context: an opened adapter, its caches and the batch being recorded.
//!
//! Every kernel call records a dispatch into one shared command encoder, in a compute pass that
//! consecutive dispatches share (a copy, a clear or a timed dispatch ends it). Work is submitted
//! only when a result is read back, when [`Gpu::flush`] (or [`Gpu::synchronize`]) is called,
//! when [`Gpu::write_bytes`] would otherwise overtake it, when profiling is switched or reported
//! or its timestamp slots are full, when the batch grows past [`MAX_DISPATCHES_PER_BATCH`], or
//! when [`PENDING_SUBMIT_BYTES`] of freed buffers wait for a submit to become reusable.
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

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use super::adapter;
use super::bind_cache::{BindGroupCache, BindGroupStats, BindKey, BoundRange};
use super::failure::{lost_error, panic_message, wait_timeout_from_env, ErrorState};
pub use super::failure::{DEFAULT_WAIT_TIMEOUT, WAIT_TIMEOUT_ENV};
use super::layouts::PARAM_BINDING_BYTES;
use super::params::{ParamArena, MAX_PARAM_BYTES};
use super::pipelines::{Kernel, PipelineCache};
use super::pool::{bucket_size, BufferPool, STORAGE_USAGE};
use super::profiler::{ProfileReport, Profiler};
use crate::error::{Error, Result};

/// Dispatches recorded before the batch is submitted automatically.
pub const MAX_DISPATCHES_PER_BATCH: u32 = 2048;

/// A batch is also submitted when a new buffer is needed and this many bytes of buffers freed
/// during the batch wait for its submit to become reusable: that bounds the memory of a long
/// loop that records without reading back.
pub const PENDING_SUBMIT_BYTES: u64 = 256 << 20;

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

struct Batch {
    /// The compute pass that consecutive dispatches share. It is ended before any other command
    /// (a copy, a clear, a query resolve) is recorded and before submit; wgpu inserts the
    /// barriers between the dispatches of one pass, as between passes. Declared before
    /// `encoder` so that it is dropped first.
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: Option<wgpu::CommandEncoder>,
    dispatches: u32,
    params: ParamArena,
    pool: BufferPool,
    bind_groups: BindGroupCache,
    profiler: Option<Profiler>,
    profiling: bool,
}

impl Batch {
    /// The command encoder of the batch being recorded, created on first use, with no compute
    /// pass open on it (so a copy or clear can be recorded).
    fn encoder(&mut self, device: &wgpu::Device) -> &mut wgpu::CommandEncoder {
        self.pass = None;
        open_encoder(&mut self.encoder, device)
    }

    /// The shared compute pass, begun on first use.
    fn pass(&mut self, device: &wgpu::Device) -> &mut wgpu::ComputePass<'static> {
        if self.pass.is_none() {
            let pass = open_encoder(&mut self.encoder, device)
                .begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("synchgraph dispatches"),
                    timestamp_writes: None,
                })
                .forget_lifetime();
            self.pass = Some(pass);
        }
        self.pass.as_mut().expect("pass opened above")
    }
}

/// The encoder in `slot`, created on first use (a free function, so a caller can borrow other
/// fields of the batch at the same time).
fn open_encoder<'a>(
    slot: &'a mut Option<wgpu::CommandEncoder>,
    device: &wgpu::Device,
) -> &'a mut wgpu::CommandEncoder {
    slot.get_or_insert_with(|| {
        device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("synchgraph batch"),
        })
    })
}

struct Inner {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: GpuInfo,
    limits: wgpu::Limits,
    features: wgpu::Features,
    errors: Arc<Mutex<ErrorState>>,
    /// Set by wgpu's device-lost callback: why the device was lost.
    lost: Arc<OnceLock<String>>,
    /// Bound of a blocking wait, in nanoseconds (see [`Gpu::wait_timeout`]).
    wait_timeout_ns: AtomicU64,
    pipelines: Mutex<PipelineCache>,
    batch: Mutex<Batch>,
    /// Times the host blocked until the device went idle (see [`Gpu::host_waits`]).
    waits: AtomicU64,
    /// Bytes written from the host into device buffers (see [`Gpu::uploaded_bytes`]).
    uploaded: AtomicU64,
}

/// A handle to an opened GPU device. Cheap to clone; all clones share caches and the batch.
#[derive(Clone)]
pub struct Gpu {
    inner: Arc<Inner>,
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
        let index_of = |a: &wgpu::Adapter| {
            adapters
                .iter()
                .position(|b| b.get_info() == a.get_info())
                .unwrap_or(0)
        };
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

    /// Allocate (or reuse) a storage buffer of at least `bytes` bytes. `what` names the tensor in
    /// errors. Refuses sizes over the device's binding limit before anything is dispatched.
    pub fn alloc(&self, bytes: u64, what: &str) -> Result<wgpu::Buffer> {
        self.alloc_with(bytes, || what.to_string())
    }

    /// [`Gpu::alloc`] with the name made by `what` only where it is used: for a refused size or
    /// a new buffer, not when the pool hands back a free one (most allocations of a loop).
    pub(crate) fn alloc_with(
        &self,
        bytes: u64,
        what: impl FnOnce() -> String,
    ) -> Result<wgpu::Buffer> {
        self.check_lost()?;
        let limit = self.max_binding_bytes();
        if bytes > limit {
            return Err(Error::TooLarge {
                what: what(),
                bytes,
                limit,
            });
        }
        let size = bucket_size(bytes, limit);
        {
            let mut batch = lock(&self.inner.batch);
            if let Some(buf) = batch.pool.take(size) {
                return Ok(buf);
            }
            // Buffers freed during this batch are reusable only once it is submitted. A long
            // batch without a readback (a training loop) would otherwise keep allocating.
            if batch.pool.pending_bytes() >= PENDING_SUBMIT_BYTES {
                self.submit_locked(&mut batch)?;
                if let Some(buf) = batch.pool.take(size) {
                    return Ok(buf);
                }
            }
            batch.pool.misses += 1;
        }
        let what = what();
        let what = what.as_str();
        let device = &self.inner.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(what),
            size,
            usage: STORAGE_USAGE,
            mapped_at_creation: false,
        });
        if pollster::block_on(scope.pop()).is_some() {
            let mut batch = lock(&self.inner.batch);
            batch.pool.trim();
            // Cached bind groups would keep the trimmed buffers alive.
            batch.bind_groups.clear();
            return Err(Error::OutOfMemory {
                context: format!("allocating {size} bytes for '{what}'"),
            });
        }
        Ok(buffer)
    }

    /// Return a buffer to the pool (reusable after the current batch is submitted). Only a
    /// storage buffer as [`Gpu::alloc`] makes one (usage [`STORAGE_USAGE`]) is pooled; any
    /// other buffer is just dropped, so that no tensor is later handed a buffer it cannot bind.
    /// Crate-private: a dropped tensor hands back its own buffer, and nothing outside could
    /// prove a buffer belongs to this device.
    pub(crate) fn release(&self, buffer: wgpu::Buffer) {
        if buffer.usage() != STORAGE_USAGE {
            return;
        }
        lock(&self.inner.batch).pool.release(buffer);
    }

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
    /// has none to read). A loop that records work without waiting
    /// leaves it unchanged, which is what tests of "no sync here" check.
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

    /// Record one dispatch. `params` is bound at binding 0 as a uniform; `buffers` follow at
    /// bindings 1, 2, ... `name` labels the dispatch in profiles. A buffer of another device
    /// than this one is [`Error::InvalidInput`] naming `name`, with nothing recorded: every
    /// kernel refuses tensors of two devices here.
    pub fn dispatch<P: bytemuck::Pod>(
        &self,
        name: &'static str,
        kernel: &Kernel,
        params: &P,
        buffers: &[Binding],
        groups: [u32; 3],
    ) -> Result<()> {
        self.check_lost()?;
        let bytes = bytemuck::bytes_of(params);
        if bytes.len() > MAX_PARAM_BYTES {
            return Err(Error::InvalidInput(format!(
                "parameter block of {name} is {} bytes (max {MAX_PARAM_BYTES})",
                bytes.len()
            )));
        }
        if let Some(k) = buffers.iter().position(|b| b.device != self.device_key()) {
            return Err(Error::InvalidInput(format!(
                "{name}: binding {} is a buffer of another GPU device than the one in use here; \
                 tensors of two devices cannot meet in one computation",
                k + 1
            )));
        }
        if groups.contains(&0) {
            return Ok(());
        }
        let max = self.inner.limits.max_compute_workgroups_per_dimension;
        if groups.iter().any(|&g| g > max) {
            return Err(Error::InvalidInput(format!(
                "{name}: grid {groups:?} exceeds max_compute_workgroups_per_dimension {max}"
            )));
        }
        let pipeline = lock(&self.inner.pipelines).get(&self.inner.device, kernel)?;
        let device = &self.inner.device;
        let mut batch = lock(&self.inner.batch);
        let needs_flush = batch.dispatches >= MAX_DISPATCHES_PER_BATCH
            || (batch.profiling && batch.profiler.as_ref().is_some_and(Profiler::is_full));
        if needs_flush {
            self.submit_locked(&mut batch)?;
        }
        let (params, param_offset) = batch.params.push(device, bytes);
        let key = BindKey {
            layout: pipeline.layout.clone(),
            params,
            ranges: buffers
                .iter()
                .map(|b| BoundRange {
                    buffer: b.buffer.clone(),
                    offset: b.offset,
                    size: b.size,
                })
                .collect(),
        };
        let bind_group = batch.bind_groups.get_or_build(key, |key| {
            let mut entries = vec![wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &key.params,
                    offset: 0,
                    size: wgpu::BufferSize::new(PARAM_BINDING_BYTES),
                }),
            }];
            for (i, b) in key.ranges.iter().enumerate() {
                entries.push(wgpu::BindGroupEntry {
                    binding: i as u32 + 1,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &b.buffer,
                        offset: b.offset,
                        size: wgpu::BufferSize::new(b.size),
                    }),
                });
            }
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(name),
                layout: &key.layout,
                entries: &entries,
            })
        });
        let batch = &mut *batch;
        if batch.profiling && batch.profiler.is_some() {
            // A timed dispatch gets a pass of its own: timestamps are written per pass.
            batch.pass = None;
            let encoder = open_encoder(&mut batch.encoder, device);
            let timestamp_writes = batch.profiler.as_mut().map(|p| p.next_writes(name));
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(name),
                timestamp_writes,
            });
            pass.set_pipeline(&pipeline.pipeline);
            pass.set_bind_group(0, &bind_group, &[param_offset]);
            pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
        } else {
            let pass = batch.pass(device);
            pass.set_pipeline(&pipeline.pipeline);
            pass.set_bind_group(0, &bind_group, &[param_offset]);
            pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
        }
        batch.dispatches += 1;
        Ok(())
    }

    /// Record a buffer-to-buffer copy in the current batch. Fails with [`Error::InvalidInput`],
    /// before anything is recorded, when an offset or `bytes` is not a multiple of 4, a range
    /// runs past its buffer's end, `src` and `dst` are one buffer, or `src` lacks the usage
    /// COPY_SRC or `dst` COPY_DST (wgpu refuses such a copy only when the batch is submitted,
    /// where the error would fail an unrelated later call).
    pub fn copy(
        &self,
        src: &wgpu::Buffer,
        src_offset: u64,
        dst: &wgpu::Buffer,
        dst_offset: u64,
        bytes: u64,
    ) -> Result<()> {
        check_range("copy source", src, src_offset, bytes)?;
        check_range("copy destination", dst, dst_offset, bytes)?;
        check_usage("copy source", src, wgpu::BufferUsages::COPY_SRC)?;
        check_usage("copy destination", dst, wgpu::BufferUsages::COPY_DST)?;
        if src == dst {
            return Err(Error::InvalidInput(
                "copy: source and destination are one buffer; copy through another buffer".into(),
            ));
        }
        self.check_lost()?;
        if bytes == 0 {
            return Ok(());
        }
        lock(&self.inner.batch)
            .encoder(&self.inner.device)
            .copy_buffer_to_buffer(src, src_offset, dst, dst_offset, bytes);
        Ok(())
    }

    /// Record a fill of `bytes` bytes of `buffer` with zeros in the current batch. Fails like
    /// [`Gpu::copy`] for a range that is not whole 4-byte words inside the buffer or a buffer
    /// without the usage COPY_DST.
    pub fn clear(&self, buffer: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<()> {
        check_range("clear", buffer, offset, bytes)?;
        check_usage("clear", buffer, wgpu::BufferUsages::COPY_DST)?;
        self.check_lost()?;
        if bytes == 0 {
            return Ok(());
        }
        lock(&self.inner.batch)
            .encoder(&self.inner.device)
            .clear_buffer(buffer, offset, Some(bytes));
        Ok(())
    }

    /// Submit everything recorded so far. It waits for nothing, except while profiling (see
    /// [`Gpu::set_profiling`]): a batch with timed dispatches is then waited for, to read its
    /// timestamps back (one wait counted in [`Gpu::host_waits`]). Returns captured GPU errors,
    /// and the standing error of an earlier failed batch until [`Gpu::clear_error`]; on a lost
    /// device, [`Error::Device`].
    pub fn flush(&self) -> Result<()> {
        let mut batch = lock(&self.inner.batch);
        self.submit_locked(&mut batch)
    }

    fn submit_locked(&self, batch: &mut Batch) -> Result<()> {
        self.check_lost()?;
        let mut timed = false;
        batch.pass = None;
        if let Some(mut encoder) = batch.encoder.take() {
            if let Some(p) = &batch.profiler {
                timed = p.encode_resolve(&mut encoder);
            }
            batch.params.upload_and_reset(&self.inner.queue);
            self.inner.queue.submit([encoder.finish()]);
        }
        batch.dispatches = 0;
        batch.pool.on_submitted();
        if timed {
            // A batch wgpu refused (an error reported while recording or submitting it) ran
            // none of its dispatches: its query slots still hold an earlier batch's timestamps,
            // which must not be credited to this batch's kernels.
            let failed = !lock(&self.inner.errors).pending.is_empty();
            if let Some(p) = &mut batch.profiler {
                if failed {
                    p.discard();
                } else {
                    p.collect(|| self.block())?;
                }
            }
        }
        self.take_errors("a submitted batch")
    }

    /// Turn errors wgpu reported outside an error scope into the standing failure, and return
    /// that failure (the first one not yet acknowledged with [`Gpu::clear_error`]).
    fn take_errors(&self, context: &str) -> Result<()> {
        let mut state = lock(&self.inner.errors);
        if !state.pending.is_empty() {
            // Invalid objects of a destroyed device surface as validation errors first; wgpu
            // reports the loss itself only from a poll, so look before blaming the batch.
            drop(state);
            let _ = catch_unwind(AssertUnwindSafe(|| {
                self.inner.device.poll(wgpu::PollType::Poll)
            }));
            self.check_lost()?;
            state = lock(&self.inner.errors);
        }
        if !state.pending.is_empty() {
            let message = state.pending.drain(..).collect::<Vec<_>>().join("; ");
            state.record(context, message);
        }
        match &state.failed {
            None => Ok(()),
            Some(f) => Err(f.to_error()),
        }
    }

    /// Acknowledge a failed batch: forget its standing error, so that later reads, flushes and
    /// synchronizes succeed again, and return it (`None` when nothing had failed). Tensors the
    /// failed batch should have written hold stale data; recompute them. Batches that failed
    /// while that error stood are acknowledged with it, and its message counts them ("1 later
    /// batch failed as well"): their tensors are stale too. Errors of work recorded but not yet
    /// submitted are kept and reported when it is submitted. A lost device stays lost.
    pub fn clear_error(&self) -> Option<Error> {
        lock(&self.inner.errors).failed.take().map(|f| f.to_error())
    }

    /// [`Error::Device`] once the device is lost (an atomic load otherwise).
    fn check_lost(&self) -> Result<()> {
        match self.inner.lost.get() {
            None => Ok(()),
            Some(reason) => Err(lost_error(reason)),
        }
    }

    /// True once wgpu has reported the device lost; every call that records, submits, waits or
    /// reads then returns [`Error::Device`].
    pub fn is_lost(&self) -> bool {
        self.inner.lost.get().is_some()
    }

    /// Simulate a lost device, as a driver reset or a removed GPU would lose it: destroys the
    /// wgpu device and lets wgpu report the loss. Every later call that records, submits,
    /// waits, reads, uploads or allocates returns [`Error::Device`]. Tests use it; nothing
    /// recorded or submitted before survives.
    pub fn lose_device(&self) {
        self.inner.device.destroy();
        // wgpu reports a destroyed device from the next poll that finds its queue empty.
        let _ = self.poll_guarded();
        let _ = self
            .inner
            .lost
            .set("reason: Destroyed, by Gpu::lose_device".to_string());
    }

    /// The bound of every blocking wait for the GPU (a readback, [`Gpu::synchronize`], a
    /// profiler's timestamp readback): [`DEFAULT_WAIT_TIMEOUT`] (30 minutes), or the seconds
    /// given by the environment variable `SYNCHGRAPH_WAIT_TIMEOUT_S` when the device was
    /// opened, or what [`Gpu::set_wait_timeout`] set. A wait that reaches it returns
    /// [`Error::Device`] saying the GPU did not finish within that many seconds.
    pub fn wait_timeout(&self) -> Duration {
        Duration::from_nanos(self.inner.wait_timeout_ns.load(Ordering::Relaxed))
    }

    /// Change the bound of every blocking wait (see [`Gpu::wait_timeout`]) for all clones of
    /// this handle. A zero duration is raised to one nanosecond.
    pub fn set_wait_timeout(&self, timeout: Duration) {
        let ns = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.inner.wait_timeout_ns.store(ns, Ordering::Relaxed);
    }

    /// One bounded blocking poll. wgpu's `Device::poll` panics on a device error met during
    /// the wait; the panic is caught here and, like a lost device or a wait past
    /// [`Gpu::wait_timeout`], returned as [`Error::Device`].
    fn poll_guarded(&self) -> Result<()> {
        let timeout = self.wait_timeout();
        let polled = catch_unwind(AssertUnwindSafe(|| {
            self.inner.device.poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(timeout),
            })
        }));
        // A loss found during the wait is reported by its callback before `poll` returns.
        self.check_lost()?;
        match polled {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(wgpu::PollError::Timeout)) => Err(Error::Device(format!(
                "the GPU did not finish its work within {} s (the wait bound; set \
                 {WAIT_TIMEOUT_ENV} or Gpu::set_wait_timeout to change it)",
                timeout.as_secs_f64()
            ))),
            Ok(Err(e)) => Err(Error::Device(format!("waiting for the GPU failed: {e}"))),
            Err(payload) => Err(Error::Device(format!(
                "the GPU device failed while the host waited for it: {}",
                panic_message(&*payload)
            ))),
        }
    }

    /// Block until the GPU has finished the submitted work (counted in [`Gpu::host_waits`]).
    fn block(&self) -> Result<()> {
        self.check_lost()?;
        self.inner.waits.fetch_add(1, Ordering::Relaxed);
        self.poll_guarded()
    }

    /// Submit pending work and read `bytes` bytes of `buffer` from `offset` back to the CPU,
    /// waiting for the GPU to finish; a read of 0 bytes submits the pending work and returns at
    /// once, without waiting.
    /// Fails with the standing error of a failed batch (see [`Gpu::clear_error`]), with
    /// [`Error::Device`] on a lost device or a wait past [`Gpu::wait_timeout`], and with
    /// [`Error::InvalidInput`], before anything is recorded, when `offset` is not a multiple of 4,
    /// the range (rounded up to whole 4-byte words) runs past the buffer's end, or the buffer
    /// lacks the usage COPY_SRC.
    pub fn read_bytes(&self, buffer: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<Vec<u8>> {
        self.check_lost()?;
        let padded = check_word_range("read_bytes", buffer, offset, bytes)?;
        check_usage("read_bytes", buffer, wgpu::BufferUsages::COPY_SRC)?;
        if bytes == 0 {
            self.flush()?;
            return Ok(Vec::new());
        }
        let staging = self.inner.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("synchgraph readback"),
            size: padded,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.copy(buffer, offset, &staging, 0, padded)?;
        self.flush()?;
        let slice = staging.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|e| Error::Device(e.to_string()))?
            .map_err(|e| Error::Device(format!("mapping a readback buffer failed: {e}")))?;
        let view = slice
            .get_mapped_range()
            .map_err(|e| Error::Device(e.to_string()))?;
        let out = view[..bytes as usize].to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }

    /// Upload bytes into a buffer. Flushes first if work is pending, so the write cannot overtake
    /// recorded reads of the buffer's old contents. Data whose length is not a multiple of 4 is
    /// padded with zeros to whole 4-byte words, so the rest of its last word is cleared. Fails
    /// with [`Error::InvalidInput`], before anything is written or recorded, when `offset` is not
    /// a multiple of 4, the range (in whole words) runs past the buffer's end, or the buffer lacks
    /// the usage COPY_DST; and with [`Error::Validation`], with nothing written and no error left
    /// standing, when wgpu refuses the write (a buffer of another device, a mapped buffer).
    pub fn write_bytes(&self, buffer: &wgpu::Buffer, offset: u64, data: &[u8]) -> Result<()> {
        self.check_lost()?;
        check_word_range("write_bytes", buffer, offset, data.len() as u64)?;
        check_usage("write_bytes", buffer, wgpu::BufferUsages::COPY_DST)?;
        if data.is_empty() {
            return Ok(());
        }
        if lock(&self.inner.batch).encoder.is_some() {
            self.flush()?;
        }
        let given = data.len();
        let mut padded;
        let data = if data.len() % 4 != 0 {
            padded = data.to_vec();
            padded.resize(data.len().div_ceil(4) * 4, 0);
            &padded[..]
        } else {
            data
        };
        // What the checks above cannot see, wgpu refuses here (a buffer of another device, a
        // mapped one): an error of this call, not one standing against the next read.
        let scope = self
            .inner
            .device
            .push_error_scope(wgpu::ErrorFilter::Validation);
        self.inner.queue.write_buffer(buffer, offset, data);
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::Validation {
                context: "write_bytes".to_string(),
                message: e.to_string(),
            });
        }
        self.count_upload(given);
        Ok(())
    }

    fn count_upload(&self, bytes: usize) {
        self.inner
            .uploaded
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Upload bytes into a buffer that has no pending uses (fresh from [`Gpu::alloc`]).
    pub(crate) fn write_fresh(&self, buffer: &wgpu::Buffer, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if data.len() % 4 != 0 {
            let mut padded = data.to_vec();
            padded.resize(data.len().div_ceil(4) * 4, 0);
            self.inner.queue.write_buffer(buffer, 0, &padded);
        } else {
            self.inner.queue.write_buffer(buffer, 0, data);
        }
        self.count_upload(data.len());
    }

    /// Submit pending work and block until the GPU is idle. Fails like [`Gpu::read_bytes`].
    pub fn synchronize(&self) -> Result<()> {
        self.flush()?;
        self.wait()
    }

    fn wait(&self) -> Result<()> {
        self.block()?;
        self.take_errors("waiting for the GPU")
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

/// Fail unless `buffer` has the usage `needed` (COPY_SRC to be read from, COPY_DST to be
/// written), which wgpu checks only when the batch is submitted; `what` names it in the error.
fn check_usage(what: &str, buffer: &wgpu::Buffer, needed: wgpu::BufferUsages) -> Result<()> {
    if buffer.usage().contains(needed) {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "{what}: the buffer's usage {:?} lacks {needed:?}, which this transfer needs",
        buffer.usage()
    )))
}

/// Fail unless `bytes` at `offset` are whole 4-byte words inside `buffer` (what wgpu asks of a
/// copy, a fill, a write or a readback); `what` names the range in the error.
fn check_range(what: &str, buffer: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<()> {
    let inside = offset
        .checked_add(bytes)
        .is_some_and(|end| end <= buffer.size());
    if offset % 4 != 0 || bytes % 4 != 0 || !inside {
        return Err(Error::InvalidInput(format!(
            "{what}: {bytes} bytes at offset {offset} of a {}-byte buffer; the offset and the \
             size must be multiples of 4 and the range inside the buffer",
            buffer.size()
        )));
    }
    Ok(())
}

/// Fail unless `bytes` at `offset`, rounded up to whole 4-byte words, lie inside `buffer` from
/// an offset that is a multiple of 4 (what a readback or an upload, padded to whole words, asks
/// of wgpu); `what` names the transfer in the error, which names the count asked for. Returns
/// the count in whole words.
fn check_word_range(what: &str, buffer: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<u64> {
    // A count within 3 of u64::MAX has no whole-word size, and no buffer holds it.
    let padded = bytes.checked_next_multiple_of(4);
    let inside = padded
        .and_then(|p| offset.checked_add(p))
        .is_some_and(|end| end <= buffer.size());
    match padded {
        Some(padded) if offset % 4 == 0 && inside => Ok(padded),
        _ => {
            let words = match padded {
                Some(p) if p == bytes => String::new(),
                Some(p) => format!(" ({p} in whole 4-byte words)"),
                None => " (too many to round up to whole 4-byte words)".to_string(),
            };
            Err(Error::InvalidInput(format!(
                "{what}: {bytes} bytes{words} at offset {offset} of a {}-byte buffer; the offset \
                 must be a multiple of 4 and the range, in whole words, inside the buffer",
                buffer.size()
            )))
        }
    }
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
