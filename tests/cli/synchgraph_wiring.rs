//! How `train synchgraph` wires its spiking network: with both modalities the audio input
//! arrives 5 ms (10 steps of 0.5 ms) after the visual input and the audio neurons come first in
//! the graph; every input of a modality reaches at least one excitatory neuron.

use crate::common;
use common::gpu;
use synchgraph::models::synchgraph::{simulate, snn_config, Modality, NEURONS};
use synchgraph::models::synchgraph_features::INPUTS;
use synchgraph::snn::network::Weights;
use synchgraph::snn::unsupervised::Learned;

#[test]
fn audio_spikes_repeat_the_visual_ones_five_ms_later() {
    // Both modalities get the same weights, thresholds and saturating input (255 x 8 Hz fires
    // every 0.5 ms step), no cross-modal links: the two groups run the same dynamics, the
    // audio one shifted by its input delay. Graph neurons 0..20 are audio, 20..40 visual.
    let mut cfg = snn_config(Modality::Both, INPUTS, 0.0, 5);
    cfg.sim.sample_ms = 60.0;
    assert_eq!(cfg.network.input_delay_ms, [0.0, 5.0]);
    let n_e = 2 * NEURONS;
    let mut w_in = Weights::build(&cfg).w_in;
    for i in 0..INPUTS {
        for j in 0..NEURONS {
            w_in[(INPUTS + i) * n_e + NEURONS + j] = w_in[i * n_e + j];
        }
    }
    let learned = Learned {
        w_in,
        theta: vec![20.0; n_e],
        train_spikes: 0,
        raises: 0,
    };
    let samples = vec![vec![255.0f32; 2 * INPUTS]];
    let run = simulate(&gpu(), &cfg, Modality::Both, &samples, 1, Some(&learned)).unwrap();
    assert_eq!(run.layer.audio_neurons, NEURONS);
    let key = |n: u32, t: f32| (n, (t * 2.0).round() as i64);
    let mut audio: Vec<(u32, i64)> = Vec::new();
    let mut visual_shifted: Vec<(u32, i64)> = Vec::new();
    for s in &run.spikes {
        if (s.neuron as usize) < NEURONS {
            audio.push(key(s.neuron, s.time_ms));
        } else if s.time_ms + 5.0 < 60.0 {
            visual_shifted.push(key(s.neuron - NEURONS as u32, s.time_ms + 5.0));
        }
    }
    audio.sort_unstable();
    visual_shifted.sort_unstable();
    assert!(!audio.is_empty(), "the audio group never fired");
    assert_eq!(audio, visual_shifted);
}

#[test]
fn every_input_reaches_an_excitatory_neuron() {
    // The locally-connected windows must together cover a modality's inputs, whatever their
    // number: an input outside every window is silently dropped.
    for inputs in [20, 26, 40, 63, 64, 65, 100, 784] {
        let cfg = snn_config(Modality::Audio, inputs, 0.0, 0);
        cfg.validate().unwrap();
        let n_e = cfg.network.neurons_per_modality;
        let mask = Weights::build(&cfg).mask_in;
        let unseen: Vec<usize> = (0..inputs)
            .filter(|&i| mask[i * n_e..(i + 1) * n_e].iter().all(|&m| m == 0.0))
            .collect();
        assert!(
            unseen.is_empty(),
            "{inputs} inputs (window {}, stride {}): inputs {:?}.. reach no neuron",
            cfg.network.window,
            cfg.network.stride,
            &unseen[..unseen.len().min(4)]
        );
    }
    // The chain's own size keeps Synch-Graph's windows of 26 inputs shifted by 2.
    let c = snn_config(Modality::Both, INPUTS, 1.0, 0);
    assert_eq!((c.network.window, c.network.stride), (26, 2));
}
