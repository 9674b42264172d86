//! The Synch-Graph GCN settings are checked like those of the other GCNs: a negative or
//! non-finite weight decay and a run of zero epochs are refused by name before anything is
//! built. Exact checks only.
use crate::common;

use common::gpu;
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig};
use synchgraph::Error;

#[test]
fn a_negative_or_non_finite_weight_decay_is_refused() {
    for weight_decay in [-1e-4, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let cfg = GcnConfig {
            weight_decay,
            ..GcnConfig::default()
        };
        match cfg.validate() {
            Err(Error::Config(m)) => assert!(m.contains("weight decay"), "{m}"),
            other => panic!("weight decay {weight_decay} must be refused: {other:?}"),
        }
    }
    for weight_decay in [0.0, 5e-4] {
        let cfg = GcnConfig {
            weight_decay,
            ..GcnConfig::default()
        };
        cfg.validate().unwrap();
    }
}

#[test]
fn zero_epochs_are_refused() {
    let cfg = GcnConfig {
        epochs: 0,
        ..GcnConfig::default()
    };
    match cfg.validate() {
        Err(Error::Config(m)) => assert!(m.contains("at least 1 epoch"), "{m}"),
        other => panic!("zero epochs must be refused: {other:?}"),
    }
    let gpu = gpu();
    assert!(matches!(Gcn::new(&gpu, &cfg, 5, 2), Err(Error::Config(_))));
}
