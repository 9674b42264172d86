//! The Synch-Graph GCN keeps the weights chosen on its validation clips, so `fit` refuses a
//! clip in both the training and the validation list (the choice would be made on trained
//! clips) or listed twice in one (it would count twice), as the node and graph GCNs refuse
//! overlapping sets. Exact checks only.
use crate::common;

use common::fixtures::{small_triangle_gcn, triangle_clips};
use common::gpu;
use synchgraph::models::synchgraph_gcn::Gcn;
use synchgraph::Error;

#[test]
fn fit_refuses_a_clip_listed_twice_in_or_across_the_training_and_validation_lists() {
    let (g, labels) = triangle_clips();
    let gpu = gpu();
    let mut model = Gcn::new(&gpu, &small_triangle_gcn(), 5, 2).unwrap();
    let cases: [(Vec<usize>, Vec<usize>, &str); 3] = [
        ((0..12).collect(), vec![11, 12, 13], "clip 11"),
        ((0..12).collect(), vec![12, 13, 13], "clip 13"),
        (vec![0, 1, 1, 2], vec![12], "clip 1"),
    ];
    for (train, val, clip) in cases {
        match model
            .fit(&gpu, &g, &labels, &train, &val, |_, _| {})
            .map(|f| f.best_epoch)
        {
            Err(Error::InvalidInput(m)) => {
                assert!(m.contains(clip) && m.contains("twice"), "{m}")
            }
            other => panic!("{clip} listed twice must be refused: {other:?}"),
        }
    }
    let (train, val): (Vec<usize>, Vec<usize>) = ((0..12).collect(), (12..16).collect());
    model
        .fit(&gpu, &g, &labels, &train, &val, |_, _| {})
        .expect("disjoint lists train");
}
