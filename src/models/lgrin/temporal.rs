//! The fixed temporal graphs of M clip nodes (chain adjacency, max-pool neighbours, the GCN
//! baseline's normalised graph) and the node-major packing of clips into one input batch.

use crate::error::{Error, Result};
use crate::features::FrameMatrix;

/// Binary temporal adjacency of `m` nodes: i ~ j when |i - j| <= 1 (self loops included).
pub fn temporal_adjacency(m: usize) -> Vec<f32> {
    band(m, |d| d <= 1)
}

/// The temporal max-pool's neighbours of `m` nodes: i ~ j when |i - j| = 1. As in the reference
/// code's frame chain, a node is not its own neighbour, so the first and last nodes pool one
/// value each.
pub fn temporal_neighbours(m: usize) -> Vec<f32> {
    band(m, |d| d == 1)
}

/// The `m` x `m` 0/1 matrix with a one where `keep(|i - j|)`.
fn band(m: usize, keep: impl Fn(usize) -> bool) -> Vec<f32> {
    (0..m * m)
        .map(|k| f32::from(u8::from(keep((k / m).abs_diff(k % m)))))
        .collect()
}

/// D^-1/2 T D^-1/2 of the temporal adjacency T (the GCN baseline's graph).
pub fn normalised_temporal(m: usize) -> Vec<f32> {
    let t = temporal_adjacency(m);
    let deg: Vec<f32> = (0..m).map(|i| t[i * m..(i + 1) * m].iter().sum()).collect();
    (0..m * m)
        .map(|k| t[k] / (deg[k / m] * deg[k % m]).sqrt())
        .collect()
}

/// Node-major batch [m · b, f] of clips given as [m, f] matrices.
pub fn node_major(clips: &[&FrameMatrix], m: usize, f: usize) -> Result<Vec<f32>> {
    let b = clips.len();
    let mut out = vec![0.0; m * b * f];
    for (g, c) in clips.iter().enumerate() {
        if c.rows != m || c.cols != f {
            return Err(Error::shape(
                "node_major",
                format!(
                    "clip {g} is [{}, {}], the model needs [{m}, {f}]",
                    c.rows, c.cols
                ),
            ));
        }
        for node in 0..m {
            let dst = (node * b + g) * f;
            out[dst..dst + f].copy_from_slice(c.row(node));
        }
    }
    Ok(out)
}
