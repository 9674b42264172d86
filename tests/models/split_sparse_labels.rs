//! The stratified splits group items by the class labels present, so a large label id (a class
//! numbering with gaps, up to `u32::MAX`) splits like the same classes numbered densely. A
//! group per label value up to the largest one was allocated before: a label of `u32::MAX`
//! asked for about 100 GB and aborted the process.

use synchgraph::data::split::{stratified_kfold, train_val_split, validation_split};

#[test]
fn splits_with_a_huge_class_label_equal_those_with_dense_labels() {
    let sparse: Vec<u32> = vec![7, u32::MAX, 7, u32::MAX, 7, u32::MAX, 7, 0, 0, 0];
    let dense: Vec<u32> = vec![1, 2, 1, 2, 1, 2, 1, 0, 0, 0];
    let folds = stratified_kfold(&sparse, 3, 11).unwrap();
    assert_eq!(folds, stratified_kfold(&dense, 3, 11).unwrap());
    let mut seen: Vec<usize> = folds.concat();
    seen.sort_unstable();
    assert_eq!(seen, (0..sparse.len()).collect::<Vec<_>>());
    let idx: Vec<usize> = (0..sparse.len()).collect();
    assert_eq!(
        train_val_split(&idx, &sparse, 0.3, 5).unwrap(),
        train_val_split(&idx, &dense, 0.3, 5).unwrap()
    );
    let wide = |l: &[u32]| l.iter().map(|&v| v as usize).collect::<Vec<_>>();
    assert_eq!(
        validation_split(&idx, &wide(&sparse), 0.3, 5).unwrap(),
        validation_split(&idx, &wide(&dense), 0.3, 5).unwrap()
    );
}
