//! The device layer and scheduler: adapters, buffers and transfers, tensors, the bind-group cache,
//! profiling and wgpu errors.
//!
//! One test binary: each file under `tests/gpu/` is a module of it.

#[path = "../common/mod.rs"]
mod common;

mod adapter_messages;
mod adapter_names;
mod bind_group_cache;
mod binding_lifetime;
mod buffer_usage;
mod copy_clear_ranges;
mod device_errors;
mod empty_readback;
mod failed_batches_while_an_error_stands;
mod foreign_buffers;
mod identical_adapters;
mod layer_guards;
mod profiler_failed_batch;
mod read_bytes;
mod tensor;
mod tensor_item;
mod upload_overflow;
mod validation_errors;
mod wait_timeout_env;
mod write_bytes;
