//! Synchrony-graph construction and the u32 scan against plain Rust references.
//! Graph structure (row pointers, columns, clip offsets, node ids) is compared exactly;
//! node features to 1e-6 relative (one f32 division).

use crate::common;
use common::*;
use synchgraph::graph::synchrony::{self, Layer, Spike, SynchronyConfig, NODE_FEATURES};
use synchgraph::kernels::scan::exclusive_scan;
use synchgraph::{Error, Tensor};

/// Reference: (row_ptr, col_idx, features, clip_offsets, node_neuron) of the compacted graph.
type Graph = (Vec<u32>, Vec<u32>, Vec<f32>, Vec<u32>, Vec<u32>);

/// The window is compared exactly: the builder's allowance for rounded f32 times (a few ulps
/// of the latest time) cannot change a pair of the tests' spike times, which lie on a 0.5 ms
/// or coarser grid that f32 holds exactly.
fn reference(spikes: &[Spike], layer: &Layer, window: f32) -> Graph {
    let n = layer.neurons;
    let all = layer.clips * n;
    let mut adj = vec![std::collections::BTreeSet::new(); all];
    let mut count = vec![0u32; all];
    let mut first = vec![f32::INFINITY; all];
    for a in spikes {
        let ga = a.clip as usize * n + a.neuron as usize;
        count[ga] += 1;
        first[ga] = first[ga].min(a.time_ms);
        for b in spikes {
            if a.clip == b.clip && a.neuron != b.neuron && (a.time_ms - b.time_ms).abs() <= window {
                adj[ga].insert(b.clip as usize * n + b.neuron as usize);
            }
        }
    }
    let mut new_id = vec![u32::MAX; all];
    let mut next = 0u32;
    let mut clip_offsets = vec![0u32];
    for g in 0..all {
        if count[g] > 0 {
            new_id[g] = next;
            next += 1;
        }
        if (g + 1) % n == 0 {
            clip_offsets.push(next);
        }
    }
    let (mut row_ptr, mut cols, mut feats, mut neuron) = (vec![0u32], vec![], vec![], vec![]);
    for g in 0..all {
        if count[g] == 0 {
            continue;
        }
        cols.extend(adj[g].iter().map(|&c| new_id[c]));
        row_ptr.push(cols.len() as u32);
        let k = g % n;
        let audio = k < layer.audio_neurons;
        let position = if audio {
            k as f32 / layer.audio_neurons.max(1) as f32
        } else {
            (k - layer.audio_neurons) as f32 / (n - layer.audio_neurons).max(1) as f32
        };
        feats.extend([
            audio as u8 as f32,
            (!audio) as u8 as f32,
            position,
            count[g] as f32,
            first[g] / layer.duration_ms,
        ]);
        neuron.push(k as u32);
    }
    (row_ptr, cols, feats, clip_offsets, neuron)
}

fn random_spikes(rng: &mut Rng, layer: &Layer, count: usize, dt: f32) -> Vec<Spike> {
    let steps = (layer.duration_ms / dt) as usize;
    (0..count)
        .map(|_| Spike {
            clip: rng.below(layer.clips) as u32,
            neuron: rng.below(layer.neurons) as u32,
            time_ms: rng.below(steps) as f32 * dt,
        })
        .collect()
}

fn check(spikes: &[Spike], layer: &Layer, config: &SynchronyConfig) {
    check_on(&gpu(), spikes, layer, config);
}

#[test]
fn random_clips_match_the_reference() {
    let mut rng = Rng(11);
    for (clips, neurons, audio, spikes) in [
        (1, 1, 1, 3),
        (3, 40, 20, 200),
        (7, 33, 10, 900),
        (2, 300, 150, 2000),
    ] {
        let layer = Layer {
            clips,
            neurons,
            audio_neurons: audio,
            duration_ms: 500.0,
        };
        let s = random_spikes(&mut rng, &layer, spikes, 0.5);
        check(&s, &layer, &SynchronyConfig::default());
        check(
            &s,
            &layer,
            &SynchronyConfig {
                window_ms: 5.0,
                ..Default::default()
            },
        );
    }
}

#[test]
fn window_is_inclusive_and_clips_never_mix() {
    let layer = Layer {
        clips: 2,
        neurons: 4,
        audio_neurons: 2,
        duration_ms: 500.0,
    };
    let spikes = [
        Spike {
            clip: 0,
            neuron: 0,
            time_ms: 0.0,
        },
        Spike {
            clip: 0,
            neuron: 1,
            time_ms: 150.0,
        }, // exactly at the window: joined
        Spike {
            clip: 0,
            neuron: 2,
            time_ms: 300.5,
        }, // 150.5 ms after neuron 1: not joined
        Spike {
            clip: 1,
            neuron: 3,
            time_ms: 0.0,
        }, // same time, other clip: not joined
    ];
    let gpu = gpu();
    let g = synchrony::build(&gpu, &spikes, &layer, &SynchronyConfig::default()).unwrap();
    assert_eq!(g.nodes, 4);
    assert_eq!(g.row_ptr.to_u32().unwrap(), vec![0, 1, 2, 2, 2]);
    assert_eq!(g.col_idx.to_u32().unwrap(), vec![1, 0]);
    assert_eq!(g.clip_offsets.to_u32().unwrap(), vec![0, 3, 4]);
}

#[test]
fn no_spikes_and_all_neurons_spiking() {
    let layer = Layer {
        clips: 3,
        neurons: 50,
        audio_neurons: 25,
        duration_ms: 500.0,
    };
    let gpu = gpu();
    let g = synchrony::build(&gpu, &[], &layer, &SynchronyConfig::default()).unwrap();
    assert_eq!((g.nodes, g.edges), (0, 0));
    assert_eq!(g.clip_offsets.to_u32().unwrap(), vec![0; 4]);
    // Every neuron of clip 1 spikes at once: a complete graph on 50 nodes.
    let all: Vec<Spike> = (0..50)
        .map(|k| Spike {
            clip: 1,
            neuron: k,
            time_ms: 10.0,
        })
        .collect();
    check(&all, &layer, &SynchronyConfig::default());
    let g = synchrony::build(&gpu, &all, &layer, &SynchronyConfig::default()).unwrap();
    assert_eq!(g.edges, 50 * 49);
}

#[test]
fn the_edge_cap_is_a_clear_error() {
    let layer = Layer {
        clips: 1,
        neurons: 20,
        audio_neurons: 10,
        duration_ms: 100.0,
    };
    let all: Vec<Spike> = (0..20)
        .map(|k| Spike {
            clip: 0,
            neuron: k,
            time_ms: 1.0,
        })
        .collect();
    let config = SynchronyConfig {
        window_ms: 150.0,
        max_edges: 100,
    };
    let err = synchrony::build(&gpu(), &all, &layer, &config)
        .unwrap_err()
        .to_string();
    assert!(err.contains("380 edges, over the cap of 100"), "{err}");
}

#[test]
fn bad_spikes_are_rejected() {
    let layer = Layer {
        clips: 1,
        neurons: 4,
        audio_neurons: 2,
        duration_ms: 100.0,
    };
    let gpu = gpu();
    let bad = [
        Spike {
            clip: 0,
            neuron: 4,
            time_ms: 1.0,
        },
        Spike {
            clip: 1,
            neuron: 0,
            time_ms: 1.0,
        },
        Spike {
            clip: 0,
            neuron: 0,
            time_ms: f32::NAN,
        },
    ];
    for s in bad {
        let err = synchrony::build(&gpu, &[s], &layer, &SynchronyConfig::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    let cfg = SynchronyConfig {
        window_ms: -1.0,
        ..Default::default()
    };
    assert!(matches!(
        synchrony::build(&gpu, &[], &layer, &cfg),
        Err(Error::Config(_))
    ));
    // The duration scales first-spike times: 0, negative and non-finite ones are refused.
    for duration_ms in [0.0, -5.0, f32::NAN, f32::INFINITY] {
        let layer = Layer {
            duration_ms,
            ..layer
        };
        let err = synchrony::build(&gpu, &[], &layer, &SynchronyConfig::default()).unwrap_err();
        assert!(err.to_string().contains("layer duration"), "{err}");
    }
}

/// 3,000 random spikes over `clips` clips of `neurons` neurons, plus one clip `burst` in which
/// every neuron fires at once, checked against the reference.
fn check_sparse_with_one_burst(seed: u64, clips: usize, neurons: usize, burst: u32) {
    let mut rng = Rng(seed);
    let layer = Layer {
        clips,
        neurons,
        audio_neurons: neurons / 2,
        duration_ms: 50.0,
    };
    let mut spikes = random_spikes(&mut rng, &layer, 3000, 0.5);
    spikes.extend((0..neurons as u32).map(|k| Spike {
        clip: burst,
        neuron: k,
        time_ms: 3.0,
    }));
    check(&spikes, &layer, &SynchronyConfig::default());
}

#[test]
fn many_clips_fold_the_grid_and_split_the_bitmap_into_chunks() {
    // 262,200 clips x 64 neurons = 16.8M nodes: per-node kernels need more than 65,535
    // workgroups, and the 16.8M x 2-word bitmap (134 MB) exceeds a 128 MiB binding, so it is
    // built in chunks. The burst is in the last clip, which lies in the last chunk.
    check_sparse_with_one_burst(12, 262_200, 64, 262_199);
}

#[test]
fn layers_that_could_pass_2_pow_32_edges_count_them_in_u64() {
    // 1,100 clips x 2,000 neurons could hold 2.2M x 2,000 = 4.4G edges, past what the u32 scan
    // can total, so the edge count is summed on the host in u64. The burst clip alone has about
    // 4M edges. The 554 MB bitmap is built in chunks.
    check_sparse_with_one_burst(14, 1_100, 2_000, 777);
}

#[test]
fn exclusive_scan_matches_reference() {
    let gpu = gpu();
    let mut rng = Rng(13);
    for n in [0usize, 1, 5, 1023, 1024, 1025, 4097, 300_001, 2_100_000] {
        let x: Vec<u32> = (0..n).map(|_| rng.below(7) as u32).collect();
        let t = Tensor::from_u32(&gpu, &[n], &x).unwrap();
        let got = exclusive_scan(&t).unwrap().to_u32().unwrap();
        let mut want = vec![0u32];
        for v in &x {
            want.push(want.last().unwrap() + v);
        }
        assert_eq!(got, want, "scan n={n}");
    }
}

/// Build the synchrony graph on `gpu` and compare every part with the reference.
/// Build the synchrony graph of `spikes` on `gpu` and compare it with [`reference`]: structure
/// exactly, node features to 1e-6 relative.
pub(crate) fn check_on(
    gpu: &synchgraph::Gpu,
    spikes: &[Spike],
    layer: &Layer,
    config: &SynchronyConfig,
) {
    let g = synchrony::build(gpu, spikes, layer, config).unwrap();
    let (row_ptr, cols, feats, offsets, neuron) = reference(spikes, layer, config.window_ms);
    assert_eq!(g.nodes, row_ptr.len() - 1, "node count");
    assert_eq!(g.edges, cols.len(), "edge count");
    assert_eq!(g.row_ptr.to_u32().unwrap(), row_ptr, "row pointers");
    assert_eq!(g.col_idx.to_u32().unwrap(), cols, "columns");
    assert_eq!(g.clip_offsets.to_u32().unwrap(), offsets, "clip offsets");
    assert_eq!(g.node_neuron.to_u32().unwrap(), neuron, "node neurons");
    assert_eq!(g.features.shape(), &[g.nodes, NODE_FEATURES]);
    assert_close("features", &g.features.to_f32().unwrap(), &feats, 0.0, 1e-6);
}

#[test]
fn every_synchrony_kernel_on_a_folded_grid() {
    // The many-clips test above folds only the per-node kernels (with 16.8M nodes; its 3,064
    // spikes and few edges stay 1-D). Here every kernel takes the folded path of `folded_gpu()`
    // (grids fold at 7 workgroups per dimension), with sizes that are not multiples of 256;
    // the same exact comparison as `check` (structure exact, features to 1e-6 relative).
    let gpu = folded_gpu();
    let mut rng = Rng(14);
    // 5 clips x 400 neurons: mark_pairs and spike_stats over 2,100 spikes (9 workgroups, 5 x 2),
    // per-node kernels over 2,000 nodes (8 workgroups, 4 x 2) and renumber_cols over the 7,892
    // edges of this seed (31 workgroups, 7 x 5).
    let wide = Layer {
        clips: 5,
        neurons: 400,
        audio_neurons: 200,
        duration_ms: 500.0,
    };
    // 1,900 clips x 4 neurons: 2,600 spikes (11 workgroups, 6 x 2), clip_offsets over 1,901
    // clips (8 workgroups, 4 x 2).
    let many = Layer {
        clips: 1900,
        neurons: 4,
        audio_neurons: 2,
        duration_ms: 50.0,
    };
    for (layer, count, window_ms) in [(wide, 2100, 2.0), (many, 2600, 150.0)] {
        let spikes = random_spikes(&mut rng, &layer, count, 0.5);
        let config = SynchronyConfig {
            window_ms,
            ..Default::default()
        };
        let edges = reference(&spikes, &layer, window_ms).1.len();
        assert_folded(&gpu, count, 256, 1);
        assert_folded(&gpu, layer.clips * layer.neurons, 256, 0);
        if layer.clips > 1792 {
            assert_folded(&gpu, layer.clips + 1, 256, 0);
        } else {
            assert_folded(&gpu, edges, 256, 0);
        }
        check_on(&gpu, &spikes, &layer, &config);
    }
}
