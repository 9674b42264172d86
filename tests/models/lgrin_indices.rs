//! `models::lgrin::train` and `models::lgrin::evaluate` are public library calls that promise a
//! `synchgraph::Result`: a clip index past the features or labels given, or a scored clip whose
//! label is not one of the model's classes, must come back as a named error, not a panic
//! (index out of bounds) inside the call. Exact checks only (no numeric tolerance involved).

use crate::common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::fixtures::{small_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::models::lgrin::{evaluate, train, Lgrin, LgrinConfig};

/// Run `f`, turning a panic into a failure that says which call panicked.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{what} panicked"))
}

fn model() -> Lgrin {
    let cfg = small_lgrin(LgrinConfig::reference(5, 2), 4, 1);
    Lgrin::new(&gpu(), cfg).unwrap()
}

#[test]
fn evaluate_refuses_bad_indices_and_labels_with_an_error() {
    let (feats, labels) = two_class_node_graphs(6, 10, 5);
    let mut m = model();
    // A label that is not one of the model's two classes.
    let mut bad_labels = labels.clone();
    bad_labels[3] = 2;
    let e = no_panic("evaluate with label 2 of 2 classes", || {
        evaluate(&mut m, &feats, &bad_labels, &[1, 3])
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("label 2"), "{e}");
    // A clip index past the features.
    let e = no_panic("evaluate with clip 6 of 6", || {
        evaluate(&mut m, &feats, &labels, &[0, 6])
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("clip 6"), "{e}");
    // A clip index past the labels.
    let e = no_panic("evaluate with 4 labels for 6 clips", || {
        evaluate(&mut m, &feats, &labels[..4], &[5])
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("clip 5"), "{e}");
    // Good input still scores.
    let (pred, ce) = evaluate(&mut m, &feats, &labels, &[0, 1, 2]).unwrap();
    assert_eq!(pred.len(), 3);
    assert!(ce.is_finite());
}

#[test]
fn train_refuses_clip_indices_past_the_data_with_an_error() {
    let (feats, labels) = two_class_node_graphs(6, 10, 5);
    let fit = |m: &mut Lgrin, labels: &[usize], tr: &[usize], val: &[usize]| {
        no_panic("train", || {
            train(m, &feats, labels, tr, val, &mut |_, _| {}, &mut |_| {})
        })
    };
    let mut m = model();
    let e = fit(&mut m, &labels, &[0, 1, 2, 7], &[4])
        .unwrap_err()
        .to_string();
    assert!(e.contains("clip 7"), "training index: {e}");
    let e = fit(&mut m, &labels, &[0, 1, 2, 3], &[9])
        .unwrap_err()
        .to_string();
    assert!(e.contains("clip 9"), "validation index: {e}");
    let e = fit(&mut m, &labels[..3], &[0, 1, 2, 3], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("clip 3"), "index past the labels: {e}");
    // Good input still trains.
    fit(&mut m, &labels, &[0, 1, 2, 3], &[4, 5]).unwrap();
}
