//! Labelling clip files with a saved model: the steps `synchgraph predict` takes, as a library
//! call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::checkpoint::SavedModel;
use super::train::{argmax, predict_proba_named};
use crate::data::emotion::speakers_from_names;
use crate::data::emotion_features::{
    default_threads, export_node_features, node_features, parallel_map,
};
use crate::data::feature_export::ExportClipShapes;
use crate::error::Result;
use crate::features::FrameMatrix;

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

/// The export a feature file belongs to: `<export>/<class>/<clip>.npy` (or `.csv`) with the
/// export's [`crate::data::feature_export::FEATURES_INDEX`] two folders up. A relative path is
/// resolved against the working directory first, so `clip.npy` named from inside a class
/// folder is found to be an export's as well. Each folder's index is read once into `seen`,
/// which maps it to its entry of `found`.
fn export_of(
    clip: &Path,
    seen: &mut HashMap<PathBuf, Option<usize>>,
    found: &mut Vec<ExportClipShapes>,
) -> Result<Option<usize>> {
    let is_feature_file = clip
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy") || e.eq_ignore_ascii_case("csv"));
    let resolved = std::path::absolute(clip).unwrap_or_else(|_| clip.to_path_buf());
    let Some(export) = resolved
        .parent()
        .and_then(Path::parent)
        .filter(|_| is_feature_file)
    else {
        return Ok(None);
    };
    if let Some(known) = seen.get(export) {
        return Ok(*known);
    }
    let entry = ExportClipShapes::read(export)?.map(|shapes| {
        found.push(shapes);
        found.len() - 1
    });
    seen.insert(export.to_path_buf(), entry);
    Ok(entry)
}

impl SavedModel {
    /// Label `clips` the way the model was trained to see them: node features extracted with
    /// the stored settings, then the stored normalisation. Speaker normalisation standardises
    /// the clips given together, grouped by speaker: the one a `synchgraph features` export's
    /// clip list gives a clip of it, otherwise the one the EmoDB or RAVDESS names carry when
    /// all of them follow one scheme (otherwise they form one group, as in training), so label
    /// a speaker's clips in one call. Files of a
    /// `synchgraph features` export must hold the model's node count, and each must have the
    /// shape its export wrote (a matrix of another node count is an error, not regrouped); they
    /// are not normalised again when the export already is, and a model trained without
    /// normalisation refuses normalised ones.
    pub fn predict_files<P: AsRef<Path>>(&mut self, clips: &[P]) -> Result<Vec<Prediction>> {
        let mut pending = Vec::new();
        let (mut seen, mut exports) = (HashMap::new(), Vec::new());
        let mut export_at = Vec::with_capacity(clips.len());
        for (i, clip) in clips.iter().enumerate() {
            let clip = clip.as_ref();
            let at = export_of(clip, &mut seen, &mut exports)?;
            match at {
                Some(k) if self.features.accepts_export(&exports[k].exported(), clip)? => {}
                _ => pending.push(i),
            }
            export_at.push(at);
        }
        let threads = default_threads();
        let settings = &self.features;
        let paths: Vec<&Path> = clips.iter().map(AsRef::as_ref).collect();
        // The clips of an export must hold the shape it wrote: checked, never regrouped.
        let items: Vec<(&Path, Option<usize>)> = paths
            .iter()
            .copied()
            .zip(export_at.iter().copied())
            .collect();
        let mut feats = parallel_map(&items, threads, |&(p, at)| match at {
            Some(k) => export_node_features(p, settings, &exports[k]),
            None => node_features(p, settings),
        })?;
        // Normalise the clips that are not normalised yet, together.
        // Each clip's speaker is the one its export's clip list gives it (the source's, as in
        // training), otherwise the one its name carries.
        let pending_paths: Vec<&Path> = pending.iter().map(|&i| clips[i].as_ref()).collect();
        let named = speakers_from_names(&pending_paths);
        let speakers: Vec<Option<&str>> = pending
            .iter()
            .zip(&named)
            .map(|(&i, name)| {
                export_at[i]
                    .and_then(|k| exports[k].listed_speaker(paths[i]))
                    .unwrap_or(name.as_deref())
            })
            .collect();
        let mut todo: Vec<FrameMatrix> = pending
            .iter()
            .map(|&i| std::mem::replace(&mut feats[i], FrameMatrix::zeros(0, 0)))
            .collect();
        self.features.normalize.apply(&speakers, &mut todo)?;
        for (&i, m) in pending.iter().zip(todo) {
            feats[i] = m;
        }
        let refs: Vec<_> = feats.iter().collect();
        let probs = predict_proba_named(&mut self.model, &refs, &|k| {
            format!("clip {k} ({})", paths[k].display())
        })?;
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
