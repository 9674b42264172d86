//! The graph the Synch-Graph GCN reads: every clip's synchrony subgraph batched into one edge
//! list with node features and clip ranges, its checks, and its normalised adjacency.

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::Csr;
use crate::models::non_finite_feature;

/// A graph ready for the GCN: directed edges (self loops and both directions included), node
/// features, and each clip's node range.
#[derive(Debug, Clone)]
pub struct GcnGraph {
    /// Nodes over all clips.
    pub nodes: usize,
    /// Edge destinations (rows).
    pub row: Vec<u32>,
    /// Edge sources (columns).
    pub col: Vec<u32>,
    /// Node features [nodes, feature_dim], row-major.
    pub features: Vec<f32>,
    /// Features per node.
    pub feature_dim: usize,
    /// Node range of each clip [clips + 1].
    pub clip_offsets: Vec<u32>,
}

impl GcnGraph {
    /// Check the form the GCN relies on, naming the first violation: as many sources as
    /// destinations, every node index below `nodes`, exactly one self loop per node, no edge
    /// listed twice, and clip offsets rising from 0 to `nodes`. (The host's first layer counts
    /// the listed edges as they are, while the GPU operator of the later layers merges
    /// duplicates and adds one self loop per node: on such a graph they would differ.) The
    /// features must be `nodes x feature_dim` finite values.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(format!("GCN graph: {m}")));
        if self.features.len() != self.nodes * self.feature_dim {
            return bad(format!(
                "{} feature values for {} nodes of width {}",
                self.features.len(),
                self.nodes,
                self.feature_dim
            ));
        }
        if let Some((node, f, v)) = non_finite_feature(&self.features, self.feature_dim) {
            return bad(format!("feature {f} of node {node} is {v}"));
        }
        if self.row.len() != self.col.len() {
            return bad(format!(
                "{} edge destinations but {} sources",
                self.row.len(),
                self.col.len()
            ));
        }
        let mut loops = vec![0u32; self.nodes];
        let mut seen = std::collections::HashSet::with_capacity(self.row.len());
        for (k, (&r, &c)) in self.row.iter().zip(&self.col).enumerate() {
            if r as usize >= self.nodes || c as usize >= self.nodes {
                return bad(format!(
                    "edge {k} ({r} <- {c}) names a node outside 0..{}",
                    self.nodes
                ));
            }
            if !seen.insert((r, c)) {
                return bad(format!("edge {r} <- {c} is listed twice"));
            }
            if r == c {
                loops[r as usize] += 1;
            }
        }
        if let Some(i) = loops.iter().position(|&l| l != 1) {
            return bad(format!("node {i} has {} self loops, not one", loops[i]));
        }
        let o = &self.clip_offsets;
        if o.first() != Some(&0)
            || o.last().map(|&e| e as usize) != Some(self.nodes)
            || o.windows(2).any(|w| w[0] > w[1])
        {
            return bad(format!(
                "clip offsets must rise from 0 to {} nodes, got {:?}",
                self.nodes,
                &o[..o.len().min(8)]
            ));
        }
        Ok(())
    }

    /// D^-1/2 of A + I (every node has its self loop in the edge list).
    pub fn dinv(&self) -> Vec<f32> {
        let mut deg = vec![0f32; self.nodes];
        for &r in &self.row {
            deg[r as usize] += 1.0;
        }
        deg.iter()
            .map(|&d| if d > 0.0 { d.powf(-0.5) } else { 0.0 })
            .collect()
    }

    /// D^-1/2 (A + I) D^-1/2 applied to the node features, on the host.
    pub fn propagated_features(&self) -> Vec<f32> {
        let dinv = self.dinv();
        let f = self.feature_dim;
        let mut out = vec![0f32; self.features.len()];
        for (&r, &c) in self.row.iter().zip(&self.col) {
            let w = dinv[r as usize] * dinv[c as usize];
            for k in 0..f {
                out[r as usize * f + k] += w * self.features[c as usize * f + k];
            }
        }
        out
    }

    /// D^-1/2 (A + I) D^-1/2 on the GPU, the same operator as [`GcnGraph::propagated_features`]:
    /// the edge list's self loops are left out and `gcn_normalized` adds one per node.
    pub fn normalized_adjacency(&self, gpu: &Gpu) -> Result<Csr> {
        let edges: Vec<(u32, u32)> = self
            .row
            .iter()
            .zip(&self.col)
            .filter(|(r, c)| r != c)
            .map(|(&r, &c)| (r, c))
            .collect();
        Csr::from_edges(gpu, self.nodes, &edges, None, false, false)?.gcn_normalized()
    }
}
