//! Labelling clip files with a saved model: the steps `synchgraph predict` takes, as a library
//! call.

use std::path::{Path, PathBuf};

use super::checkpoint::SavedModel;
use super::train::{argmax, predict_proba};
use crate::data::emotion::speaker_from_name;
use crate::data::emotion_features::node_features;
use crate::error::Result;

/// The model's answer for one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The clip (a WAV, CSV, .npy or BVH file, or a folder of face frames).
    pub path: PathBuf,
    /// Index of the most probable class (the first on ties).
    pub class: usize,
    /// Its name.
    pub label: String,
    /// Probability of every class, in the model's class order.
    pub probabilities: Vec<f32>,
}

impl SavedModel {
    /// Label `clips` the way the model was trained to see them: node features extracted with
    /// the stored settings, then the stored normalisation. Speaker normalisation standardises
    /// the clips given together, grouped by the speaker their EmoDB or RAVDESS names carry
    /// (other names form one group), so label a speaker's clips in one call.
    pub fn predict_files<P: AsRef<Path>>(&mut self, clips: &[P]) -> Result<Vec<Prediction>> {
        let mut feats = clips
            .iter()
            .map(|c| node_features(c.as_ref(), &self.features))
            .collect::<Result<Vec<_>>>()?;
        let speakers: Vec<Option<String>> = clips
            .iter()
            .map(|c| speaker_from_name(c.as_ref()))
            .collect();
        let speakers: Vec<Option<&str>> = speakers.iter().map(Option::as_deref).collect();
        self.features.normalize.apply(&speakers, &mut feats)?;
        let refs: Vec<_> = feats.iter().collect();
        let probs = predict_proba(&mut self.model, &refs)?;
        Ok(clips
            .iter()
            .zip(probs)
            .map(|(c, probabilities)| {
                let class = argmax(&probabilities);
                Prediction {
                    path: c.as_ref().to_path_buf(),
                    class,
                    label: self.classes[class].clone(),
                    probabilities,
                }
            })
            .collect())
    }
}
