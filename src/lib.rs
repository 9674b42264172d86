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
//! - [`graph`]: CSR graphs, SpMM and its transpose, block-diagonal batching and
//!   neural-synchrony graph construction.
//! - [`snn`]: the spiking network: conductance LIF groups, Poisson and spike-list inputs,
//!   synapses with delays, STDP, spike recording, Diehl & Cook unsupervised learning and an f64
//!   reference simulator.
//! - [`features`]: CPU front ends: WAV, MFCC, prosody, LLDs, LoG face frames, landmarks, BVH.
//! - [`data`]: loaders for the graph benchmarks (Planetoid, TU), emotion clip lists (EmoDB,
//!   RAVDESS, folder per class, feature files, exports), the 8×8 digits, seeded splits and
//!   speaker normalisation.
//! - [`models`]: the Kipf GCNs, L-GrIN with its baselines, and the Synch-Graph chain.
//! - [`report`]: metrics, atomic safetensors checkpoints and PNG figures.
//! - [`bench`](mod@bench): the kernel benchmark harness behind `cargo bench` and `synchgraph bench`.
//! - [`error`]: the typed errors every public function returns.
//!
//! ## Example
//!
//! Open the default adapter, multiply two matrices on the GPU and check the product against a
//! plain Rust computation. Kernel calls record dispatches and return at once; reading a result
//! back submits the recorded work and waits for it. The README section "Using synchgraph as a
//! library" also shows training with the autodiff tape and prediction with a saved L-GrIN model.
//!
//! ```
//! use synchgraph::kernels::matmul::matmul;
//! use synchgraph::kernels::softmax::softmax_rows;
//! use synchgraph::{Gpu, Tensor};
//!
//! # fn main() -> synchgraph::Result<()> {
//! let gpu = Gpu::open_default()?;
//! let a = Tensor::from_f32(&gpu, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?;
//! let b = Tensor::from_f32(&gpu, &[3, 1], &[1.0, 0.5, -1.0])?;
//! let c = matmul(&a, &b)?; // [2, 1]
//! assert_eq!(c.shape(), &[2, 1]);
//! let got = c.to_f32()?;
//! for (g, want) in got.iter().zip([1.0 + 1.0 - 3.0, 4.0 + 2.5 - 6.0]) {
//!     assert!((g - want).abs() <= 1e-5, "{g} vs {want}");
//! }
//!
//! // Softmax over each row of A: every row sums to 1.
//! let p = softmax_rows(&a)?.to_f32()?;
//! assert!(p.chunks(3).all(|row| (row.iter().sum::<f32>() - 1.0).abs() <= 1e-5));
//!
//! // A wrong shape is an error naming the operation, not a panic.
//! let err = matmul(&a, &a).unwrap_err();
//! assert!(err.to_string().contains("matmul"), "{err}");
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

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

/// The README's Rust examples, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
