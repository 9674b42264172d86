//! Reverse-mode automatic differentiation on the GPU.
//!
//! A [`Tape`] records every operation of one forward pass as a node holding its output tensor
//! and an [`Op`] naming its inputs. [`Tape::backward`] walks the nodes in reverse creation order
//! and applies each op's backward rule (all rules live in one `match` in `backprop.rs`),
//! accumulating gradients by addition. Trainable tensors live in a [`ParamStore`] that persists
//! across steps together with their gradients; the optimizers in [`optim`] update them in place
//! on the GPU without reading anything back.

mod backprop;
pub mod init;
mod node;
pub mod optim;
mod params;
mod step_losses;
mod tape;
mod tape_lgrin;
mod tape_ops;

pub use params::{ParamId, ParamStore};
pub use step_losses::StepLosses;
pub use tape::{Op, Tape, Var};
pub use tape_lgrin::BatchNormStats;
