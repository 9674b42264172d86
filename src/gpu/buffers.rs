//! Buffer allocation: storage buffers taken from the pool or created, their return to it, and
//! the submit that makes buffers freed during a long batch reusable.

use super::context::{lock, Gpu};
use super::pool::{bucket_size, STORAGE_USAGE};
use crate::error::{Error, Result};

/// A batch is also submitted when a new buffer is needed and this many bytes of buffers freed
/// during the batch wait for its submit to become reusable: that bounds the memory of a long
/// loop that records without reading back.
pub const PENDING_SUBMIT_BYTES: u64 = 256 << 20;

impl Gpu {
    /// Allocate (or reuse) a storage buffer of at least `bytes` bytes. `what` names the tensor in
    /// errors. Refuses sizes over the device's binding limit before anything is dispatched. When
    /// the device is out of memory, the buffers the pool holds are freed and the allocation is
    /// tried once more before it fails with [`Error::OutOfMemory`].
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
        let create = || self.create_storage(size, &what);
        let free_memory = || self.free_pooled_memory();
        create_or_retry(create, free_memory)?.ok_or_else(|| Error::OutOfMemory {
            context: format!("allocating {size} bytes for '{what}'"),
        })
    }

    /// A new storage buffer of `size` bytes, or `None` when the device is out of memory.
    fn create_storage(&self, size: u64, what: &str) -> Option<wgpu::Buffer> {
        let device = &self.inner.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(what),
            size,
            usage: STORAGE_USAGE,
            mapped_at_creation: false,
        });
        pollster::block_on(scope.pop()).is_none().then_some(buffer)
    }

    /// Give the device back the memory of every buffer the pool holds, after an allocation
    /// failed for lack of it: the batch is submitted (so the buffers freed while recording it
    /// join the free lists), the free lists and the cached bind groups (which would keep their
    /// buffers alive) are dropped, and the host waits for the GPU so that the dropped buffers
    /// are destroyed. Returns whether the pool held any buffer, that is whether retrying the
    /// allocation can succeed where it just failed.
    fn free_pooled_memory(&self) -> Result<bool> {
        let held = {
            let mut batch = lock(&self.inner.batch);
            if batch.pool.pending_bytes() > 0 {
                self.submit_locked(&mut batch)?;
            }
            let held = batch.pool.free_bytes() > 0;
            batch.pool.trim();
            batch.bind_groups.clear();
            held
        };
        if held {
            self.block()?;
        }
        Ok(held)
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
}

/// Create with `create`; when it fails (`None`), call `free_memory` and, if that freed anything,
/// create once more. The allocation policy of [`Gpu::alloc`] on an out-of-memory device: a
/// pool of free buffers of other sizes must not make an allocation fail that fits once they
/// are dropped.
fn create_or_retry<B>(
    mut create: impl FnMut() -> Option<B>,
    free_memory: impl FnOnce() -> Result<bool>,
) -> Result<Option<B>> {
    if let Some(b) = create() {
        return Ok(Some(b));
    }
    Ok(if free_memory()? { create() } else { None })
}

#[cfg(test)]
mod tests {
    use super::{create_or_retry, Gpu};
    use crate::error::{Error, Result};
    use std::cell::Cell;

    /// Creations that fail the first `failures` times; counts the attempts.
    fn flaky(failures: u32, attempts: &Cell<u32>) -> impl FnMut() -> Option<u32> + '_ {
        move || {
            attempts.set(attempts.get() + 1);
            (attempts.get() > failures).then_some(7)
        }
    }

    /// An allocation that fails is retried once, and only when freeing the pool freed memory;
    /// an error while freeing it is returned.
    #[test]
    fn a_failed_allocation_is_retried_once_after_the_pool_is_freed() -> Result<()> {
        let attempts = Cell::new(0);
        let got = create_or_retry(flaky(1, &attempts), || Ok(true))?;
        assert_eq!((got, attempts.get()), (Some(7), 2));

        let attempts = Cell::new(0);
        let got = create_or_retry(flaky(1, &attempts), || Ok(false))?;
        assert_eq!((got, attempts.get()), (None, 1), "nothing freed: no retry");

        let attempts = Cell::new(0);
        let got = create_or_retry(flaky(5, &attempts), || Ok(true))?;
        assert_eq!((got, attempts.get()), (None, 2), "one retry only");

        let attempts = Cell::new(0);
        let freed = Cell::new(false);
        let got = create_or_retry(flaky(0, &attempts), || {
            freed.set(true);
            Ok(true)
        })?;
        assert_eq!((got, attempts.get(), freed.get()), (Some(7), 1, false));

        let attempts = Cell::new(0);
        let lost = create_or_retry(flaky(1, &attempts), || Err(Error::Device("lost".into())));
        assert!(matches!(lost, Err(Error::Device(_))));
        Ok(())
    }

    /// Freeing the pool's memory drops its free buffers and reports that it held some, and
    /// reports nothing to free once it is empty.
    #[test]
    fn freeing_the_pool_drops_its_buffers() -> Result<()> {
        let gpu = Gpu::open_default()?;
        let x = crate::Tensor::from_f32(&gpu, &[3], &[1.0, 2.0, 3.0])?;
        drop(x);
        gpu.flush()?;
        assert!(super::lock(&gpu.inner.batch).pool.free_bytes() > 0);
        assert!(gpu.free_pooled_memory()?);
        assert_eq!(super::lock(&gpu.inner.batch).pool.free_bytes(), 0);
        assert!(!gpu.free_pooled_memory()?);
        Ok(())
    }
    use crate::Tensor;

    /// A buffer of the wrong kind handed to the pool never comes back out of it as a tensor's.
    #[test]
    fn a_buffer_that_is_no_storage_buffer_is_not_pooled() {
        let gpu = Gpu::open_default().unwrap();
        // A readback buffer of a bucket size the pool hands out for 3 to 4 values.
        let foreign = gpu.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("map buffer"),
            size: 16,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        gpu.release(foreign.clone());
        gpu.flush().unwrap();
        let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
        assert!(
            x.buffer() != &foreign,
            "the pool handed out a MAP_READ buffer"
        );
        assert_eq!(x.to_f32().unwrap(), vec![1.0, -2.0, 3.0]);
    }
}
