//! Stimulus edges between same-label clips: the default mode never touches a test clip; the
//! paper's mode does; edges join the same neuron of two clips with the same label only.

use crate::common;
use common::*;
use synchgraph::graph::stimulus::{stimulus_edges, StimulusEdges};
use synchgraph::graph::synchrony::{self, Layer, Spike, SynchronyConfig};

fn graph() -> (Vec<u32>, Vec<u32>, Vec<usize>, Vec<bool>) {
    let g = gpu();
    let mut rng = Rng(17);
    let layer = Layer {
        clips: 12,
        neurons: 9,
        audio_neurons: 4,
        duration_ms: 350.0,
    };
    let spikes: Vec<Spike> = (0..300)
        .map(|_| Spike {
            clip: (rng.next_u64() % 12) as u32,
            neuron: (rng.next_u64() % 9) as u32,
            time_ms: rng.uniform(0.0, 350.0),
        })
        .collect();
    let sg = synchrony::build(&g, &spikes, &layer, &SynchronyConfig::default()).unwrap();
    let offsets = sg.clip_offsets.to_u32().unwrap();
    let neuron = sg.node_neuron.to_u32().unwrap();
    let labels: Vec<usize> = (0..12).map(|c| c % 3).collect();
    // Clips 0..8 train, 8..12 test: every label has test clips.
    let train: Vec<bool> = (0..12).map(|c| c < 8).collect();
    (offsets, neuron, labels, train)
}

fn clip_of(offsets: &[u32], node: u32) -> usize {
    offsets.partition_point(|&o| o <= node) - 1
}

#[test]
fn default_mode_gives_no_test_clip_a_stimulus_edge() {
    let (offsets, neuron, labels, train) = graph();
    assert_eq!(StimulusEdges::default(), StimulusEdges::Train);
    let e = stimulus_edges(StimulusEdges::default(), &offsets, &neuron, &labels, &train).unwrap();
    assert!(!e.is_empty(), "training clips should be linked");
    for &(u, v) in &e {
        let (a, b) = (clip_of(&offsets, u), clip_of(&offsets, v));
        assert!(
            train[a] && train[b],
            "edge {u}->{v} touches test clip {a} or {b}"
        );
        assert_ne!(a, b);
        assert_eq!(labels[a], labels[b]);
        assert_eq!(neuron[u as usize], neuron[v as usize]);
    }
    let none = stimulus_edges(StimulusEdges::None, &offsets, &neuron, &labels, &train).unwrap();
    assert!(none.is_empty());
}

#[test]
fn paper_mode_links_test_clips_too() {
    let (offsets, neuron, labels, train) = graph();
    let e = stimulus_edges(StimulusEdges::Paper, &offsets, &neuron, &labels, &train).unwrap();
    assert!(e.iter().any(|&(u, _)| !train[clip_of(&offsets, u)]));
    for &(u, v) in &e {
        assert_eq!(labels[clip_of(&offsets, u)], labels[clip_of(&offsets, v)]);
    }
    assert!("paper".parse::<StimulusEdges>().unwrap() == StimulusEdges::Paper);
    assert!("leaky".parse::<StimulusEdges>().is_err());
}
