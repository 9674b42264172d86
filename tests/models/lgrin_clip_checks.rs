//! `models::lgrin::train`, `evaluate` and `predict_proba` check every clip they are given before
//! any GPU work: a clip of the wrong shape is named by its number (in the data set for `train`
//! and `evaluate`, among those given for `predict_proba`), not by its place inside a minibatch,
//! and a clip with a NaN or infinite feature is refused by name instead of surfacing as a
//! "training diverged" error that points at the learning rate.

use crate::common;

use common::fixtures::{small_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::{evaluate, predict_proba, train, Lgrin, LgrinConfig};

fn model(batch: usize) -> Lgrin {
    Lgrin::new(&gpu(), small_lgrin(LgrinConfig::reference(5, 2), batch, 1)).unwrap()
}

fn fit(
    m: &mut Lgrin,
    feats: &[FrameMatrix],
    labels: &[usize],
    tr: &[usize],
    val: &[usize],
) -> String {
    train(m, feats, labels, tr, val, &mut |_, _| {}, &mut |_| {})
        .unwrap_err()
        .to_string()
}

#[test]
fn a_non_finite_training_feature_names_its_clip() {
    let (mut feats, labels) = two_class_node_graphs(8, 10, 5);
    feats[3].data[7] = f32::NAN;
    let mut m = model(4);
    let before = m.state().unwrap();
    let e = fit(&mut m, &feats, &labels, &[0, 1, 2, 3, 4, 5], &[6, 7]);
    assert!(e.contains("clip 3") && e.contains("not finite"), "{e}");
    assert!(!e.contains("diverged"), "{e}");
    // Refused before any step: the model is as it was.
    assert_eq!(m.state().unwrap(), before);
    // An infinite value in a validation clip too.
    feats[3].data[7] = 0.5;
    feats[6].data[0] = f32::INFINITY;
    let e = fit(&mut m, &feats, &labels, &[0, 1, 2, 3, 4, 5], &[6, 7]);
    assert!(e.contains("clip 6") && e.contains("not finite"), "{e}");
    assert_eq!(m.state().unwrap(), before);
}

#[test]
fn a_wrongly_shaped_clip_is_named_by_its_number() {
    let (mut feats, labels) = two_class_node_graphs(8, 10, 5);
    feats[4] = FrameMatrix::zeros(10, 6);
    // Training: clip 4 is the fifth training clip, the first of its own upload.
    let mut m = model(3);
    let e = fit(&mut m, &feats, &labels, &[0, 1, 2, 3, 4, 5], &[6, 7]);
    assert!(e.contains("clip 4") && e.contains("[10, 6]"), "{e}");
    // Validation: the second clip of the validation part.
    let e = fit(&mut m, &feats, &labels, &[0, 1, 2, 3], &[5, 4]);
    assert!(e.contains("clip 4") && e.contains("[10, 6]"), "{e}");
    // Scoring, in minibatches of 3: the second clip of the second minibatch.
    let e = evaluate(&mut m, &feats, &labels, &[0, 1, 2, 3, 4])
        .unwrap_err()
        .to_string();
    assert!(e.contains("clip 4") && e.contains("[10, 6]"), "{e}");
    // Among clips given: position 4 as well (not 1, its place in the second minibatch).
    let clips: Vec<&FrameMatrix> = feats.iter().collect();
    let e = predict_proba(&mut m, &clips).unwrap_err().to_string();
    assert!(e.contains("clip 4") && e.contains("[10, 6]"), "{e}");
}

#[test]
fn a_non_finite_feature_given_for_prediction_names_its_clip() {
    let (mut feats, _) = two_class_node_graphs(5, 10, 5);
    feats[3].data[12] = f32::NAN;
    let mut m = model(2);
    let clips: Vec<&FrameMatrix> = feats.iter().collect();
    let e = predict_proba(&mut m, &clips).unwrap_err().to_string();
    assert!(e.contains("clip 3") && e.contains("NaN"), "{e}");
}

#[test]
fn labels_of_clips_outside_the_training_and_validation_parts_are_not_checked() {
    // Clip 7 (label 2, not one of the model's two classes) is neither trained on nor used for
    // validation, as `evaluate` ignores the clips it does not score; a used one is refused by
    // its number.
    let (feats, mut labels) = two_class_node_graphs(8, 10, 5);
    labels[7] = 2;
    let mut m = model(4);
    train(
        &mut m,
        &feats,
        &labels,
        &[0, 1, 2, 3, 4],
        &[5, 6],
        &mut |_, _| {},
        &mut |_| {},
    )
    .unwrap();
    let e = fit(&mut m, &feats, &labels, &[0, 1, 2, 3, 7], &[5, 6]);
    assert!(e.contains("clip 7 has label 2"), "{e}");
}
