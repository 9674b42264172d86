//! Trainable models built on the autodiff tape.

pub mod gcn;
pub mod lgrin;
pub mod synchgraph;
pub mod synchgraph_features;
pub mod synchgraph_gcn;
mod synchgraph_gcn_config;
mod synchgraph_gcn_graph;
