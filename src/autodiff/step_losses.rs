//! Per-step losses kept on the GPU during an epoch and read back once at its end, so a
//! training loop records step after step without waiting for the GPU in between.

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::{DType, Tensor};

/// A GPU vector with one slot per training step of an epoch. [`StepLosses::record`] copies a
/// step's one-element loss into the next slot (a buffer copy recorded in the current batch, no
/// readback); [`StepLosses::read`] reads every recorded loss with one readback.
pub struct StepLosses {
    values: Tensor,
    recorded: usize,
}

impl StepLosses {
    /// Room for `steps` losses.
    pub fn new(gpu: &Gpu, steps: usize) -> Result<StepLosses> {
        Ok(StepLosses {
            values: Tensor::zeros(gpu, &[steps.max(1)], DType::F32)?,
            recorded: 0,
        })
    }

    /// Record the next step's loss, an f32 tensor of one element.
    pub fn record(&mut self, loss: &Tensor) -> Result<()> {
        loss.expect_dtype("StepLosses::record", DType::F32)?;
        if loss.numel() != 1 {
            return Err(Error::shape(
                "StepLosses::record",
                format!("a loss has one element, got shape {:?}", loss.shape()),
            ));
        }
        let capacity = self.values.numel();
        if self.recorded >= capacity {
            return Err(Error::InvalidInput(format!(
                "StepLosses holds {capacity} steps; step {} does not fit",
                self.recorded + 1
            )));
        }
        let gpu = self.values.gpu();
        gpu.copy(
            loss.buffer(),
            loss.byte_offset(),
            self.values.buffer(),
            self.values.byte_offset() + 4 * self.recorded as u64,
            4,
        );
        self.recorded += 1;
        Ok(())
    }

    /// Steps recorded so far.
    pub fn len(&self) -> usize {
        self.recorded
    }

    /// True when no step is recorded.
    pub fn is_empty(&self) -> bool {
        self.recorded == 0
    }

    /// The recorded losses, in step order (one readback).
    pub fn read(&self) -> Result<Vec<f32>> {
        if self.recorded == 0 {
            return Ok(Vec::new());
        }
        let mut all = self.values.to_f32()?;
        all.truncate(self.recorded);
        Ok(all)
    }

    /// The first recorded step whose loss is not finite, with that loss.
    pub fn first_non_finite(losses: &[f32]) -> Option<(usize, f32)> {
        losses
            .iter()
            .copied()
            .enumerate()
            .find(|(_, l)| !l.is_finite())
    }
}
