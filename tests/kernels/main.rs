//! The WGSL kernel families against plain Rust references on random inputs, their coverage table,
//! naga validation of every shader, and the size and NaN edge cases of the dense kernels.
//!
//! One test binary: each file under `tests/kernels/` is a module of it.

#[path = "../common/mod.rs"]
mod common;

mod act_backward_shape;
mod coverage;
mod elementwise;
mod f16_widen;
mod folded_grid;
mod folded_reductions;
mod folded_rows;
mod layout;
mod matmul;
mod matmul_grid;
mod nan_propagation;
mod neighbor_max;
mod normal_angle;
mod numeric_edges;
mod other_device;
mod reduce;
mod reduce_grid;
mod segment;
mod shaders_validate;
mod size_overflow;
mod softmax;
mod tanh_small;
mod uniform_range;
