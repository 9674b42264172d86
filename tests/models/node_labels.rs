//! Review: `NodeTask::labels` is documented as "anything for nodes outside the three sets"
//! (masked out of every loss and never scored), but `NodeGcn::train` refused a task whose
//! unlabelled node carried a label outside the classes. Only the labels of the train,
//! validation and test nodes must be classes.

use crate::common;

use common::gpu;
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{NodeGcn, NodeGcnConfig, NodeTask};
use synchgraph::Gpu;

/// Six nodes on a path, one-hot features, two classes; node 5 is in no set.
fn path_task(g: &Gpu, labels: Vec<u32>) -> NodeTask {
    let n = 6;
    let edges: Vec<(u32, u32)> = (0..n as u32 - 1).map(|i| (i, i + 1)).collect();
    let adj = Csr::from_edges(g, n, &edges, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap();
    let triples = (0..n as u32).map(|i| (i, i, 1.0)).collect();
    let features = Csr::from_host(g, n, n, HostCsr::from_triples(n, triples)).unwrap();
    NodeTask {
        adj,
        features,
        labels,
        classes: 2,
        train: vec![0, 1],
        val: vec![2, 3],
        test: vec![4],
    }
}

fn config() -> NodeGcnConfig {
    NodeGcnConfig {
        hidden: 4,
        epochs: 3,
        patience: 0,
        ..NodeGcnConfig::default()
    }
}

#[test]
fn a_node_outside_the_sets_may_carry_any_label() {
    let g = gpu();
    let task = path_task(&g, vec![0, 1, 0, 1, 0, u32::MAX]);
    let (_, run) = NodeGcn::train(&g, &task, config(), 0, &mut |_| {})
        .expect("node 5 is in no set: its label is never read");
    assert_eq!(run.epochs_run, 3);
    assert!(run.history.iter().all(|h| h.train_loss.is_finite()));
}

#[test]
fn a_set_node_with_a_label_outside_the_classes_is_refused() {
    let g = gpu();
    for (node, set) in [(1, "train"), (3, "val"), (4, "test")] {
        let mut labels = vec![0, 1, 0, 1, 0, 0];
        labels[node] = 2;
        let task = path_task(&g, labels);
        let err = NodeGcn::train(&g, &task, config(), 0, &mut |_| {})
            .map(|_| ())
            .expect_err("label 2 of two classes");
        let msg = err.to_string();
        assert!(msg.contains("label 2") && msg.contains(set), "{msg}");
    }
}
