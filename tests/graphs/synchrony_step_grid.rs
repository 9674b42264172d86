//! A simulation's spikes lie on a step grid: `models::synchgraph::simulate` writes each time as
//! step x dt rounded to f32. At dt = 0.1 ms f32 cannot hold those times exactly, and two spikes
//! exactly 1,500 steps (150 ms) apart could be more than 150 ms apart once rounded. The window
//! is inclusive, so `build_graph` must still join them, and must not join spikes one step more
//! than a window apart.
use crate::common;

use common::gpu;
use synchgraph::graph::stimulus::StimulusEdges;
use synchgraph::graph::synchrony::{Layer, Spike};
use synchgraph::models::synchgraph::{build_graph, SpikeRun};

/// A spike time as `simulate` writes it.
fn time(step: u32, dt_ms: f64) -> f32 {
    (f64::from(step) * dt_ms) as f32
}

#[test]
fn spikes_one_window_apart_on_a_step_grid_are_joined() {
    let dt = 0.1;
    let window_steps = 1500;
    // Start steps whose rounded times end up apart by more than 150 ms (1062, 1067, ...),
    // and a few whose do not.
    let starts = [1062u32, 1067, 1117, 0, 7, 500];
    let mut spikes = Vec::new();
    for (clip, &a) in starts.iter().enumerate() {
        // Neuron 0 at a, neuron 1 one window later, neuron 2 one window and one step later:
        // 0-1 and 1-2 are joined, 0-2 is not.
        for (neuron, step) in [(0, a), (1, a + window_steps), (2, a + window_steps + 1)] {
            spikes.push(Spike {
                clip: clip as u32,
                neuron,
                time_ms: time(step, dt),
            });
        }
    }
    let clips = starts.len();
    let run = SpikeRun {
        spikes,
        layer: Layer {
            clips,
            neurons: 3,
            audio_neurons: 0,
            duration_ms: 300.0,
        },
        raises: vec![0; clips],
        per_clip: vec![3; clips],
    };
    let labels = vec![0usize; clips];
    let is_train = vec![true; clips];
    let (g, sizes) =
        build_graph(&gpu(), &run, 150.0, StimulusEdges::None, &labels, &is_train).unwrap();
    let mut edges: Vec<(u32, u32)> = g
        .row
        .iter()
        .zip(&g.col)
        .filter(|(r, c)| r != c)
        .map(|(&r, &c)| (r, c))
        .collect();
    edges.sort_unstable();
    let want: Vec<(u32, u32)> = (0..clips as u32)
        .flat_map(|c| {
            let b = 3 * c;
            [(b, b + 1), (b + 1, b), (b + 1, b + 2), (b + 2, b + 1)]
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(edges, want, "synchrony edges (row, col) without self loops");
    assert_eq!(sizes.synchrony_edges, 4 * clips);
}

#[test]
fn the_edge_cap_error_names_the_window_as_given() {
    // 7,100 neurons of one clip spiking together: 7,100 x 7,099 = 50.4M directed edges, over
    // the default cap of 50M. The builder widens the window by the times' rounding; the error
    // still names the 150 ms the caller asked for.
    let neurons = 7_100u32;
    let spikes = (0..neurons)
        .map(|neuron| Spike {
            clip: 0,
            neuron,
            time_ms: 10.0,
        })
        .collect();
    let run = SpikeRun {
        spikes,
        layer: Layer {
            clips: 1,
            neurons: neurons as usize,
            audio_neurons: 0,
            duration_ms: 300.0,
        },
        raises: vec![0],
        per_clip: vec![neurons as usize],
    };
    match build_graph(&gpu(), &run, 150.0, StimulusEdges::None, &[0], &[true]) {
        Err(synchgraph::Error::InvalidInput(m)) => {
            assert!(m.contains("(150 ms)"), "{m}");
        }
        other => panic!("expected the edge cap error, got {:?}", other.map(|g| g.1)),
    }
}
