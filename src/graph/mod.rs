//! Graphs on the GPU.

pub mod synchrony;
