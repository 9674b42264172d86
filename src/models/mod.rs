//! Trainable models built on the autodiff tape.

pub mod gcn;
pub mod lgrin;
pub mod synchgraph;
pub mod synchgraph_features;
pub mod synchgraph_gcn;
mod synchgraph_gcn_config;
mod synchgraph_gcn_graph;

/// The first value of the row-major node features `values` (`width` per node) that is not
/// finite, as (node, feature, value). A model's input check names it: a NaN feature would not
/// show in the loss once a ReLU has turned the rows it reaches into zeros.
pub(crate) fn non_finite_feature(values: &[f32], width: usize) -> Option<(usize, usize, f32)> {
    let k = values.iter().position(|v| !v.is_finite())?;
    let width = width.max(1);
    Some((k / width, k % width, values[k]))
}
