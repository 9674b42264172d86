//! The Synch-Graph GCN's `fit` refuses a graph whose node features are not as wide as the
//! model's input, naming both widths. It used to fail deep in the forward pass with a matmul
//! shape error that named neither the graph nor the model. Exact checks only.
use crate::common;

use common::fixtures::{small_triangle_gcn, triangle_clips};
use common::gpu;
use synchgraph::models::synchgraph_gcn::Gcn;
use synchgraph::Error;

/// `Gcn::fit` names both widths when the graph's feature width is not the model's.
#[test]
fn fit_refuses_a_graph_of_another_feature_width() {
    let (g, labels) = triangle_clips();
    let gpu = gpu();
    let train: Vec<usize> = (0..12).collect();
    let mut narrow = Gcn::new(&gpu, &small_triangle_gcn(), 3, 2).unwrap();
    match narrow
        .fit(&gpu, &g, &labels, &train, &[12], |_, _| {})
        .map(|f| f.best_epoch)
    {
        Err(Error::InvalidInput(m)) => assert!(
            m.contains("5 features per node") && m.contains("built for 3"),
            "{m}"
        ),
        other => panic!("a graph of 5 features must be refused by a model of 3: {other:?}"),
    }
    // The model of the graph's width trains.
    let mut model = Gcn::new(&gpu, &small_triangle_gcn(), 5, 2).unwrap();
    model
        .fit(&gpu, &g, &labels, &train, &[12], |_, _| {})
        .unwrap();
}
