//! Stratified k-fold with classes smaller than k: not refused; each class's count differs by
//! at most one between folds, so a class of one item is in exactly one fold's test part.

use synchgraph::data::split::stratified_kfold;

/// Classes of 1, 3 and 11 items over 5 folds: every item in one fold, fold sizes within one,
/// and per class at most one item more in one fold than in another.
#[test]
fn classes_smaller_than_k_are_spread_one_per_fold() {
    let labels: Vec<u32> = [vec![7u32], vec![2; 3], vec![0; 11]].concat();
    for seed in 0..8 {
        let folds = stratified_kfold(&labels, 5, seed).unwrap();
        let mut all: Vec<usize> = folds.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..labels.len()).collect::<Vec<_>>(), "seed {seed}");
        let sizes: Vec<usize> = folds.iter().map(Vec::len).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        for class in [7, 2, 0] {
            let counts: Vec<usize> = folds
                .iter()
                .map(|f| f.iter().filter(|&&i| labels[i] == class).count())
                .collect();
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 1, "seed {seed} class {class}: {counts:?}");
        }
    }
}
