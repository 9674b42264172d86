//! Edge cases of the sparse and synchrony graph builders against plain Rust references:
//! hostile spike lists (unsorted, repeated, simultaneous, bursting, silent clips, pairs exactly
//! one window apart), CSR construction from edge lists with loops, repeats and empty rows, GCN
//! normalisation with isolated nodes, products with no entries and batches with empty graphs.
//! Synchrony graphs are compared by `synchrony.rs`'s reference check (structure exactly,
//! features to 1e-6 relative); CSR structure exactly; products to 1e-5 (a few f32 terms per
//! output).

use std::collections::BTreeSet;

use crate::common;
use common::*;
use synchgraph::graph::stimulus::{stimulus_edges, StimulusEdges};
use synchgraph::graph::synchrony::{Layer, Spike, SynchronyConfig};
use synchgraph::graph::{batch_graphs, spmm, spmm_transpose, Csr};
use synchgraph::Tensor;

#[test]
fn hostile_spike_lists_match_the_reference() {
    let layer = Layer {
        clips: 5,
        neurons: 37,
        audio_neurons: 11,
        duration_ms: 20_000.0,
    };
    let mut spikes = Vec::new();
    // Clip 0 silent. Clip 1: neuron 3 bursts 400 times over 2 s (one per 5 ms), neighbours
    // spike at the same times and exactly one window away, repeated spikes included.
    for k in 0..400 {
        spikes.push(Spike {
            clip: 1,
            neuron: 3,
            time_ms: 5.0 * k as f32,
        });
    }
    for (neuron, t) in [
        (4, 0.0),
        (4, 0.0),
        (5, 2145.0),
        (6, 2146.0),
        (7, 1995.0 + 150.0),
    ] {
        spikes.push(Spike {
            clip: 1,
            neuron,
            time_ms: t,
        });
    }
    // Clip 2 silent. Clip 3: pairs exactly one window apart at large times (exact in f32).
    for (neuron, t) in [(0, 10_000.0), (1, 10_150.0), (2, 10_150.5), (36, 9_850.0)] {
        spikes.push(Spike {
            clip: 3,
            neuron,
            time_ms: t,
        });
    }
    // Clip 4: every neuron at the same instant twice.
    for neuron in 0..37 {
        for _ in 0..2 {
            spikes.push(Spike {
                clip: 4,
                neuron,
                time_ms: 19_999.5,
            });
        }
    }
    // Unsorted input.
    let mut rng = Rng(3);
    for i in (1..spikes.len()).rev() {
        spikes.swap(i, rng.below(i + 1));
    }
    let g = gpu();
    for window_ms in [150.0, 0.0, 5.0, 1_000_000.0] {
        let config = SynchronyConfig {
            window_ms,
            ..Default::default()
        };
        crate::synchrony::check_on(&g, &spikes, &layer, &config);
    }
}

/// Dense reference of `from_edges`: weights summed over repeats, mirrored where the reverse is
/// missing, a loop of 1 where none.
fn dense_from_edges(
    n: usize,
    edges: &[(u32, u32)],
    weights: Option<&[f32]>,
    self_loops: bool,
    symmetric: bool,
) -> Vec<f32> {
    let mut d = vec![0.0f32; n * n];
    let mut given = vec![false; n * n];
    for (i, &(s, t)) in edges.iter().enumerate() {
        let k = s as usize * n + t as usize;
        if weights.is_some() || !given[k] {
            d[k] += weights.map_or(1.0, |w| w[i]);
        }
        given[k] = true;
    }
    if symmetric {
        let base = d.clone();
        for r in 0..n {
            for c in 0..n {
                if r != c && given[r * n + c] && !given[c * n + r] {
                    d[c * n + r] = base[r * n + c];
                }
            }
        }
    }
    if self_loops {
        for r in 0..n {
            let loop_given = given[r * n + r];
            if !loop_given {
                d[r * n + r] = 1.0;
            }
        }
    }
    d
}

#[test]
fn edge_lists_with_loops_repeats_and_empty_rows_match_a_dense_reference() {
    let g = gpu();
    let n = 9;
    // Node 8 isolated, node 7 only a target; loops, repeats and both directions given.
    let edges: Vec<(u32, u32)> = vec![
        (0, 1),
        (0, 1),
        (1, 0),
        (2, 2),
        (2, 2),
        (3, 4),
        (4, 5),
        (5, 4),
        (6, 7),
        (0, 6),
        (3, 3),
    ];
    let weights: Vec<f32> = (0..edges.len()).map(|i| 0.5 + i as f32).collect();
    for w in [None, Some(&weights[..])] {
        for self_loops in [false, true] {
            for symmetric in [false, true] {
                let a = Csr::from_edges(&g, n, &edges, w, self_loops, symmetric).unwrap();
                let want = dense_from_edges(n, &edges, w, self_loops, symmetric);
                assert_eq!(
                    a.host.to_dense(n),
                    want,
                    "weights {} loops {self_loops} symmetric {symmetric}",
                    w.is_some()
                );
                // GCN normalisation with the isolated node: D^-1/2 (A + I) D^-1/2 in f64.
                let mut d: Vec<f64> = want.iter().map(|&v| f64::from(v)).collect();
                for i in 0..n {
                    d[i * n + i] += 1.0;
                }
                let deg: Vec<f64> = (0..n).map(|i| d[i * n..(i + 1) * n].iter().sum()).collect();
                let norm: Vec<f32> = (0..n * n)
                    .map(|k| (d[k] / (deg[k / n].sqrt() * deg[k % n].sqrt())) as f32)
                    .collect();
                let gcn = a.gcn_normalized().unwrap();
                assert_close("gcn", &gcn.host.to_dense(n), &norm, 1e-6, 1e-5);
                assert!(gcn.host.values.iter().all(|v| v.is_finite()));
                // A · X and Aᵀ · X on the GPU.
                let x: Vec<f32> = (0..n * 3).map(|i| (i as f32 * 0.37).sin()).collect();
                let xt = Tensor::from_f32(&g, &[n, 3], &x).unwrap();
                let y = spmm(&gcn, &xt).unwrap().to_f32().unwrap();
                let yt = spmm_transpose(&gcn, &xt).unwrap().to_f32().unwrap();
                let (mut wy, mut wyt) = (vec![0.0f32; n * 3], vec![0.0f32; n * 3]);
                for r in 0..n {
                    for c in 0..n {
                        for f in 0..3 {
                            wy[r * 3 + f] += norm[r * n + c] * x[c * 3 + f];
                            wyt[c * 3 + f] += norm[r * n + c] * x[r * 3 + f];
                        }
                    }
                }
                assert_close("A·X", &y, &wy, 1e-5, 1e-5);
                assert_close("Aᵀ·X", &yt, &wyt, 1e-5, 1e-5);
            }
        }
    }
}

#[test]
fn products_of_matrices_without_entries_are_zero() {
    let g = gpu();
    for (rows, cols) in [(0, 0), (0, 3), (3, 0), (4, 2), (2, 5)] {
        let a = Csr::from_host(
            &g,
            rows,
            cols,
            synchgraph::graph::HostCsr {
                row_ptr: vec![0; rows + 1],
                col_idx: vec![],
                values: vec![],
            },
        )
        .unwrap();
        let x = Tensor::from_f32(&g, &[cols, 2], &vec![1.0; cols * 2]).unwrap();
        assert_eq!(spmm(&a, &x).unwrap().to_f32().unwrap(), vec![0.0; rows * 2]);
        let gx = Tensor::from_f32(&g, &[rows, 2], &vec![1.0; rows * 2]).unwrap();
        assert_eq!(
            spmm_transpose(&a, &gx).unwrap().to_f32().unwrap(),
            vec![0.0; cols * 2]
        );
    }
    let empty = Csr::from_edges(&g, 0, &[], None, true, true).unwrap();
    let norm = empty.gcn_normalized().unwrap();
    assert_eq!((norm.n_rows, norm.nnz()), (0, 0));
}

#[test]
fn batches_with_empty_graphs_between_keep_every_block_in_place() {
    let g = gpu();
    let e1: Vec<(u32, u32)> = vec![(0, 1)];
    let none: Vec<(u32, u32)> = vec![];
    let e3: Vec<(u32, u32)> = vec![(1, 0), (1, 1)];
    let b = batch_graphs(
        &g,
        &[
            (0, &none),
            (2, &e1),
            (0, &none),
            (0, &none),
            (2, &e3),
            (0, &none),
        ],
        true,
        true,
    )
    .unwrap();
    assert_eq!(b.offsets_host, vec![0, 0, 2, 2, 2, 4, 4]);
    assert_eq!(b.num_graphs(), 6);
    assert_eq!(b.num_nodes(), 4);
    #[rustfmt::skip]
    let want = vec![
        1.0, 1.0, 0.0, 0.0,
        1.0, 1.0, 0.0, 0.0,
        0.0, 0.0, 1.0, 1.0,
        0.0, 0.0, 1.0, 1.0,
    ];
    assert_eq!(b.csr.host.to_dense(4), want);
}

/// Clips of one label with silent clips (no nodes) among them: every pair of the label's
/// clips that share a neuron must still be linked, directly or through the ring.
#[test]
fn silent_clips_do_not_cut_the_ring_of_their_label() {
    // Four clips of label 0: clips 1 and 3 silent; clips 0 and 2 both have neuron 5.
    let clip_offsets = [0u32, 1, 1, 2, 2];
    let node_neuron = [5u32, 5];
    let labels = [0usize; 4];
    let train = [true; 4];
    let e = stimulus_edges(
        StimulusEdges::Train,
        &clip_offsets,
        &node_neuron,
        &labels,
        &train,
    )
    .unwrap();
    let set: BTreeSet<(u32, u32)> = e.into_iter().collect();
    assert_eq!(set, BTreeSet::from([(0, 1), (1, 0)]));
}

/// u32::MAX nodes fit the u32 range; their u32::MAX + 1 row offsets do not. The error must name
/// the count the caller gave, not the offset count (which it used to call the rows).
#[test]
fn a_node_count_past_the_offset_range_is_named_as_given() {
    let g = gpu();
    let n = u32::MAX as usize;
    let e = Csr::from_edges(&g, n, &[], None, false, false).unwrap_err();
    assert!(matches!(e, synchgraph::Error::InvalidInput(_)), "{e}");
    assert!(e.to_string().contains(&format!("{n} rows")), "{e}");
    assert!(!e.to_string().contains(&format!("{}", n + 1)), "{e}");
    let host = synchgraph::graph::HostCsr {
        row_ptr: vec![0; 2],
        col_idx: vec![],
        values: vec![],
    };
    let e = Csr::from_host(&g, 1, n, host).unwrap_err();
    assert!(e.to_string().contains(&format!("{n} columns")), "{e}");
    assert!(!e.to_string().contains(&format!("{}", n + 1)), "{e}");
}
