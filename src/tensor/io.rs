//! Moving tensor data between the CPU and the GPU.

use half::f16;

use super::{checked_numel, numel, DType, Tensor};
use crate::error::{Error, Result};
use crate::gpu::Gpu;

/// Fail unless `len` values fill `shape`. A shape whose element count overflows passes here:
/// no data is that long, and [`Tensor::empty`] refuses it with [`Error::TooLarge`] naming it.
fn check_len(op: &str, shape: &[usize], len: usize) -> Result<()> {
    if checked_numel(shape).is_some_and(|n| n != len) {
        return Err(Error::shape(
            op,
            format!("shape {shape:?} needs {} values, got {len}", numel(shape)),
        ));
    }
    Ok(())
}

impl Tensor {
    fn upload(gpu: &Gpu, shape: &[usize], dtype: DType, bytes: &[u8]) -> Result<Tensor> {
        let t = Tensor::empty(gpu, shape, dtype)?;
        gpu.write_fresh(t.buffer(), bytes);
        Ok(t)
    }

    /// Upload f32 data with a shape.
    pub fn from_f32(gpu: &Gpu, shape: &[usize], data: &[f32]) -> Result<Tensor> {
        check_len("from_f32", shape, data.len())?;
        Self::upload(gpu, shape, DType::F32, bytemuck::cast_slice(data))
    }

    /// Upload u32 data with a shape.
    pub fn from_u32(gpu: &Gpu, shape: &[usize], data: &[u32]) -> Result<Tensor> {
        check_len("from_u32", shape, data.len())?;
        Self::upload(gpu, shape, DType::U32, bytemuck::cast_slice(data))
    }

    /// Upload i32 data with a shape.
    pub fn from_i32(gpu: &Gpu, shape: &[usize], data: &[i32]) -> Result<Tensor> {
        check_len("from_i32", shape, data.len())?;
        Self::upload(gpu, shape, DType::I32, bytemuck::cast_slice(data))
    }

    /// Upload f16 data (stored as packed pairs).
    pub fn from_f16(gpu: &Gpu, shape: &[usize], data: &[f16]) -> Result<Tensor> {
        check_len("from_f16", shape, data.len())?;
        // Two bytes per value; the upload pads the last word (and counts only these bytes).
        let words: Vec<u16> = data.iter().map(|v| v.to_bits()).collect();
        Self::upload(gpu, shape, DType::F16, bytemuck::cast_slice(&words))
    }

    /// Overwrite the tensor's contents (flushes pending work first).
    pub fn write_f32(&self, data: &[f32]) -> Result<()> {
        self.expect_dtype("write_f32", DType::F32)?;
        check_len("write_f32", &self.shape, data.len())?;
        self.gpu()
            .write_bytes(self.buffer(), self.offset, bytemuck::cast_slice(data))
    }

    fn read(&self) -> Result<Vec<u8>> {
        self.gpu()
            .read_bytes(self.buffer(), self.offset, self.byte_len())
    }

    /// Download f32 data (submits pending work and waits for it; an empty tensor has nothing
    /// to wait for, and only submits).
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        self.expect_dtype("to_f32", DType::F32)?;
        Ok(bytemuck::pod_collect_to_vec(&self.read()?))
    }

    /// Download u32 data.
    pub fn to_u32(&self) -> Result<Vec<u32>> {
        self.expect_dtype("to_u32", DType::U32)?;
        Ok(bytemuck::pod_collect_to_vec(&self.read()?))
    }

    /// Download i32 data.
    pub fn to_i32(&self) -> Result<Vec<i32>> {
        self.expect_dtype("to_i32", DType::I32)?;
        Ok(bytemuck::pod_collect_to_vec(&self.read()?))
    }

    /// Download f16 data.
    pub fn to_f16(&self) -> Result<Vec<f16>> {
        self.expect_dtype("to_f16", DType::F16)?;
        let words: Vec<u16> = bytemuck::pod_collect_to_vec(&self.read()?);
        Ok(words[..self.numel()]
            .iter()
            .map(|&b| f16::from_bits(b))
            .collect())
    }

    /// Download the single f32 value of a one-element tensor (a scalar such as a loss); a tensor
    /// of any other size is refused with [`Error::Shape`] naming its shape.
    pub fn item(&self) -> Result<f32> {
        self.expect_dtype("item", DType::F32)?;
        if self.numel() != 1 {
            return Err(Error::shape(
                "item",
                format!(
                    "needs a tensor of exactly one element, got {:?} ({} elements)",
                    self.shape,
                    self.numel()
                ),
            ));
        }
        let v = self.to_f32()?;
        Ok(v[0])
    }
}
