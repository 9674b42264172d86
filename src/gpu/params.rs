//! Uniform parameters for each dispatch, packed into a few large uniform buffers per batch.
//! Bytes are gathered on the CPU while recording and written once per arena buffer at submit.
//! Each dispatch binds a window of [`MAX_PARAM_BYTES`] at its slot's offset (a dynamic offset),
//! so every slot leaves that much room before the end of its buffer.

/// Size of one arena buffer.
const ARENA_BYTES: u64 = 64 * 1024;
/// Largest parameter block a kernel may use.
pub const MAX_PARAM_BYTES: usize = 256;

/// Per-batch arena of uniform parameter slots.
pub struct ParamArena {
    buffers: Vec<wgpu::Buffer>,
    staged: Vec<Vec<u8>>,
    current: usize,
    align: u64,
}

impl ParamArena {
    /// An empty arena whose slots are aligned to `align` (min_uniform_buffer_offset_alignment).
    pub fn new(align: u32) -> Self {
        Self {
            buffers: Vec::new(),
            staged: Vec::new(),
            current: 0,
            align: u64::from(align.max(16)),
        }
    }

    /// Reserve a slot holding `bytes`; returns the buffer and the slot's offset, from which a
    /// window of [`MAX_PARAM_BYTES`] lies inside the buffer.
    pub fn push(&mut self, device: &wgpu::Device, bytes: &[u8]) -> (wgpu::Buffer, u32) {
        assert!(bytes.len() <= MAX_PARAM_BYTES, "parameter block too large");
        let size = (bytes.len().max(16) as u64).div_ceil(16) * 16;
        loop {
            if self.current == self.buffers.len() {
                self.buffers
                    .push(device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some("synchgraph params"),
                        size: ARENA_BYTES,
                        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    }));
                self.staged.push(Vec::new());
            }
            let staged = &mut self.staged[self.current];
            let offset = (staged.len() as u64).div_ceil(self.align) * self.align;
            if offset + MAX_PARAM_BYTES as u64 <= ARENA_BYTES {
                staged.resize(offset as usize, 0);
                staged.extend_from_slice(bytes);
                staged.resize((offset + size) as usize, 0);
                let offset = u32::try_from(offset).expect("arena buffers are 64 KiB");
                return (self.buffers[self.current].clone(), offset);
            }
            self.current += 1;
        }
    }

    /// Write the staged bytes to the GPU (before the batch's submit) and reset for the next batch.
    pub fn upload_and_reset(&mut self, queue: &wgpu::Queue) {
        for (buf, staged) in self.buffers.iter().zip(self.staged.iter_mut()) {
            if !staged.is_empty() {
                queue.write_buffer(buf, 0, staged);
                staged.clear();
            }
        }
        self.current = 0;
    }
}
