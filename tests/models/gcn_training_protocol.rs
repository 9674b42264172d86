//! How the GCNs train and choose: the node GCN's loss counts only the training nodes (the
//! labels of the others never change the trajectory) and repeats bit for bit for a seed; the
//! graph GCN reports the epoch its selection rule picks from the validation graphs alone and
//! returns that epoch's model.

use crate::common;

use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::data::tu::TuGraph;
use synchgraph::graph::Csr;
use synchgraph::models::gcn::{
    EpochLog, GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, NodeTask, Selection,
};
use synchgraph::Gpu;

/// A ring of 12 nodes with a chord, one-hot features and three classes; nodes 0..4 train,
/// 4..8 validate, 8..12 test.
fn ring(g: &Gpu, labels: Vec<u32>) -> NodeTask {
    let n = 12;
    let mut edges: Vec<(u32, u32)> = (0..n as u32).map(|i| (i, (i + 1) % n as u32)).collect();
    edges.push((0, 6));
    let adj = Csr::from_edges(g, n, &edges, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap();
    NodeTask {
        adj,
        features: Csr::from_edges(g, n, &[], None, true, false).unwrap(),
        labels,
        classes: 3,
        train: (0..4).collect(),
        val: (4..8).collect(),
        test: (8..12).collect(),
    }
}

fn bits(history: &[EpochLog]) -> Vec<(u32, u32)> {
    history
        .iter()
        .map(|h| (h.train_loss.to_bits(), h.val_loss.to_bits()))
        .collect()
}

fn weights(model: &NodeGcn) -> Vec<Vec<u32>> {
    model
        .store
        .ids()
        .map(|id| {
            let v = model.store.value(id).to_f32().unwrap();
            v.iter().map(|x| x.to_bits()).collect()
        })
        .collect()
}

#[test]
fn node_gcn_training_sees_only_the_training_labels_and_repeats_for_a_seed() {
    let g = gpu();
    let config = NodeGcnConfig {
        hidden: 4,
        epochs: 6,
        patience: 0,
        lr: 0.05,
        ..NodeGcnConfig::default()
    };
    let labels: Vec<u32> = (0..12).map(|i| i % 3).collect();
    let run = |labels: Vec<u32>, seed| {
        let task = ring(&g, labels);
        NodeGcn::train(&g, &task, config.clone(), seed, &mut |_| {}).unwrap()
    };
    let (m1, r1) = run(labels.clone(), 4);
    let (m2, r2) = run(labels.clone(), 4);
    assert_eq!(bits(&r1.history), bits(&r2.history), "same seed, same run");
    assert_eq!(weights(&m1), weights(&m2), "same seed, same weights");
    // The validation and test nodes relabelled: the training trajectory must not move.
    let mut other = labels.clone();
    (4..12).for_each(|i| other[i] = (other[i] + 1) % 3);
    let (m3, r3) = run(other, 4);
    let train_bits = |r: &[EpochLog]| r.iter().map(|h| h.train_loss.to_bits()).collect::<Vec<_>>();
    assert_eq!(train_bits(&r1.history), train_bits(&r3.history));
    assert_eq!(
        weights(&m1),
        weights(&m3),
        "non-training labels changed the weights"
    );
    assert_ne!(
        bits(&r1.history),
        bits(&r3.history),
        "the validation loss sees them"
    );
    let (m4, _) = run(labels, 5);
    assert_ne!(weights(&m1), weights(&m4), "another seed, other weights");
}

/// 14 small graphs of 2 to 5 nodes; the class is whether the first feature is positive.
fn graphs() -> GraphTask {
    let graphs: Vec<TuGraph> = (0..14)
        .map(|i| {
            let n = 2 + i % 4;
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            TuGraph {
                num_nodes: n,
                edges: (0..n as u32 - 1).map(|k| (k, k + 1)).collect(),
                features: (0..n)
                    .flat_map(|k| [s * (0.5 + 0.1 * k as f32), 0.3 * (i % 3) as f32])
                    .collect(),
                label: 0,
            }
        })
        .collect();
    GraphTask {
        graphs,
        features: 2,
        labels: (0..14).map(|i| (i % 2) as u32).collect(),
        classes: 2,
    }
}

#[test]
fn graph_gcn_reports_the_validation_choice_and_returns_its_model() {
    let g = gpu();
    let task = graphs();
    let (train, val, test): (Vec<usize>, Vec<usize>, Vec<usize>) =
        ((0..8).collect(), (8..11).collect(), (11..14).collect());
    for selection in [Selection::ValLoss, Selection::ValAccuracy] {
        let config = GraphGcnConfig {
            hidden: 4,
            layers: 2,
            epochs: 6,
            batch_size: 3,
            lr: 0.05,
            dropout: 0.2,
            selection,
            ..GraphGcnConfig::default()
        };
        let (model, run) = GraphGcn::train(
            &g,
            &task,
            &train,
            &val,
            &test,
            config.clone(),
            2,
            0,
            &mut |_| {},
        )
        .unwrap();
        let h = &run.history;
        let mut best = 0;
        for e in 1..h.len() {
            let better = match selection {
                Selection::ValLoss => h[e].val_loss < h[best].val_loss,
                Selection::ValAccuracy => {
                    h[e].val_accuracy > h[best].val_accuracy
                        || (h[e].val_accuracy == h[best].val_accuracy
                            && h[e].val_loss < h[best].val_loss)
                }
            };
            if better {
                best = e;
            }
        }
        assert_eq!(run.best_epoch, best, "{selection:?}: {h:?}");
        assert_eq!(run.test_accuracy, h[best].test_accuracy, "{selection:?}");
        assert_eq!(run.val_accuracy, h[best].val_accuracy, "{selection:?}");
        // The returned model is that epoch's: its validation loss is the recorded one.
        let batch = task.batch(&g, &val).unwrap();
        let mut tape = Tape::new(&g, false, 0);
        let logits = model.forward(&mut tape, &batch).unwrap();
        let labels = synchgraph::Tensor::from_u32(
            &g,
            &[val.len()],
            &val.iter().map(|&i| task.labels[i]).collect::<Vec<_>>(),
        )
        .unwrap();
        let loss = tape
            .softmax_cross_entropy(&logits, &labels, None)
            .unwrap()
            .value()
            .item()
            .unwrap();
        assert_eq!(loss.to_bits(), h[best].val_loss.to_bits(), "{selection:?}");
        // A second run with the seed repeats the first.
        let (_, again) =
            GraphGcn::train(&g, &task, &train, &val, &test, config, 2, 0, &mut |_| {}).unwrap();
        let loss_bits = |r: &[EpochLog]| {
            r.iter()
                .map(|e| (e.train_loss.to_bits(), e.val_loss.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(loss_bits(h), loss_bits(&again.history), "{selection:?}");
    }
}
