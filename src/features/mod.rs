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
pub mod wav;

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
    pub fn zeros(rows: usize, cols: usize) -> Self {
        FrameMatrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
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
