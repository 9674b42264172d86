//! The graphs a graph-classification GCN learns from, their checks, and their upload as one
//! block-diagonal batch.

use crate::data::tu::TuGraph;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::{batch_graphs, Csr};
use crate::models::non_finite_feature;
use crate::tensor::Tensor;

/// Graphs to classify: node count, local edges and features [n, f] per graph, and labels.
pub struct GraphTask {
    /// Graphs (node count, local edges, row-major features; their `label` is not used).
    pub graphs: Vec<TuGraph>,
    /// Feature width.
    pub features: usize,
    /// Class per graph.
    pub labels: Vec<u32>,
    /// Number of classes.
    pub classes: usize,
}

/// A batch on the GPU: normalised block-diagonal adjacency, features, offsets, labels.
pub struct GraphBatchData {
    pub(super) adj: Csr,
    pub(super) x: Tensor,
    pub(super) offsets: Tensor,
    pub(super) labels: Tensor,
    pub(super) labels_host: Vec<u32>,
}

impl GraphTask {
    /// Upload the graphs `ids` as one block-diagonal batch with Â = D^-1/2 (A + I) D^-1/2.
    /// An empty list, an id without a graph and a label, a graph whose features are not
    /// `num_nodes x features` finite values or whose label is not below `classes` is an
    /// [`Error::InvalidInput`].
    pub fn batch(&self, gpu: &Gpu, ids: &[usize]) -> Result<GraphBatchData> {
        if ids.is_empty() {
            return Err(Error::InvalidInput("empty batch of graphs".into()));
        }
        let known = self.graphs.len().min(self.labels.len());
        if let Some(&i) = ids.iter().find(|&&i| i >= known) {
            return Err(Error::InvalidInput(format!(
                "batch names graph {i}, the task has {} graphs and {} labels",
                self.graphs.len(),
                self.labels.len()
            )));
        }
        // Checked per graph: errors that cancel out in the total would shift rows between graphs.
        ids.iter().try_for_each(|&i| self.check_features(i))?;
        // A label past the classes would get no loss term: the graph would be silently ignored.
        if let Some(&i) = ids
            .iter()
            .find(|&&i| self.labels[i] as usize >= self.classes)
        {
            return Err(Error::InvalidInput(format!(
                "graph {i}: label {} out of range for {} classes",
                self.labels[i], self.classes
            )));
        }
        let parts: Vec<(usize, &[(u32, u32)])> = ids
            .iter()
            .map(|&i| (self.graphs[i].num_nodes, self.graphs[i].edges.as_slice()))
            .collect();
        let b = batch_graphs(gpu, &parts, false, true)?;
        let mut x = Vec::with_capacity(b.num_nodes() * self.features);
        for &i in ids {
            x.extend_from_slice(&self.graphs[i].features);
        }
        let labels_host: Vec<u32> = ids.iter().map(|&i| self.labels[i]).collect();
        Ok(GraphBatchData {
            adj: b.csr.gcn_normalized()?,
            x: Tensor::from_f32(gpu, &[b.num_nodes(), self.features], &x)?,
            offsets: b.offsets,
            labels: Tensor::from_u32(gpu, &[ids.len()], &labels_host)?,
            labels_host,
        })
    }

    /// [`Error::InvalidInput`] unless there is one label per graph, every label is below
    /// `classes` and every graph holds its feature values, all finite.
    pub(super) fn validate(&self) -> Result<()> {
        if self.graphs.len() != self.labels.len() {
            return Err(Error::InvalidInput(format!(
                "{} graphs but {} labels",
                self.graphs.len(),
                self.labels.len()
            )));
        }
        if let Some(&l) = self.labels.iter().find(|&&l| l as usize >= self.classes) {
            return Err(Error::InvalidInput(format!(
                "graph label {l} out of range for {} classes",
                self.classes
            )));
        }
        (0..self.graphs.len()).try_for_each(|i| self.check_features(i))
    }

    /// [`Error::InvalidInput`] unless graph `i` holds `num_nodes x features` feature values,
    /// every one finite (the ReLU after the first layer would turn a NaN row into zeros, and
    /// training would go on with finite losses as if the data were sound).
    fn check_features(&self, i: usize) -> Result<()> {
        let g = &self.graphs[i];
        if g.features.len() != g.num_nodes.saturating_mul(self.features) {
            return Err(Error::InvalidInput(format!(
                "graph {i}: {} feature values for {} nodes x {} features",
                g.features.len(),
                g.num_nodes,
                self.features
            )));
        }
        if let Some((node, f, v)) = non_finite_feature(&g.features, self.features) {
            return Err(Error::InvalidInput(format!(
                "graph {i}: feature {f} of node {node} is {v}, not a finite number"
            )));
        }
        Ok(())
    }
}
