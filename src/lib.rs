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
//! - [`autodiff`]: the reverse-mode tape, parameters, optimizers and initialisers.
//! - [`graph`]: neural-synchrony graph construction.
//! - [`features`]: CPU front ends: WAV, MFCC, prosody, LLDs, LoG face frames, landmarks, BVH.
//! - [`data`]: clip-list loaders for emotional speech and video data sets.
//! - [`report`]: metrics, atomic safetensors checkpoints and PNG figures.
//! - [`bench`]: the kernel benchmark harness behind `cargo bench` and `synchgraph bench`.
//! - [`error`]: the typed errors every public function returns.
#![warn(missing_docs)]

pub mod autodiff;
pub mod bench;
pub mod data;
pub mod error;
pub mod features;
pub mod gpu;
pub mod graph;
pub mod kernels;
pub mod models;
pub mod report;
pub mod snn;
pub mod tensor;

pub use error::{Error, Result};
pub use gpu::{Gpu, GpuOptions};
pub use tensor::{DType, Tensor};
