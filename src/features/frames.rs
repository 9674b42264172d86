//! Grouping per-frame features into a fixed number of graph nodes.
//!
//! With `T` frames and `M` nodes: `T > M` splits the frames into `M` contiguous chunks, chunk `i`
//! covering frames `floor(i T / M) .. floor((i + 1) T / M)`, and averages each chunk; `T < M` pads
//! cyclically (node `i` is frame `i mod T`, repeating from the start); `T == M` copies. The mean
//! of finite frames is finite, even where their f32 sum would overflow.

use super::{FrameMatrix, MAX_NODES};
use crate::error::{Error, Result};

/// Nodes per clip for speech and motion capture.
pub const NODES_SPEECH: usize = 120;
/// Nodes per clip for video.
pub const NODES_VIDEO: usize = 90;

/// Group the rows of `m` into `nodes` rows as described in the module docs.
pub fn group_frames(m: &FrameMatrix, nodes: usize) -> Result<FrameMatrix> {
    group_frames_with_angles(m, nodes, &[])
}

/// [`group_frames`] where the columns `c` with `degrees[c]` true are angles in degrees: a chunk
/// of frames is averaged on the circle (atan2 of the mean sine and cosine), so 179 and -179
/// average to 180 rather than 0. A node copied from one frame (`T <= M`) is wrapped the same
/// way, so every angle column lies in [-180, 180] whatever the clip's length (CMU clips carry
/// unwrapped rotations such as 269 or -346). Columns past the end of `degrees` are plain values.
pub fn group_frames_with_angles(
    m: &FrameMatrix,
    nodes: usize,
    degrees: &[bool],
) -> Result<FrameMatrix> {
    if nodes == 0 || nodes > MAX_NODES {
        return Err(Error::InvalidInput(format!(
            "group_frames needs 1 to {MAX_NODES} nodes, got {nodes}"
        )));
    }
    if m.rows == 0 {
        return Err(Error::InvalidInput(
            "group_frames got a clip with no frames".into(),
        ));
    }
    let t = m.rows;
    let angle = |c: usize| degrees.get(c).copied().unwrap_or(false);
    let mut out = FrameMatrix::try_zeros(nodes, m.cols)?;
    for i in 0..nodes {
        let row = out.row_mut(i);
        // The frames of node i: a chunk when there are more frames than nodes, else one frame
        // (cyclic padding), averaged alike so angle columns come out wrapped either way.
        let (lo, hi) = if t > nodes {
            (i * t / nodes, (i + 1) * t / nodes)
        } else {
            (i % t, i % t + 1)
        };
        for k in lo..hi {
            for (o, v) in row.iter_mut().zip(m.row(k)) {
                *o += v;
            }
        }
        let n = (hi - lo) as f32;
        row.iter_mut().for_each(|o| *o /= n);
        // A sum of finite values near f32::MAX can overflow where their mean does not: such a
        // column is averaged again in f64 (every other value keeps its f32 rounding).
        for (c, o) in row.iter_mut().enumerate().filter(|(_, o)| !o.is_finite()) {
            let sum: f64 = (lo..hi).map(|k| f64::from(m.row(k)[c])).sum();
            *o = (sum / f64::from(n)) as f32;
        }
        for (c, o) in row.iter_mut().enumerate().filter(|(c, _)| angle(*c)) {
            let (s, co) = (lo..hi).fold((0.0f64, 0.0f64), |(s, co), k| {
                let r = f64::from(m.row(k)[c]).to_radians();
                (s + r.sin(), co + r.cos())
            });
            *o = s.atan2(co).to_degrees() as f32;
        }
    }
    Ok(out)
}
