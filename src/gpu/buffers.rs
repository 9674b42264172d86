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
}

#[cfg(test)]
mod tests {
    use super::Gpu;
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
