//! Speaker normalisation of clips without feature columns is an identity, not a panic.

use synchgraph::data::speaker_norm::{standardize_by_speaker, FeatureNorm};
use synchgraph::features::FrameMatrix;

#[test]
fn zero_width_features_are_left_as_they_are() {
    let mut feats = vec![FrameMatrix::zeros(3, 0), FrameMatrix::zeros(2, 0)];
    standardize_by_speaker(&[Some("03"), None], &mut feats).unwrap();
    assert_eq!(feats[0], FrameMatrix::zeros(3, 0));
    FeatureNorm::Speaker
        .apply(&[Some("03"), Some("03")], &mut feats)
        .unwrap();
    assert_eq!(feats[1], FrameMatrix::zeros(2, 0));
}
