//! Seeded, stratified splits: k-fold cross-validation folds and train/validation carving.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// SplitMix64: a small deterministic generator for shuffles.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform integer below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Fisher-Yates shuffle in place.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// A seeded permutation of `0..n` (Fisher-Yates driven by a 64-bit LCG, the upper bits of
/// each state). Used where the Synch-Graph and STDP commands order their clips and images.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut s = seed;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        v.swap(i, ((s >> 33) % (i as u64 + 1)) as usize);
    }
    v
}

/// Items of `indices` grouped by class in ascending label order, one group per label present
/// (a large label id costs nothing), each group shuffled with `rng`.
fn by_class(indices: &[usize], labels: &[u32], rng: &mut SplitMix) -> Result<Vec<Vec<usize>>> {
    let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for &i in indices {
        let l = *labels.get(i).ok_or_else(|| {
            Error::InvalidInput(format!("split: index {i} beyond {} labels", labels.len()))
        })?;
        groups.entry(l).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    for g in &mut groups {
        rng.shuffle(g);
    }
    Ok(groups)
}

/// Stratified k-fold: the test indices of each of `k` folds. Each class is shuffled with `seed`
/// and dealt round-robin over the folds (continuing across classes), so fold sizes differ by at
/// most one and every fold keeps the class proportions as closely as whole items allow (a
/// class's count differs by at most one between folds). A class with fewer members than `k` is
/// not refused: it is missing from the test part of some folds, and a class with one member is
/// tested in its fold without a training example of it; callers that need every tested class
/// in training check that.
pub fn stratified_kfold(labels: &[u32], k: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
    if k < 2 || k > labels.len() {
        return Err(Error::InvalidInput(format!(
            "k-fold needs 2 <= k <= {} items, got k = {k}",
            labels.len()
        )));
    }
    let mut rng = SplitMix(seed);
    let all: Vec<usize> = (0..labels.len()).collect();
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for group in by_class(&all, labels, &mut rng)? {
        for i in group {
            folds[next % k].push(i);
            next += 1;
        }
    }
    for f in &mut folds {
        f.sort_unstable();
    }
    Ok(folds)
}

/// [`stratified_kfold`] as `k` (train, test) index pairs over `usize` labels, with the error
/// naming `--folds`. The folds are the same as [`stratified_kfold`]'s for the same seed.
pub fn stratified_folds(
    labels: &[usize],
    k: usize,
    seed: u64,
) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 || k > labels.len() {
        return Err(Error::Config(format!(
            "--folds {k} needs 2 <= k <= number of clips ({})",
            labels.len()
        )));
    }
    let labels32 = labels_u32(labels)?;
    let folds = stratified_kfold(&labels32, k, seed)?;
    Ok(folds
        .into_iter()
        .map(|test| (complement(labels.len(), &test), test))
        .collect())
}

/// Hold out about `fraction` of `idx` (stratified by `labels`, seeded) as a validation part:
/// returns (remaining training indices, validation indices). As in [`train_val_split`], a
/// class never goes wholly to validation (every class keeps at least one item in training);
/// unlike it, a small class may give none, and neither part is required to be non-empty.
/// Errors when `fraction` is not in [0, 1) or an index is beyond `labels`.
pub fn validation_split(
    idx: &[usize],
    labels: &[usize],
    fraction: f32,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(0.0..1.0).contains(&fraction) {
        return Err(Error::InvalidInput(format!(
            "validation fraction {fraction} must be in [0, 1)"
        )));
    }
    let mut rng = SplitMix(seed ^ 0x5eed);
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for members in by_class(idx, &labels_u32(labels)?, &mut rng)? {
        let n_val = ((members.len() as f32 * fraction).round() as usize)
            .min(members.len().saturating_sub(1));
        val.extend_from_slice(&members[..n_val]);
        train.extend_from_slice(&members[n_val..]);
    }
    train.sort_unstable();
    val.sort_unstable();
    Ok((train, val))
}

/// Class labels as `u32`, refusing one that does not fit.
fn labels_u32(labels: &[usize]) -> Result<Vec<u32>> {
    labels
        .iter()
        .map(|&l| {
            u32::try_from(l)
                .map_err(|_| Error::InvalidInput(format!("split: class label {l} is too large")))
        })
        .collect()
}

/// Split `indices` into (train, val) with about `val_fraction` of each class in val (at least
/// one item of a class with two or more when `val_fraction` > 0, and never a class's last
/// training item: a class with one item stays in training). `val_fraction` must be in
/// [0, 1); 0 asks for no validation and gives an empty validation part. Errors when the
/// training part would be empty, or the validation part would be although `val_fraction` > 0.
pub fn train_val_split(
    indices: &[usize],
    labels: &[u32],
    val_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(0.0..1.0).contains(&val_fraction) {
        return Err(Error::InvalidInput(format!(
            "validation fraction {val_fraction} must be in [0, 1)"
        )));
    }
    let mut rng = SplitMix(seed ^ 0x5eed);
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for group in by_class(indices, labels, &mut rng)? {
        let mut nv = (group.len() as f64 * val_fraction).round() as usize;
        if nv == 0 && val_fraction > 0.0 && group.len() >= 2 {
            nv = 1;
        }
        // Every class keeps at least one training item.
        nv = nv.min(group.len().saturating_sub(1));
        val.extend_from_slice(&group[..nv]);
        train.extend_from_slice(&group[nv..]);
    }
    if train.is_empty() || (val.is_empty() && val_fraction > 0.0) {
        return Err(Error::InvalidInput(format!(
            "split of {} items leaves {} for training and {} for validation",
            indices.len(),
            train.len(),
            val.len()
        )));
    }
    train.sort_unstable();
    val.sort_unstable();
    Ok((train, val))
}

/// Every index in `0..n` not in `exclude` (sorted).
pub fn complement(n: usize, exclude: &[usize]) -> Vec<usize> {
    let mut keep = vec![true; n];
    for &i in exclude {
        if i < n {
            keep[i] = false;
        }
    }
    (0..n).filter(|&i| keep[i]).collect()
}

/// The first item (below `n`) that the named `sets` list twice, within one set or across two,
/// with the names of the sets it is in (the earlier first): splits that share an item score a
/// model on what it trained on, and an item listed twice counts twice. `None` when every item
/// is listed once. Items must be below `n` (it panics on one that is not).
pub fn listed_twice<'a, T: Copy + TryInto<usize>>(
    n: usize,
    sets: &[(&'a str, &[T])],
) -> Option<(usize, &'a str, &'a str)> {
    let mut set_of: Vec<Option<&str>> = vec![None; n];
    for &(what, set) in sets {
        for &i in set {
            let i = i.try_into().unwrap_or(usize::MAX);
            if let Some(other) = set_of[i].replace(what) {
                return Some((i, other, what));
            }
        }
    }
    None
}
