//! Speaker normalisation of node features: every feature is standardised to zero mean and unit
//! variance over all nodes of all clips of one speaker, which removes much of the voice (pitch
//! range, loudness, timbre) that a speaker-independent test never saw in training. Clips whose
//! speaker is unknown form one group together.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::features::FrameMatrix;

/// Added to each standard deviation so a feature that is constant for a speaker maps to 0.
pub const STD_EPSILON: f64 = 1e-5;

/// How node features are normalised before they reach a model; stored with the model so
/// evaluation and prediction repeat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureNorm {
    /// Features as extracted.
    #[default]
    None,
    /// Standardised per speaker ([`standardize_by_speaker`]).
    Speaker,
}

impl FeatureNorm {
    /// Parse `none` or `speaker`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(FeatureNorm::None),
            "speaker" => Ok(FeatureNorm::Speaker),
            _ => Err(Error::Config(format!(
                "unknown feature normalisation '{s}' (expected none or speaker)"
            ))),
        }
    }

    /// The name `parse` reads: `none` or `speaker`.
    pub fn name(self) -> &'static str {
        match self {
            FeatureNorm::None => "none",
            FeatureNorm::Speaker => "speaker",
        }
    }

    /// Apply the normalisation to the node features of clips spoken by `speakers` (one entry
    /// per clip, `None` where unknown).
    pub fn apply(self, speakers: &[Option<&str>], feats: &mut [FrameMatrix]) -> Result<()> {
        match self {
            FeatureNorm::None => Ok(()),
            FeatureNorm::Speaker => standardize_by_speaker(speakers, feats),
        }
    }
}

/// Standardise each feature of `feats` per speaker group: x' = (x − mean) / (std + 1e-5) with
/// the mean and population standard deviation over every node of every clip of that speaker
/// (accumulated in f64). `speakers[i]` names clip i's speaker; clips with `None` form one group.
/// Errors when the counts differ, the clips have different widths, or a value is not finite.
pub fn standardize_by_speaker(speakers: &[Option<&str>], feats: &mut [FrameMatrix]) -> Result<()> {
    if speakers.len() != feats.len() {
        return Err(Error::Config(format!(
            "speaker normalisation got {} speakers for {} clips",
            speakers.len(),
            feats.len()
        )));
    }
    let Some(dims) = feats.first().map(|m| m.cols) else {
        return Ok(());
    };
    if let Some((i, m)) = feats.iter().enumerate().find(|(_, m)| m.cols != dims) {
        return Err(Error::Config(format!(
            "speaker normalisation: clip {i} has {} features per node, clip 0 has {dims}",
            m.cols
        )));
    }
    // Clips without feature columns have nothing to standardise.
    if dims == 0 {
        return Ok(());
    }
    if let Some(i) = feats
        .iter()
        .position(|m| m.data.iter().any(|v| !v.is_finite()))
    {
        return Err(Error::Config(format!(
            "speaker normalisation: clip {i} holds a non-finite feature value"
        )));
    }
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, s) in speakers.iter().enumerate() {
        groups.entry(*s).or_default().push(i);
    }
    for members in groups.values() {
        let (mean, scale) = group_statistics(feats, members, dims);
        for &i in members {
            for row in feats[i].data.chunks_mut(dims) {
                for ((v, m), s) in row.iter_mut().zip(&mean).zip(&scale) {
                    *v = ((*v as f64 - m) * s) as f32;
                }
            }
        }
    }
    Ok(())
}

/// Per-feature mean and 1 / (std + ε) over all nodes of the clips `members`.
fn group_statistics(feats: &[FrameMatrix], members: &[usize], dims: usize) -> (Vec<f64>, Vec<f64>) {
    let mut sum = vec![0.0f64; dims];
    let mut count = 0usize;
    for &i in members {
        for row in feats[i].data.chunks(dims) {
            for (s, v) in sum.iter_mut().zip(row) {
                *s += *v as f64;
            }
            count += 1;
        }
    }
    let n = count.max(1) as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let mut sq = vec![0.0f64; dims];
    for &i in members {
        for row in feats[i].data.chunks(dims) {
            for ((q, v), m) in sq.iter_mut().zip(row).zip(&mean) {
                let d = *v as f64 - m;
                *q += d * d;
            }
        }
    }
    let scale = sq
        .iter()
        .map(|q| 1.0 / ((q / n).sqrt() + STD_EPSILON))
        .collect();
    (mean, scale)
}
