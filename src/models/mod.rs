//! Trainable models built on the autodiff tape.

pub mod lgrin;
