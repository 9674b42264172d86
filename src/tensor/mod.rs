//! GPU tensors: a pooled buffer, a row-major shape and an element type. Clones and views share
//! storage; the buffer returns to the pool when the last handle is dropped.

mod dtype;
mod io;

pub use dtype::DType;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::gpu::{Binding, Gpu};

/// Owner of one pooled buffer; gives it back to the pool on drop.
struct Storage {
    gpu: Gpu,
    buffer: Option<wgpu::Buffer>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Some(b) = self.buffer.take() {
            self.gpu.release(b);
        }
    }
}

/// A GPU tensor: contiguous row-major data in a storage buffer.
#[derive(Clone)]
pub struct Tensor {
    storage: Arc<Storage>,
    shape: Vec<usize>,
    /// Byte offset of element 0 inside the buffer (non-zero for row views).
    offset: u64,
    dtype: DType,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({:?}, {})", self.shape, self.dtype.name())
    }
}

/// Number of elements of a shape, or `None` when the product overflows `usize`.
pub fn checked_numel(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// Number of elements of a shape. A product that overflows `usize` saturates at `usize::MAX`
/// (never wraps): no tensor has that many elements, and [`Tensor::empty`] refuses such a shape
/// with [`Error::TooLarge`].
pub fn numel(shape: &[usize]) -> usize {
    checked_numel(shape).unwrap_or(usize::MAX)
}

/// Bytes of a tensor of `shape` and `dtype`, or [`Error::TooLarge`] naming the shape when the
/// element count or the byte count overflows (checked before anything is allocated).
fn checked_bytes(gpu: &Gpu, shape: &[usize], dtype: DType) -> Result<u64> {
    let bytes = checked_numel(shape).and_then(|n| {
        let n = u64::try_from(n).ok()?;
        match dtype {
            DType::F16 => n.div_ceil(2).checked_mul(4),
            _ => n.checked_mul(4),
        }
    });
    bytes.ok_or_else(|| Error::TooLarge {
        what: format!(
            "{}{:?} (its size overflows a 64-bit count)",
            dtype.name(),
            shape
        ),
        bytes: u64::MAX,
        limit: gpu.max_binding_bytes(),
    })
}

impl Tensor {
    /// An uninitialised tensor (contents are whatever the pooled buffer held).
    /// A shape whose size overflows is refused with [`Error::TooLarge`].
    pub fn empty(gpu: &Gpu, shape: &[usize], dtype: DType) -> Result<Tensor> {
        let bytes = checked_bytes(gpu, shape, dtype)?;
        // The label names a new buffer (and a refused size); a pooled buffer needs none.
        let buffer = gpu.alloc_with(bytes, || format!("{}{:?}", dtype.name(), shape))?;
        Ok(Tensor {
            storage: Arc::new(Storage {
                gpu: gpu.clone(),
                buffer: Some(buffer),
            }),
            shape: shape.to_vec(),
            offset: 0,
            dtype,
        })
    }

    /// A tensor of zeros (cleared on the GPU within the current batch).
    pub fn zeros(gpu: &Gpu, shape: &[usize], dtype: DType) -> Result<Tensor> {
        let t = Self::empty(gpu, shape, dtype)?;
        gpu.clear(t.buffer(), 0, t.byte_len().div_ceil(4) * 4)?;
        Ok(t)
    }

    /// The device this tensor lives on.
    pub fn gpu(&self) -> &Gpu {
        &self.storage.gpu
    }

    /// The underlying buffer (shared with views).
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.storage.buffer.as_ref().expect("live tensor buffer")
    }

    /// Byte offset of the first element in [`Tensor::buffer`].
    pub fn byte_offset(&self) -> u64 {
        self.offset
    }

    /// Shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// Number of data bytes.
    pub fn byte_len(&self) -> u64 {
        self.dtype.bytes_for(self.numel())
    }

    /// View as (rows, cols): cols is the last dimension, rows the product of the others.
    /// A 0-d tensor is 1×1, a 1-d tensor of n elements is 1×n.
    pub fn matrix_dims(&self) -> (usize, usize) {
        match self.shape.len() {
            0 => (1, 1),
            _ => {
                let cols = *self.shape.last().unwrap_or(&1);
                (numel(&self.shape[..self.shape.len() - 1]), cols)
            }
        }
    }

    /// Same data, new shape with the same number of elements.
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if numel(shape) != self.numel() {
            return Err(Error::shape(
                "reshape",
                format!("cannot view {:?} as {:?}", self.shape, shape),
            ));
        }
        Ok(Tensor {
            shape: shape.to_vec(),
            ..self.clone()
        })
    }

    /// View of rows `start..end` along the first dimension (contiguous, shares storage).
    pub fn rows(&self, start: usize, end: usize) -> Result<Tensor> {
        let first = *self.shape.first().unwrap_or(&1);
        if start > end || end > first {
            return Err(Error::shape(
                "rows",
                format!("rows {start}..{end} out of 0..{first}"),
            ));
        }
        if self.dtype == DType::F16 {
            return Err(Error::DType {
                op: "rows".into(),
                expected: "a 32-bit dtype".into(),
                got: "f16".into(),
            });
        }
        let row = numel(&self.shape[1.min(self.shape.len())..]);
        let mut shape = self.shape.clone();
        if shape.is_empty() {
            shape.push(1);
        }
        shape[0] = end - start;
        Ok(Tensor {
            offset: self.offset + (start * row) as u64 * 4,
            shape,
            ..self.clone()
        })
    }

    /// Require a dtype, naming the op in the error.
    pub fn expect_dtype(&self, op: &str, dtype: DType) -> Result<()> {
        if self.dtype != dtype {
            return Err(Error::DType {
                op: op.into(),
                expected: dtype.name().into(),
                got: self.dtype.name().into(),
            });
        }
        Ok(())
    }

    /// Bytes one binding of this tensor covers (whole 32-bit words, at least one).
    fn binding_size(&self) -> u64 {
        self.byte_len().div_ceil(4).max(1) * 4
    }

    /// The binding of an empty tensor: one word at offset 0 of its buffer. A kernel reads and
    /// writes none of it, and the view's own offset may be the buffer's end (`rows(n, n)` of a
    /// tensor that fills its buffer), where not even one word can be bound.
    fn empty_binding(&self) -> Binding {
        Binding {
            buffer: self.buffer().clone(),
            offset: 0,
            size: 4,
            _keep_alive: Some(self.storage.clone()),
            device: self.gpu().device_key(),
        }
    }

    /// The device's storage offset alignment in bytes.
    fn storage_alignment(&self) -> u64 {
        u64::from(self.gpu().limits().min_storage_buffer_offset_alignment)
    }

    /// The storage binding of this tensor for a kernel that only READS it. Views whose offset
    /// breaks the device's storage offset alignment are first copied (in the current batch) to a
    /// fresh buffer, which the binding keeps alive until its dispatch is recorded; a kernel's
    /// writes through such a binding would land in the copy, so bindings a kernel writes
    /// (`read_write` in the WGSL) must use [`Tensor::binding_mut`]. An empty tensor binds one
    /// word at offset 0. The binding keeps the tensor's storage alive, so it binds this data even
    /// when the tensor is dropped before the dispatch is recorded.
    pub fn binding(&self) -> Result<Binding> {
        if self.numel() == 0 {
            return Ok(self.empty_binding());
        }
        let size = self.binding_size();
        if self.offset % self.storage_alignment() == 0 {
            return Ok(Binding {
                buffer: self.buffer().clone(),
                offset: self.offset,
                size,
                _keep_alive: Some(self.storage.clone()),
                device: self.gpu().device_key(),
            });
        }
        let copy = self.contiguous_copy()?;
        Ok(Binding {
            buffer: copy.buffer().clone(),
            offset: 0,
            size,
            _keep_alive: Some(Arc::new(copy)),
            device: self.gpu().device_key(),
        })
    }

    /// The storage binding of this tensor for a kernel that WRITES it (`read_write` in the WGSL).
    /// Whole tensors and views whose byte offset meets the device's storage offset alignment bind
    /// directly; a view off that alignment cannot be bound in place, and is refused with
    /// [`Error::Unsupported`] rather than bound through a copy that would silently drop the
    /// kernel's writes. An empty tensor binds one word at offset 0. Like [`Tensor::binding`], the
    /// binding keeps the tensor's storage alive until it is dropped.
    pub fn binding_mut(&self) -> Result<Binding> {
        if self.numel() == 0 {
            return Ok(self.empty_binding());
        }
        let align = self.storage_alignment();
        if self.offset % align != 0 {
            return Err(Error::Unsupported(format!(
                "a kernel cannot write the view {:?} ({}) at byte offset {} of its buffer: this \
                 device binds storage only at multiples of {align} bytes; write into a whole \
                 tensor (or a view at an aligned row) instead",
                self.shape,
                self.dtype.name(),
                self.offset
            )));
        }
        Ok(Binding {
            buffer: self.buffer().clone(),
            offset: self.offset,
            size: self.binding_size(),
            _keep_alive: Some(self.storage.clone()),
            device: self.gpu().device_key(),
        })
    }

    /// A new tensor with its own buffer holding a copy of this one's data.
    pub fn contiguous_copy(&self) -> Result<Tensor> {
        let out = Tensor::empty(self.gpu(), &self.shape, self.dtype)?;
        let bytes = self.byte_len().div_ceil(4) * 4;
        self.gpu()
            .copy(self.buffer(), self.offset, out.buffer(), 0, bytes)?;
        Ok(out)
    }

    /// Check that two tensors have the same shape.
    pub fn expect_same_shape(&self, op: &str, other: &Tensor) -> Result<()> {
        if self.shape != other.shape {
            return Err(Error::shape(
                op,
                format!("shapes {:?} and {:?} differ", self.shape, other.shape),
            ));
        }
        Ok(())
    }
}
