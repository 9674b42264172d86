//! CPU front ends that turn real files (audio, face frames, landmarks, motion capture) into
//! per-frame feature matrices and fixed-size node sets for the graph models.

pub mod bvh;
pub mod fft;
pub mod frames;
pub mod images;
pub mod landmarks;
pub mod lld;
pub mod log_filter;
pub mod mfcc;
pub mod prosody;
pub mod text;
pub mod wav;

pub(crate) use text::{other_separator, text_lines};

use crate::error::{Error, Result};

/// Most graph nodes per clip the feature front ends and models accept: 10 000. The paper uses
/// 90 (video) and 120 (speech, motion capture); L-GrIN holds several `nodes x nodes` adjacency
/// matrices (400 MB each at this cap), so a larger count cannot train anyway.
pub const MAX_NODES: usize = 10_000;

/// Largest matrix [`FrameMatrix::try_zeros`] allocates: 1 GiB of f32 (2^28 values).
pub const MAX_MATRIX_BYTES: usize = 1 << 30;

/// A row-major matrix of per-frame features: `rows` frames by `cols` dims.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameMatrix {
    /// Number of frames.
    pub rows: usize,
    /// Feature dims per frame.
    pub cols: usize,
    /// `rows * cols` values, frame after frame.
    pub data: Vec<f32>,
}

impl FrameMatrix {
    /// A zero matrix of the given shape.
    ///
    /// # Panics
    ///
    /// When `rows * cols` overflows; shapes that come from input files or flags go through
    /// [`FrameMatrix::try_zeros`] instead.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let len = rows
            .checked_mul(cols)
            .unwrap_or_else(|| panic!("FrameMatrix::zeros: {rows} x {cols} overflows usize"));
        FrameMatrix {
            rows,
            cols,
            data: vec![0.0; len],
        }
    }

    /// A zero matrix of the given shape, or an [`Error::InvalidInput`] when `rows * cols`
    /// overflows, the matrix is over [`MAX_MATRIX_BYTES`] or the memory cannot be allocated.
    pub fn try_zeros(rows: usize, cols: usize) -> Result<Self> {
        let too_large = || {
            Error::InvalidInput(format!(
                "a {rows} x {cols} feature matrix is over the {MAX_MATRIX_BYTES}-byte limit of \
                 one matrix; use fewer nodes or narrower features"
            ))
        };
        let len = rows.checked_mul(cols).ok_or_else(too_large)?;
        if len > MAX_MATRIX_BYTES / std::mem::size_of::<f32>() {
            return Err(too_large());
        }
        let mut data = Vec::new();
        data.try_reserve_exact(len).map_err(|_| {
            Error::InvalidInput(format!(
                "could not allocate a {rows} x {cols} feature matrix"
            ))
        })?;
        data.resize(len, 0.0);
        Ok(FrameMatrix { rows, cols, data })
    }

    /// Frame `r` as a slice.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Frame `r` as a mutable slice.
    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Value at (`r`, `c`).
    pub fn get(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.cols + c]
    }
}
