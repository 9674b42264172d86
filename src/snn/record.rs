//! Spike recording into a compact GPU list of (group, neuron, step) events, appended with an
//! atomic counter into a preallocated buffer (written by `compact` in `shaders/synapse.wgsl`)
//! and read back once at the end of a simulation. Overflow is flagged on the GPU and reported
//! as an error, never silently dropped.

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::{DType, Tensor};

/// One recorded spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpikeEvent {
    /// Simulation step (time = step * dt ms).
    pub step: u32,
    /// Population id given at compaction.
    pub group: u32,
    /// Neuron index in the population, over all clips (clip * n + i).
    pub neuron: u32,
}

/// The GPU spike record.
pub struct Recorder {
    /// [count, overflow flag].
    pub meta: Tensor,
    /// 3 u32 per event.
    pub events: Tensor,
    /// Capacity in events.
    pub capacity: u32,
}

impl Recorder {
    /// A record holding up to `capacity` events (12 bytes each).
    pub fn new(gpu: &Gpu, capacity: u32) -> Result<Self> {
        Ok(Recorder {
            meta: Tensor::zeros(gpu, &[2], DType::U32)?,
            events: Tensor::empty(gpu, &[3 * capacity.max(1) as usize], DType::U32)?,
            capacity,
        })
    }

    /// Forget every recorded event (the buffer is reused).
    pub fn clear(&self, gpu: &Gpu) -> Result<()> {
        gpu.clear(
            self.meta.buffer(),
            self.meta.byte_offset(),
            self.meta.byte_len(),
        )
    }

    /// Number of recorded events, with one small readback (the 8-byte counter, not the
    /// events): what a caller that only needs the count should use instead of [`Self::read`].
    /// Fails with [`Error::InvalidInput`] when more spikes occurred than the capacity holds.
    pub fn count(&self) -> Result<u32> {
        let meta = self.meta.to_u32()?;
        if meta[1] != 0 || meta[0] > self.capacity {
            return Err(Error::InvalidInput(format!(
                "spike record overflow: {} spikes for a capacity of {}; raise the record capacity \
                 or shorten the simulation",
                meta[0], self.capacity
            )));
        }
        Ok(meta[0])
    }

    /// Read back every event, sorted by (step, group, neuron): two readbacks, the counter and
    /// then the events. Fails with [`Error::InvalidInput`] when more spikes occurred than the
    /// capacity holds.
    pub fn read(&self) -> Result<Vec<SpikeEvent>> {
        let n = self.count()? as usize;
        let raw = if n == 0 {
            Vec::new()
        } else {
            self.events.rows(0, 3 * n)?.to_u32()?
        };
        let mut ev: Vec<SpikeEvent> = raw
            .chunks_exact(3)
            .map(|c| SpikeEvent {
                group: c[0],
                neuron: c[1],
                step: c[2],
            })
            .collect();
        ev.sort_unstable();
        Ok(ev)
    }
}
