//! The first-spike feature is the first spike time divided by the layer's duration, for any
//! duration `validate` accepts: a duration below 1e-6 ms was replaced by 1e-6 on the GPU, so a
//! spike at the very end of a 1e-7 ms clip got 0.1 instead of 1. Durations too small to divide
//! by (subnormal, which a GPU may flush to zero) are refused with a typed error.
//! Features are compared to 1e-6 relative (one f32 division).

use crate::common;

use common::{assert_close, gpu};
use synchgraph::graph::synchrony::{self, Layer, Spike, SynchronyConfig, NODE_FEATURES};
use synchgraph::Error;

#[test]
fn first_spike_feature_divides_by_a_very_short_duration() {
    let gpu = gpu();
    let duration_ms = 1e-7f32;
    let layer = Layer {
        clips: 1,
        neurons: 2,
        audio_neurons: 1,
        duration_ms,
    };
    let spikes = [
        Spike {
            clip: 0,
            neuron: 0,
            time_ms: duration_ms,
        },
        Spike {
            clip: 0,
            neuron: 1,
            time_ms: duration_ms / 2.0,
        },
    ];
    let g = synchrony::build(&gpu, &spikes, &layer, &SynchronyConfig::default()).unwrap();
    let f = g.features.to_f32().unwrap();
    let first: Vec<f32> = (0..g.nodes).map(|i| f[i * NODE_FEATURES + 4]).collect();
    let want = [duration_ms / duration_ms, (duration_ms / 2.0) / duration_ms];
    assert_close("first spike / duration", &first, &want, 0.0, 1e-6);
}

#[test]
fn a_subnormal_duration_is_refused() {
    let layer = Layer {
        clips: 1,
        neurons: 2,
        audio_neurons: 1,
        duration_ms: f32::MIN_POSITIVE / 2.0,
    };
    match synchrony::build(&gpu(), &[], &layer, &SynchronyConfig::default()) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("layer duration"), "{m}"),
        other => panic!("a subnormal duration must be refused: {other:?}"),
    }
}
