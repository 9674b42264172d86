//! The Synch-Graph GCN's `fit` refuses an empty list of training clips. It used to run every
//! epoch on an all-zero loss mask: the masked cross-entropy and its gradient were 0, nothing
//! trained, and `fit` returned training losses of 0 and a "best" epoch as if it had learned.
//! Exact checks only.
use crate::common;

use common::fixtures::{small_triangle_gcn, triangle_clips};
use common::gpu;
use synchgraph::models::synchgraph_gcn::Gcn;
use synchgraph::Error;

#[test]
fn fit_refuses_an_empty_training_list() {
    let (g, labels) = triangle_clips();
    let gpu = gpu();
    let mut model = Gcn::new(&gpu, &small_triangle_gcn(), 5, 2).unwrap();
    let val: Vec<usize> = (12..16).collect();
    match model
        .fit(&gpu, &g, &labels, &[], &val, |_, _| {})
        .map(|f| f.losses)
    {
        Err(Error::InvalidInput(m)) => assert!(m.contains("no training clips"), "{m}"),
        other => panic!("an empty training list must be refused: {other:?}"),
    }
    // With training clips the same model trains: its losses are positive.
    let train: Vec<usize> = (0..12).collect();
    let fit = model
        .fit(&gpu, &g, &labels, &train, &val, |_, _| {})
        .unwrap();
    assert_eq!(fit.losses.len(), 2);
    assert!(fit.losses.iter().all(|&l| l > 0.0), "{:?}", fit.losses);
}
