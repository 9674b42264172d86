//! Element types a tensor buffer can hold.

/// Element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DType {
    /// 32-bit float.
    F32,
    /// 32-bit unsigned integer (indices, offsets, counts).
    U32,
    /// 32-bit signed integer.
    I32,
    /// 16-bit float, stored as packed pairs of bit patterns in 32-bit words, so it works on every
    /// adapter; kernels that do arithmetic in f16 need SHADER_F16.
    F16,
}

impl DType {
    /// Bytes needed for `n` elements (f16 pairs are padded to whole 32-bit words).
    pub fn bytes_for(self, n: usize) -> u64 {
        match self {
            DType::F16 => (n as u64).div_ceil(2) * 4,
            _ => n as u64 * 4,
        }
    }

    /// Name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::U32 => "u32",
            DType::I32 => "i32",
            DType::F16 => "f16",
        }
    }
}
