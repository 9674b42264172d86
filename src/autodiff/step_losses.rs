//! Per-step losses kept on the GPU during an epoch and read back once at its end, so a
//! training loop records step after step without waiting for the GPU in between.

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::{DType, Tensor};

/// A GPU vector with one slot per training step of an epoch. [`StepLosses::record`] copies a
/// step's one-element loss into the next slot (a buffer copy recorded in the current batch, no
/// readback); [`StepLosses::read`] reads every recorded loss with one readback.
pub struct StepLosses {
    /// At least one slot (a GPU buffer is never empty), so it can exceed `capacity`.
    values: Tensor,
    /// Steps asked for at construction.
    capacity: usize,
    recorded: usize,
}

impl StepLosses {
    /// Room for `steps` losses (recording one more is an error, also for `steps` = 0).
    pub fn new(gpu: &Gpu, steps: usize) -> Result<StepLosses> {
        Ok(StepLosses {
            values: Tensor::zeros(gpu, &[steps.max(1)], DType::F32)?,
            capacity: steps,
            recorded: 0,
        })
    }

    /// Record the next step's loss, an f32 tensor of one element on the log's GPU device.
    pub fn record(&mut self, loss: &Tensor) -> Result<()> {
        loss.expect_dtype("StepLosses::record", DType::F32)?;
        self.values
            .gpu()
            .check_same_device("StepLosses::record", "the loss", loss.gpu())?;
        if loss.numel() != 1 {
            return Err(Error::shape(
                "StepLosses::record",
                format!("a loss has one element, got shape {:?}", loss.shape()),
            ));
        }
        let capacity = self.capacity;
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
        )?;
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

    /// The recorded losses together with the values of `others`, f32 tensors recorded after the
    /// steps (an evaluation pass's logits and loss, say), with one readback: so one wait for
    /// the GPU covers the epoch's steps and its evaluation.
    pub fn read_with(&self, others: &[&Tensor]) -> Result<(Vec<f32>, Vec<Vec<f32>>)> {
        let losses = self.values.rows(0, self.recorded)?;
        let mut tensors = vec![&losses];
        tensors.extend_from_slice(others);
        let mut values = Self::read_all(self.values.gpu(), &tensors)?.into_iter();
        let losses = values.next().unwrap_or_default();
        Ok((losses, values.collect()))
    }

    /// The values of several f32 tensors of `gpu`, in order, with one readback: each is copied
    /// into one GPU vector (bit for bit) and that vector is read once. Tensors that together
    /// exceed the device's largest binding are read in consecutive groups that fit (one
    /// readback per group). Nothing is read when every tensor is empty. A tensor of another
    /// GPU device than `gpu` is [`Error::InvalidInput`].
    pub fn read_all(gpu: &Gpu, tensors: &[&Tensor]) -> Result<Vec<Vec<f32>>> {
        for (k, t) in tensors.iter().enumerate() {
            t.expect_dtype("StepLosses::read_all", DType::F32)?;
            gpu.check_same_device("StepLosses::read_all", &format!("tensor {k}"), t.gpu())?;
        }
        let limit = gpu.max_binding_bytes();
        let mut out = Vec::with_capacity(tensors.len());
        let mut start = 0;
        while start < tensors.len() {
            // The longest run from `start` that fits one binding (at least one tensor).
            let mut end = start + 1;
            let mut bytes = tensors[start].byte_len();
            while end < tensors.len() && bytes + tensors[end].byte_len() <= limit {
                bytes += tensors[end].byte_len();
                end += 1;
            }
            out.extend(Self::read_group(gpu, &tensors[start..end])?);
            start = end;
        }
        Ok(out)
    }

    /// [`StepLosses::read_all`] of tensors whose values fit one binding together.
    fn read_group(gpu: &Gpu, tensors: &[&Tensor]) -> Result<Vec<Vec<f32>>> {
        if let [one] = tensors {
            return Ok(vec![one.to_f32()?]);
        }
        let total: usize = tensors.iter().map(|t| t.numel()).sum();
        if total == 0 {
            return Ok(vec![Vec::new(); tensors.len()]);
        }
        let all = Tensor::empty(gpu, &[total], DType::F32)?;
        let mut offset = all.byte_offset();
        for t in tensors {
            gpu.copy(
                t.buffer(),
                t.byte_offset(),
                all.buffer(),
                offset,
                t.byte_len(),
            )?;
            offset += t.byte_len();
        }
        let values = all.to_f32()?;
        let mut rest = values.as_slice();
        Ok(tensors
            .iter()
            .map(|t| {
                let (head, tail) = rest.split_at(t.numel());
                rest = tail;
                head.to_vec()
            })
            .collect())
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
