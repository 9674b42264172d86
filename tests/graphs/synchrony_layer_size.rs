//! A synchrony layer whose clip and neuron counts multiply past what a graph can number is
//! refused with a typed error before anything is allocated, instead of overflowing the product
//! (a panic) or sizing host tables by the clip count first. Exact checks only.
use crate::common;

use common::gpu;
use synchgraph::graph::synchrony::{self, Layer, SynchronyConfig};
use synchgraph::Error;

#[test]
fn a_layer_whose_node_count_overflows_is_refused() {
    let gpu = gpu();
    // The first two overflow the product; the third (2^33 clips of one neuron) used to size a
    // 64 GiB host table of clip offsets before its node count was checked.
    for (clips, neurons) in [
        (usize::MAX / 2 + 1, 2),
        (usize::MAX, usize::MAX),
        (1 << 33, 1),
    ] {
        let layer = Layer {
            clips,
            neurons,
            audio_neurons: 0,
            duration_ms: 100.0,
        };
        match synchrony::build(&gpu, &[], &layer, &SynchronyConfig::default()) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("clips x neurons"), "{m}"),
            other => panic!("{clips} x {neurons} must be refused: {other:?}"),
        }
    }
}

#[test]
fn a_layer_with_more_neuron_slots_than_a_binding_holds_is_refused_before_host_tables() {
    // 2^32 - 1 clips of one neuron: a u32 node count, but 16 GiB of degrees, more than any
    // storage binding. It used to fill a 32 GiB table of per-clip spike offsets on the host
    // first.
    let gpu = gpu();
    let layer = Layer {
        clips: u32::MAX as usize,
        neurons: 1,
        audio_neurons: 0,
        duration_ms: 100.0,
    };
    match synchrony::build(&gpu, &[], &layer, &SynchronyConfig::default()) {
        Err(Error::TooLarge { bytes, limit, .. }) => assert!(bytes > limit, "{bytes} {limit}"),
        other => panic!("a layer over the binding limit must be refused: {other:?}"),
    }
}
