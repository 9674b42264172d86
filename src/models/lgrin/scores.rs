//! Reading class scores: predicted classes and mean cross-entropy of scored clips, the argmax
//! of one row, and the probability column of `synchgraph predict`.

use super::checks::check_finite;
use crate::error::Result;

/// Predicted classes of clips `idx` from their probabilities and their mean cross-entropy
/// `-log softmax(logits)[label]` from their logits (in f64, so a label probability that
/// underflows f32 still gives its loss), both `[idx.len(), classes]`, row-major.
pub(super) fn score(
    probs: &[f32],
    logits: &[f32],
    classes: usize,
    labels: &[usize],
    idx: &[usize],
) -> Result<(Vec<usize>, f32)> {
    check_finite(probs, classes, &|row| {
        format!(
            "clip {} of the data set (scored for validation or test)",
            idx[row]
        )
    })?;
    let mut ce = 0.0f64;
    for (z, &i) in logits.chunks(classes).zip(idx) {
        let top = z
            .iter()
            .map(|&v| f64::from(v))
            .fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = z.iter().map(|&v| (f64::from(v) - top).exp()).sum();
        ce += top + sum.ln() - f64::from(z[labels[i]]);
    }
    let pred = probs.chunks(classes).map(argmax).collect();
    Ok((pred, (ce / idx.len().max(1) as f64) as f32))
}

/// Index of the largest value (the first on ties).
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Class probabilities as `class=p` pairs with four decimals, separated by spaces (the last
/// column of `synchgraph predict`).
pub fn probability_line(classes: &[String], probs: &[f32]) -> String {
    let pairs: Vec<String> = classes
        .iter()
        .zip(probs)
        .map(|(c, v)| format!("{c}={v:.4}"))
        .collect();
    pairs.join(" ")
}
