//! Run outputs shared by every model: classification metrics, atomic safetensors checkpoints,
//! PNG figures (loss curves, confusion matrices, heatmaps, spike rasters), and which build
//! produced them.

pub mod atomic;
pub mod checkpoint;
mod font;
mod header;
pub mod metrics;
pub mod plot;
pub mod provenance;

pub use atomic::{remove_dead_leftovers, write_atomic, write_atomic_with};
pub use checkpoint::{Checkpoint, HostTensor};
pub use metrics::{argmax_rows, mean_std, Confusion};
