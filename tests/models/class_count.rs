//! Review: class counts and ids handed to the GCN models must agree with the model and the data.
//! The Synch-Graph GCN's `fit` used to take the class count again, and one that differed from
//! the model's output width read the logits in rows of the wrong width; it now uses the model's
//! own count. A label outside the classes was silently left out of the loss. `GraphTask::batch` (public)
//! panicked on a graph id outside the task.

use crate::common;

use common::fixtures::{small_triangle_gcn, triangle_clips};
use common::gpu;
use synchgraph::data::tu::TuGraph;
use synchgraph::models::gcn::GraphTask;
use synchgraph::models::synchgraph_gcn::Gcn;

#[test]
fn synchgraph_fit_refuses_a_label_outside_the_classes() {
    let (g, mut labels) = triangle_clips();
    labels[0] = 2; // a training clip's label, with two classes
    let gpu = gpu();
    let mut model = Gcn::new(&gpu, &small_triangle_gcn(), 5, 2).unwrap();
    let train: Vec<usize> = (0..12).collect();
    let val: Vec<usize> = (12..16).collect();
    let err = model
        .fit(&gpu, &g, &labels, &train, &val, |_, _| {})
        .map(|f| f.losses)
        .expect_err("label 2 of two classes must be refused, not dropped from the loss");
    assert!(err.to_string().contains("label 2"), "{err}");
}

#[test]
fn graph_task_batch_refuses_an_unknown_graph_id() {
    let gpu = gpu();
    let task = GraphTask {
        graphs: vec![TuGraph {
            num_nodes: 2,
            edges: vec![(0, 1), (1, 0)],
            features: vec![1.0, 1.0],
            label: 0,
        }],
        features: 1,
        labels: vec![0],
        classes: 2,
    };
    assert!(task.batch(&gpu, &[0]).is_ok());
    let err = task
        .batch(&gpu, &[0, 1])
        .map(|_| ())
        .expect_err("graph 1 of a one-graph task must be an error, not a panic");
    assert!(err.to_string().contains("graph 1"), "{err}");
}

#[test]
fn intensity_scaling_refuses_a_fitting_row_past_the_rows() {
    use synchgraph::models::synchgraph_features::scale_to_intensity;
    let mut rows = vec![vec![0.0, 1.0], vec![2.0, 3.0]];
    let err = scale_to_intensity(&mut rows, &[0, 2])
        .unwrap_err()
        .to_string();
    assert!(err.contains("fitting row 2 is past the 2 rows"), "{err}");
    // The rows are left as they were.
    assert_eq!(rows, vec![vec![0.0, 1.0], vec![2.0, 3.0]]);
    scale_to_intensity(&mut rows, &[0, 1]).unwrap();
    assert_eq!(rows, vec![vec![0.0, 0.0], vec![255.0, 255.0]]);
}
