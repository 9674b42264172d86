//! A clip in which no neuron spiked has no nodes: the graph, its stimulus edges and the GCN
//! take it, and its prediction comes from the readout bias alone.
use crate::common;

use common::gpu;
use synchgraph::graph::stimulus::StimulusEdges;
use synchgraph::graph::synchrony::{Layer, Spike};
use synchgraph::models::synchgraph::{build_graph, SpikeRun};
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig};

#[test]
fn a_silent_clip_builds_and_classifies() {
    let gpu = gpu();
    let layer = Layer {
        clips: 6,
        neurons: 4,
        audio_neurons: 2,
        duration_ms: 100.0,
    };
    let mut spikes = Vec::new();
    for clip in [0u32, 1, 3, 4, 5] {
        for neuron in 0..4u32 {
            spikes.push(Spike {
                clip,
                neuron,
                time_ms: (neuron * 10 + clip) as f32,
            });
        }
    }
    let run = SpikeRun {
        spikes,
        layer,
        raises: vec![0; 6],
        per_clip: vec![4, 4, 0, 4, 4, 4],
    };
    let labels = [0usize, 1, 0, 1, 0, 1];
    let is_train = [true, true, true, true, false, false];
    let (g, sizes) =
        build_graph(&gpu, &run, 150.0, StimulusEdges::Train, &labels, &is_train).unwrap();
    assert_eq!(g.clip_offsets, vec![0, 4, 8, 8, 12, 16, 20]);
    assert_eq!(sizes.synchrony_edges, 5 * 12);
    g.check().unwrap();
    let cfg = GcnConfig {
        hidden: 4,
        epochs: 3,
        lr: 0.01,
        dropout: 0.0,
        eval_every: 1,
        ..GcnConfig::default()
    };
    let mut model = Gcn::new(&gpu, &cfg, g.feature_dim, 2).unwrap();
    let y: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
    let fit = model
        .fit(&gpu, &g, &y, &[0, 1, 2, 3], &[4, 5], |_, _| {})
        .unwrap();
    assert_eq!(fit.predictions.len(), 6);
    assert!(fit.losses.iter().all(|l| l.is_finite()), "{:?}", fit.losses);
}
