//! Batching many small graphs into one block-diagonal sparse matrix.

use super::csr::Csr;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// Several graphs joined into one block-diagonal adjacency.
#[derive(Debug, Clone)]
pub struct GraphBatch {
    /// Block-diagonal adjacency over all nodes of all graphs.
    pub csr: Csr,
    /// Node offsets per graph, U32 [g + 1]: graph i owns nodes `offsets[i]..offsets[i + 1]`.
    pub offsets: Tensor,
    /// Host copy of `offsets`.
    pub offsets_host: Vec<u32>,
}

impl GraphBatch {
    /// Number of graphs.
    pub fn num_graphs(&self) -> usize {
        self.offsets_host.len().saturating_sub(1)
    }

    /// Total number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.csr.n_rows
    }
}

/// Join graphs given as `(node count, local edges)` into one block-diagonal [`Csr`]; edges use
/// node ids local to their graph. `self_loops` and `symmetric` are as in [`Csr::from_edges`].
/// An edge to a node outside its graph is an [`Error::InvalidInput`] naming the graph.
pub fn batch_graphs(
    gpu: &Gpu,
    graphs: &[(usize, &[(u32, u32)])],
    self_loops: bool,
    symmetric: bool,
) -> Result<GraphBatch> {
    let mut offsets_host = Vec::with_capacity(graphs.len() + 1);
    offsets_host.push(0u32);
    let mut edges = Vec::new();
    let mut total: u64 = 0;
    for (g, &(n, local)) in graphs.iter().enumerate() {
        let base = total as u32;
        let end = total
            .checked_add(n as u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{total} + {n} nodes (graph {g}) exceed the u32 range"
                ))
            })?;
        total = u64::from(end);
        for (i, &(s, d)) in local.iter().enumerate() {
            if s as usize >= n || d as usize >= n {
                return Err(Error::InvalidInput(format!(
                    "graph {g}: edge {i} ({s} -> {d}) refers to a node >= its {n} nodes"
                )));
            }
            edges.push((base + s, base + d));
        }
        offsets_host.push(end);
    }
    let csr = Csr::from_edges(gpu, total as usize, &edges, None, self_loops, symmetric)?;
    let offsets = Tensor::from_u32(gpu, &[offsets_host.len()], &offsets_host)?;
    Ok(GraphBatch {
        csr,
        offsets,
        offsets_host,
    })
}
