//! # synchgraph
//!
//! A portable GPU compute engine: every numeric kernel is a hand-written WGSL compute shader run
//! through wgpu on Vulkan, Metal, DX12 or a software adapter (lavapipe). On top of the engine sit
//! two emotion-recognition systems: Synch-Graph (spiking networks and neural-synchrony graphs) and
//! L-GrIN (learnable graph inception networks).
//!
//! Modules, in pipeline order:
//! - [`gpu`]: adapter selection, kernel registry, pipeline caches, buffer pool, batching scheduler,
//!   profiler.
//! - [`tensor`]: GPU tensors (upload, download, views).
//! - [`kernels`]: one dispatcher module per WGSL kernel family.
//! - [`error`]: the typed errors every public function returns.
#![warn(missing_docs)]

pub mod error;
pub mod gpu;
pub mod kernels;
pub mod snn;
pub mod tensor;

pub use error::{Error, Result};
pub use gpu::{Gpu, GpuOptions};
pub use tensor::{DType, Tensor};
