//! `Network::check_size` must refuse a batch whose neuron state does not fit one storage
//! binding. The state holds four f32 per neuron (v, ge, gi, theta): 16 bytes, not 4, so a batch
//! between a quarter of the limit and the limit passed the check and failed only later, in
//! `Network::new`, after the host had built the weights and a state vector of up to four times
//! the binding limit.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::network::Network;
use synchgraph::Error;

/// One modality of one input and two excitatory neurons, no delay: the state is the largest
/// per-clip tensor (16 bytes per neuron against 4 for the ring), so it alone sets the limit.
fn tiny() -> Config {
    let mut c = Config::default();
    let n = &mut c.network;
    n.modalities = 1;
    n.inputs_per_modality = 1;
    n.neurons_per_modality = 2;
    n.input_delay_ms = vec![0.0];
    c.validate().unwrap();
    c
}

#[test]
fn check_size_counts_four_state_values_per_neuron() {
    // Exact integer byte counts, no tolerance: the state of `clips` clips is
    // clips x 2 neurons x 4 values x 4 bytes.
    let g = gpu();
    let cfg = tiny();
    let limit = g.max_binding_bytes();
    let state_bytes = |clips: u64| clips * 2 * 4 * 4;
    let fits = limit / state_bytes(1);
    assert!(state_bytes(fits) <= limit && state_bytes(fits + 1) > limit);
    Network::check_size(&g, &cfg, fits as usize).expect("a state of at most the limit fits");
    match Network::check_size(&g, &cfg, fits as usize + 1) {
        Err(Error::TooLarge { what, bytes, .. }) => {
            assert!(what.contains("neuron state"), "{what}");
            assert_eq!(bytes, state_bytes(fits + 1), "bytes of the refused state");
        }
        other => panic!(
            "{} clips need a {}-byte state over the {limit}-byte binding limit: {other:?}",
            fits + 1,
            state_bytes(fits + 1)
        ),
    }
    // A quarter of the way there is still well within the old 4-byte count: that was accepted.
    match Network::check_size(&g, &cfg, 2 * fits as usize) {
        Err(Error::TooLarge { what, .. }) => assert!(what.contains("neuron state"), "{what}"),
        other => panic!("twice the state limit: {other:?}"),
    }
}
