//! The node and graph GCN trainers refuse a node or graph listed twice, within one set or across
//! the train, validation and test sets (as the Planetoid loader refuses overlapping splits):
//! a test item that was trained on, or a repeated test item, would make the reported accuracy
//! wrong instead of failing.

use crate::common;

use common::gpu;
use synchgraph::data::tu::TuGraph;
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{
    GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, NodeTask,
};
use synchgraph::{Error, Gpu};

/// Six nodes on a path with one-hot features and two classes.
fn path_task(g: &Gpu, train: Vec<usize>, val: Vec<usize>, test: Vec<usize>) -> NodeTask {
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
        labels: vec![0, 1, 0, 1, 0, 1],
        classes: 2,
        train,
        val,
        test,
    }
}

fn node_config() -> NodeGcnConfig {
    NodeGcnConfig {
        hidden: 4,
        epochs: 2,
        patience: 0,
        ..NodeGcnConfig::default()
    }
}

#[test]
fn node_gcn_refuses_a_node_listed_twice() {
    let g = gpu();
    let cases = [
        (vec![0, 1], vec![2, 3], vec![1, 4], "node 1", "train"),
        (vec![0, 1], vec![2, 3], vec![4, 4], "node 4", "test"),
        (vec![0, 1], vec![2, 0], vec![4, 5], "node 0", "val"),
    ];
    for (train, val, test, node, set) in cases {
        let task = path_task(&g, train, val, test);
        let e = NodeGcn::train(&g, &task, node_config(), 0, &mut |_| {})
            .err()
            .expect("a node listed twice must be refused");
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(node) && msg.contains(set), "{msg}");
        assert!(msg.contains("twice") || msg.contains("again"), "{msg}");
    }
    let task = path_task(&g, vec![0, 1], vec![2, 3], vec![4, 5]);
    NodeGcn::train(&g, &task, node_config(), 0, &mut |_| {}).expect("disjoint sets train");
}

fn graph_task() -> GraphTask {
    let graph = |n: usize| TuGraph {
        num_nodes: n,
        edges: (0..n as u32 - 1).map(|i| (i, i + 1)).collect(),
        features: vec![1.0; n],
        label: 0,
    };
    GraphTask {
        graphs: (0..6).map(|i| graph(2 + i % 3)).collect(),
        features: 1,
        labels: vec![0, 1, 0, 1, 0, 1],
        classes: 2,
    }
}

#[test]
fn graph_gcn_refuses_a_graph_listed_twice() {
    let g = gpu();
    let task = graph_task();
    let config = GraphGcnConfig {
        hidden: 4,
        epochs: 2,
        ..GraphGcnConfig::default()
    };
    let cases = [
        (vec![0, 1, 2], vec![3], vec![2, 4], "graph 2", "test"),
        (vec![0, 1, 2], vec![3], vec![4, 4], "graph 4", "test"),
        (vec![0, 1, 2], vec![3, 1], vec![4, 5], "graph 1", "val"),
    ];
    for (train, val, test, graph, set) in cases {
        let e = GraphGcn::train(
            &g,
            &task,
            &train,
            &val,
            &test,
            config.clone(),
            0,
            0,
            &mut |_| {},
        )
        .err()
        .expect("a graph listed twice must be refused");
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(graph) && msg.contains(set), "{msg}");
        assert!(msg.contains("twice") || msg.contains("again"), "{msg}");
    }
    GraphGcn::train(
        &g,
        &task,
        &[0, 1, 2],
        &[3],
        &[4, 5],
        config,
        0,
        0,
        &mut |_| {},
    )
    .expect("disjoint sets train");
}
