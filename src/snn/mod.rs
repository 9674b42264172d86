//! The spiking network engine of Synch-Graph (Diehl & Cook 2015 dynamics): conductance LIF
//! groups, Poisson / spike-list input encoding, event-driven synapses with delays, STDP, spike
//! recording, the multi-modal network and a plain f64 reference of all of it.

pub mod config;
mod config_checks;
mod config_steps;
pub mod encoding;
pub mod network;
pub mod neurons;
pub mod present;
pub mod record;
pub mod reference;
mod spike_list;
pub mod stdp;
pub mod synapses;
pub mod unsupervised;

pub use config::Config;

use crate::error::{Error, Result};

/// Check that `n` fits the 32-bit indices the kernels use.
pub(crate) fn check_len(op: &str, n: usize) -> Result<u32> {
    u32::try_from(n)
        .map_err(|_| Error::shape(op, format!("{n} elements exceed the 32-bit index range")))
}
