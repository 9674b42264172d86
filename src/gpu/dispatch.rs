//! The batching dispatcher: the batch being recorded, the dispatches, copies and clears
//! recorded into it, and its submit.

use super::bind_cache::{BindGroupCache, BindKey, BoundRange};
use super::context::{lock, Binding, Gpu};
use super::layouts::PARAM_BINDING_BYTES;
use super::params::{ParamArena, MAX_PARAM_BYTES};
use super::pipelines::Kernel;
use super::pool::BufferPool;
use super::profiler::Profiler;
use super::transfer::{check_range, check_usage};
use crate::error::{Error, Result};

/// Dispatches recorded before the batch is submitted automatically.
pub const MAX_DISPATCHES_PER_BATCH: u32 = 2048;

/// The batch being recorded, with the parameter arena, buffer pool, bind-group cache and
/// profiler its dispatches use.
pub(super) struct Batch {
    /// The compute pass that consecutive dispatches share. It is ended before any other command
    /// (a copy, a clear, a query resolve) is recorded and before submit; wgpu inserts the
    /// barriers between the dispatches of one pass, as between passes. Declared before
    /// `encoder` so that it is dropped first.
    pub(super) pass: Option<wgpu::ComputePass<'static>>,
    pub(super) encoder: Option<wgpu::CommandEncoder>,
    pub(super) dispatches: u32,
    pub(super) params: ParamArena,
    pub(super) pool: BufferPool,
    pub(super) bind_groups: BindGroupCache,
    pub(super) profiler: Option<Profiler>,
    pub(super) profiling: bool,
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

impl Gpu {
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

    /// Submit the work recorded in `batch` (this device's batch, already locked) and return the
    /// errors it raised: the body of [`Gpu::flush`].
    pub(super) fn submit_locked(&self, batch: &mut Batch) -> Result<()> {
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
}
