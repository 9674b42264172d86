//! Classification metrics: accuracy, confusion matrix, per-class recall, unweighted accuracy,
//! and mean ± standard deviation over runs or folds.

use serde::Serialize;

use crate::error::{Error, Result};

/// A confusion matrix: `counts[truth][predicted]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Number of classes.
    pub classes: usize,
    /// Row = true class, column = predicted class.
    pub counts: Vec<Vec<u64>>,
}

impl Confusion {
    /// Tally predictions against true labels. Every label must be below `classes`.
    pub fn new(classes: usize, predicted: &[u32], truth: &[u32]) -> Result<Confusion> {
        if predicted.len() != truth.len() {
            return Err(Error::shape(
                "confusion",
                format!(
                    "confusion: {} predictions for {} labels",
                    predicted.len(),
                    truth.len()
                ),
            ));
        }
        let mut counts = vec![vec![0u64; classes]; classes];
        for (&p, &t) in predicted.iter().zip(truth) {
            if p as usize >= classes || t as usize >= classes {
                return Err(Error::InvalidInput(format!(
                    "confusion: label {} or prediction {} is not below the class count {classes}",
                    t, p
                )));
            }
            counts[t as usize][p as usize] += 1;
        }
        Ok(Confusion { classes, counts })
    }

    /// Number of samples tallied.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Fraction of samples on the diagonal (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        let hits: u64 = (0..self.classes).map(|c| self.counts[c][c]).sum();
        hits as f64 / total as f64
    }

    /// Recall of each class; `None` for a class with no samples.
    pub fn per_class_recall(&self) -> Vec<Option<f64>> {
        self.counts
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let n: u64 = row.iter().sum();
                (n > 0).then(|| row[c] as f64 / n as f64)
            })
            .collect()
    }

    /// Unweighted accuracy: the mean recall over classes that have samples.
    pub fn unweighted_accuracy(&self) -> f64 {
        let recalls: Vec<f64> = self.per_class_recall().into_iter().flatten().collect();
        if recalls.is_empty() {
            0.0
        } else {
            recalls.iter().sum::<f64>() / recalls.len() as f64
        }
    }

    /// Add another matrix of the same size (pooling folds).
    pub fn merge(&mut self, other: &Confusion) -> Result<()> {
        if other.classes != self.classes {
            return Err(Error::shape(
                "confusion",
                format!(
                    "confusion: cannot merge {} classes into {}",
                    other.classes, self.classes
                ),
            ));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        Ok(())
    }
}

/// Index of the largest value in each row of a row-major `[rows, cols]` matrix (first on ties).
///
/// A row holding a NaN or an infinity has no meaningful class, so it is an error naming the
/// row and `what` produced the values, never a silent class 0. So is a value count that is not
/// a whole number of rows.
pub fn argmax_rows(values: &[f32], cols: usize, what: &str) -> Result<Vec<u32>> {
    if cols == 0 && values.is_empty() {
        return Ok(Vec::new());
    }
    if cols == 0 || values.len() % cols != 0 {
        return Err(Error::shape(
            "argmax_rows",
            format!(
                "{what}: {} values are not whole rows of {cols}",
                values.len()
            ),
        ));
    }
    values
        .chunks(cols)
        .enumerate()
        .map(|(r, row)| {
            if let Some(bad) = row.iter().find(|v| !v.is_finite()) {
                return Err(Error::InvalidInput(format!(
                    "{what}: row {r} holds a non-finite value ({bad}); the model diverged or \
                     its input holds NaN or infinity"
                )));
            }
            let mut best = 0;
            for (i, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = i;
                }
            }
            Ok(best as u32)
        })
        .collect()
}

/// Mean and population standard deviation (ddof = 0, as numpy's `std`); (0, 0) when empty.
/// Equal values give that value and a deviation of exactly 0 (summing three accuracies of 0.1
/// gives 0.30000000000000004, whose mean, 0.10000000000000002, would leave a std of 1.4e-17).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    if values.iter().all(|&v| v == values[0]) {
        return (values[0], 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_recall_and_unweighted_accuracy() {
        let c = Confusion::new(3, &[0, 1, 1, 2, 0], &[0, 1, 0, 2, 0]).unwrap();
        assert_eq!(c.counts, vec![vec![2, 1, 0], vec![0, 1, 0], vec![0, 0, 1]]);
        assert!((c.accuracy() - 0.8).abs() < 1e-12);
        let r = c.per_class_recall();
        assert!((r[0].unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.unweighted_accuracy() - (2.0 / 3.0 + 1.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!(Confusion::new(2, &[2], &[0]).is_err());
        assert!(Confusion::new(2, &[0, 1], &[0]).is_err());
        let empty = Confusion::new(2, &[0], &[0]).unwrap();
        assert_eq!(empty.per_class_recall()[1], None);
    }

    /// Equal values (folds of one accuracy) have exactly that mean and a std of exactly 0.
    #[test]
    fn equal_values_have_no_deviation() {
        assert_eq!(mean_std(&[0.1, 0.1, 0.1]), (0.1, 0.0));
        assert_eq!(mean_std(&[0.7; 10]), (0.7, 0.0));
        assert_eq!(mean_std(&[2.5]), (2.5, 0.0));
    }

    #[test]
    fn mean_std_matches_numpy_population_std() {
        let (m, s) = mean_std(&[1.0, 2.0, 3.0, 4.0]);
        assert!((m - 2.5).abs() < 1e-12);
        assert!((s - 1.118_033_988_749_895).abs() < 1e-12);
        assert_eq!(
            argmax_rows(&[0.1, 0.5, 0.5, 2.0, -1.0, 0.0], 3, "logits").unwrap(),
            vec![1, 0]
        );
        let err = argmax_rows(&[0.1, 0.5, 0.5, 2.0, f32::NAN, 0.0], 3, "logits").unwrap_err();
        assert!(err.to_string().contains("logits: row 1"), "{err}");
        assert!(argmax_rows(&[f32::INFINITY, 0.0], 2, "x").is_err());
        let err = argmax_rows(&[0.0, 1.0, 2.0], 2, "logits").unwrap_err();
        assert!(err.to_string().contains("not whole rows of 2"), "{err}");
    }
}
