//! The autodiff tape and the optimisers: every backward op against f64 finite differences, the
//! parameter store, per-step loss logs and misuse of the tape.
//!
//! One test binary: each file under `tests/autodiff/` is a module of it.

#[path = "../common/mod.rs"]
mod common;

mod adam_zero_eps;
mod coverage;
mod dropout_p;
mod frobenius_range;
mod grad;
mod grad_edges_dense;
mod grad_edges_sparse;
mod grad_kinks;
mod init_overflow;
mod lgrin_ops;
mod loss_dtype;
mod loss_without_params;
mod misuse;
mod odd_shapes;
mod optim;
mod optim_hyper;
mod optim_store;
mod optim_view;
mod other_device;
mod refused_op_state;
mod sparse_dropout_p;
mod sparse_op;
mod step_losses;
mod step_losses_capacity;
mod store_dtype;
mod structure_shape;
