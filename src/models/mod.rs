//! Models built on the engine.

pub mod synchgraph;
pub mod synchgraph_features;
pub mod synchgraph_gcn;
