//! The node and graph GCNs refuse a feature value (and the node GCN an adjacency entry) that is
//! not finite, naming where it is, as the Synch-Graph GCN's graph check does. They used to
//! train on a NaN feature: the ReLU after the first layer turned the NaN rows into zeros, so the
//! losses stayed finite and the run reported an accuracy as if the data were sound (a NaN
//! adjacency entry ended in "training diverged", which blamed the training, not the data). Exact
//! checks only.

use crate::common;

use common::gpu;
use synchgraph::data::tu::TuGraph;
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{
    GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, NodeTask, ReadoutLayers,
};
use synchgraph::{Error, Gpu};

/// Eight path nodes with one-hot features of width 2, one of them `bad`; two classes.
fn node_task(g: &Gpu, bad: f32) -> NodeTask {
    let n = 8;
    let edges: Vec<(u32, u32)> = (0..n as u32 - 1).map(|i| (i, i + 1)).collect();
    let adj = Csr::from_edges(g, n, &edges, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap();
    let mut triples: Vec<(u32, u32, f32)> = (0..n as u32).map(|i| (i, i % 2, 1.0)).collect();
    triples[5].2 = bad;
    let features = Csr::from_host(g, n, 2, HostCsr::from_triples(n, triples)).unwrap();
    NodeTask {
        adj,
        features,
        labels: (0..n as u32).map(|i| i % 2).collect(),
        classes: 2,
        train: vec![0, 1, 2, 3],
        val: vec![4, 5],
        test: vec![6, 7],
    }
}

/// Ten paths of three nodes with two features, the second feature of node 1 of graph 4 `bad`.
fn graph_task(bad: f32) -> GraphTask {
    let graphs = (0..10)
        .map(|i| {
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            let mut features: Vec<f32> = (0..3).flat_map(|k| [s, 0.1 * k as f32]).collect();
            if i == 4 {
                features[3] = bad;
            }
            TuGraph {
                num_nodes: 3,
                edges: vec![(0, 1), (1, 2)],
                features,
                label: 0,
            }
        })
        .collect();
    GraphTask {
        graphs,
        features: 2,
        labels: (0..10).map(|i| i % 2).collect(),
        classes: 2,
    }
}

/// `NodeGcn::train` refuses a NaN or infinite feature value and a NaN adjacency entry.
#[test]
fn node_gcn_refuses_a_non_finite_feature_value() {
    let g = gpu();
    let config = NodeGcnConfig {
        epochs: 2,
        ..NodeGcnConfig::default()
    };
    for bad in [f32::NAN, f32::INFINITY] {
        match NodeGcn::train(&g, &node_task(&g, bad), config.clone(), 0, &mut |_| {}) {
            Err(Error::InvalidInput(m)) => {
                assert!(m.contains("node 5") && m.contains(&bad.to_string()), "{m}")
            }
            other => panic!("feature {bad} must be refused: {:?}", other.map(|r| r.1)),
        }
    }
    // An adjacency built by hand with a NaN entry is refused as well.
    let mut task = node_task(&g, 0.5);
    let mut adj = (*task.adj.host).clone();
    adj.values[3] = f32::NAN;
    task.adj = Csr::from_host(&g, 8, 8, adj).unwrap();
    match NodeGcn::train(&g, &task, config.clone(), 0, &mut |_| {}) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("adjacency entry of node"), "{m}"),
        other => panic!(
            "a NaN adjacency entry must be refused: {:?}",
            other.map(|r| r.1)
        ),
    }
    // The same task with finite values trains.
    NodeGcn::train(&g, &node_task(&g, 0.5), config, 0, &mut |_| {}).unwrap();
}

/// `GraphGcn::train` and `GraphTask::batch` refuse a NaN or infinite feature value by graph.
#[test]
fn graph_gcn_refuses_a_non_finite_feature_value() {
    let g = gpu();
    let (train, val, test) = (vec![0, 1, 2, 3, 4, 5], vec![6, 7], vec![8, 9]);
    // Pooling only the last layer hid the NaN behind the ReLU.
    let config = GraphGcnConfig {
        hidden: 4,
        layers: 2,
        epochs: 2,
        readout_layers: ReadoutLayers::Last,
        ..GraphGcnConfig::default()
    };
    for bad in [f32::NAN, f32::NEG_INFINITY] {
        let task = graph_task(bad);
        let run = GraphGcn::train(
            &g,
            &task,
            &train,
            &val,
            &test,
            config.clone(),
            0,
            0,
            &mut |_| {},
        );
        match run.map(|r| r.1.test_accuracy) {
            Err(Error::InvalidInput(m)) => assert!(
                m.contains("graph 4") && m.contains("node 1") && m.contains(&bad.to_string()),
                "{m}"
            ),
            other => panic!("feature {bad} must be refused: {other:?}"),
        }
        match task.batch(&g, &[3, 4]).map(|_| ()) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("graph 4"), "{m}"),
            other => panic!("a batch holding feature {bad} must be refused: {other:?}"),
        }
    }
    let task = graph_task(0.5);
    GraphGcn::train(&g, &task, &train, &val, &test, config, 0, 0, &mut |_| {}).unwrap();
}
