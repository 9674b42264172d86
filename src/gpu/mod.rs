//! Device and scheduler: adapter selection, the kernel registry, compile-once pipeline caches
//! with explicit layouts, the bind-group cache, the buffer pool, the batching dispatcher and
//! the timestamp profiler.

pub mod adapter;
pub mod bind_cache;
mod buffers;
pub mod context;
mod dispatch;
mod failure;
pub mod grid;
pub mod layouts;
pub mod params;
pub mod pipelines;
pub mod pool;
pub mod profiler;
pub mod registry;
mod stats;
mod transfer;

pub use bind_cache::BindGroupStats;
pub use context::{Binding, Gpu, GpuInfo, GpuOptions};
pub use pipelines::Kernel;
pub use profiler::ProfileReport;
pub use registry::Shader;
