//! Transfers between the host and device buffers: readbacks, uploads and waits for the GPU,
//! and the range and usage checks they share with recorded copies and clears.

use std::sync::atomic::Ordering;

use super::context::{lock, Gpu};
use crate::error::{Error, Result};

impl Gpu {
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
}

/// Fail unless `buffer` has the usage `needed` (COPY_SRC to be read from, COPY_DST to be
/// written), which wgpu checks only when the batch is submitted; `what` names it in the error.
pub(super) fn check_usage(
    what: &str,
    buffer: &wgpu::Buffer,
    needed: wgpu::BufferUsages,
) -> Result<()> {
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
pub(super) fn check_range(
    what: &str,
    buffer: &wgpu::Buffer,
    offset: u64,
    bytes: u64,
) -> Result<()> {
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
