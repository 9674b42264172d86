//! A buffer pool: storage buffers are bucketed by rounded size and reused. Buffers freed while a
//! batch is being recorded only return to the pool after that batch is submitted, so a recycled
//! buffer never receives a `queue.write_buffer` that would overtake pending reads of its old data.
//!
//! Each bucket hands out its free buffers in one fixed order (wgpu's total order on buffers),
//! not in the order they were freed. A loop iteration that starts with the same free buffers
//! as the one before, makes the same allocations and frees everything it allocated (a training
//! step that drops its tape) therefore gets the same buffers in the same places, whatever order
//! it freed them in, so its dispatches bind the same buffer ranges as before and reuse their
//! cached bind groups. (Handing buffers out first in, first out paired them anew every
//! iteration wherever the release order differed from the allocation order.)

use std::collections::{BTreeSet, HashMap};

/// Usage flags of every storage buffer the engine allocates.
pub const STORAGE_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// Round a byte size to the pool's bucket size (powers of two up to 64 MiB, 16 MiB steps above),
/// clamped to `max` so rounding never exceeds the device limit.
pub fn bucket_size(bytes: u64, max: u64) -> u64 {
    let bytes = bytes.max(16);
    let rounded = if bytes <= 64 << 20 {
        bytes.next_power_of_two()
    } else {
        bytes.div_ceil(16 << 20) * (16 << 20)
    };
    rounded.min(max).max(bytes)
}

/// Free storage buffers by bucket size.
#[derive(Default)]
pub struct BufferPool {
    free: HashMap<u64, BTreeSet<wgpu::Buffer>>,
    /// Buffers released while the current batch was being recorded.
    pending: Vec<wgpu::Buffer>,
    /// Bytes of the pending buffers.
    pending_bytes: u64,
    /// Bytes currently held in the free lists.
    free_bytes: u64,
    /// Allocations served from the free lists (for tests and reports).
    pub hits: u64,
    /// Allocations that created a new buffer.
    pub misses: u64,
}

impl BufferPool {
    /// Take the first free buffer of exactly `bucket` bytes in the pool's fixed order, if one is
    /// pooled (counted as a hit; the caller counts a miss when it creates a buffer instead).
    pub fn take(&mut self, bucket: u64) -> Option<wgpu::Buffer> {
        let buf = self.free.get_mut(&bucket).and_then(BTreeSet::pop_first);
        if buf.is_some() {
            self.hits += 1;
            self.free_bytes -= bucket;
        }
        buf
    }

    /// Hand a buffer back; it becomes reusable after the next submit.
    pub fn release(&mut self, buffer: wgpu::Buffer) {
        self.pending_bytes += buffer.size();
        self.pending.push(buffer);
    }

    /// Bytes released during the batch being recorded, reusable once it is submitted.
    pub fn pending_bytes(&self) -> u64 {
        self.pending_bytes
    }

    /// Called after a submit: pending buffers become reusable.
    pub fn on_submitted(&mut self) {
        for buf in self.pending.drain(..) {
            self.free_bytes += buf.size();
            self.free.entry(buf.size()).or_default().insert(buf);
        }
        self.pending_bytes = 0;
    }

    /// Drop every pooled buffer (e.g. before a large allocation that failed).
    pub fn trim(&mut self) {
        self.free.clear();
        self.free_bytes = 0;
    }

    /// Bytes currently held in the free lists.
    pub fn free_bytes(&self) -> u64 {
        self.free_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::bucket_size;

    #[test]
    fn buckets_round_up_and_respect_the_limit() {
        assert_eq!(bucket_size(0, 1 << 30), 16);
        assert_eq!(bucket_size(1000, 1 << 30), 1024);
        assert_eq!(bucket_size((64 << 20) + 1, 1 << 30), 80 << 20);
        assert_eq!(bucket_size(100 << 20, 100 << 20), 100 << 20);
    }
}
