//! Device and scheduler: adapter selection, the kernel registry, compile-once pipeline caches,
//! the buffer pool, the batching dispatcher and the timestamp profiler.

pub mod adapter;
pub mod context;
mod failure;
pub mod grid;
pub mod params;
pub mod pipelines;
pub mod pool;
pub mod profiler;
pub mod registry;

pub use context::{Binding, Gpu, GpuInfo, GpuOptions};
pub use pipelines::Kernel;
pub use profiler::ProfileReport;
pub use registry::Shader;
