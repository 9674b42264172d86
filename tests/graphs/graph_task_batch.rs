//! `GraphTask::batch` on graphs whose feature rows do not match their node counts: two graphs
//! whose errors cancel out in the total must not be joined with their features shifted onto
//! the wrong nodes, and a label past the task's classes is refused too.

use crate::common;

use common::gpu;
use synchgraph::data::tu::TuGraph;
use synchgraph::models::gcn::GraphTask;
use synchgraph::Error;

#[test]
fn a_batch_refuses_features_that_do_not_fit_their_graph() {
    let g = gpu();
    let graph = |num_nodes: usize, values: usize| TuGraph {
        num_nodes,
        edges: vec![],
        features: vec![1.0; values],
        label: 0,
    };
    // 1 node with 3 values and 2 nodes with 3 values: 6 = 3 nodes x 2 features in all, but
    // graph 0's second row would become graph 1's first.
    let task = GraphTask {
        graphs: vec![graph(1, 3), graph(2, 3)],
        features: 2,
        labels: vec![0, 1],
        classes: 2,
    };
    match task.batch(&g, &[0, 1]) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("graph 0"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a batch with misaligned features was accepted"),
    }
}

#[test]
fn a_batch_refuses_a_label_out_of_range_of_the_classes() {
    let g = gpu();
    let graph = TuGraph {
        num_nodes: 1,
        edges: vec![],
        features: vec![1.0],
        label: 0,
    };
    // Label 2 of 2 classes would get no loss term (a silently ignored graph).
    let task = GraphTask {
        graphs: vec![graph.clone(), graph],
        features: 1,
        labels: vec![0, 2],
        classes: 2,
    };
    match task.batch(&g, &[0, 1]) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("label 2"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a batch with a label past the classes was accepted"),
    }
}
