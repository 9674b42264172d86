//! Trainable models built on the autodiff tape.

pub mod gcn;
pub mod lgrin;
