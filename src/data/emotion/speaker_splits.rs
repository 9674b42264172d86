//! Clip counts, subsets and speaker-independent splits of a clip list: train/test by test
//! speakers, speaker-group folds, and a validation split that holds whole speakers out.

use std::collections::BTreeSet;

use super::clips::ClipList;
use crate::error::{Error, Result};

impl ClipList {
    /// Speakers present, sorted.
    pub fn speakers(&self) -> Vec<String> {
        let s: BTreeSet<String> = self
            .clips
            .iter()
            .filter_map(|c| c.speaker.clone())
            .collect();
        s.into_iter().collect()
    }

    /// Keep `n` clips spread evenly over the list (every `len / n`-th), then drop the classes
    /// left without clips, renumbering the labels in the same class order. All clips stay when
    /// `n` is at least their number.
    pub fn keep_evenly(&mut self, n: usize) {
        if n < self.clips.len() {
            let step = self.clips.len() as f64 / n as f64;
            self.clips = (0..n)
                .map(|k| self.clips[(k as f64 * step) as usize].clone())
                .collect();
        }
        let counts = self.class_counts();
        let mut new_label = vec![0; counts.len()];
        let mut kept = Vec::new();
        for (k, name) in self.classes.iter().enumerate() {
            if counts[k] > 0 {
                new_label[k] = kept.len();
                kept.push(name.clone());
            }
        }
        for c in &mut self.clips {
            c.label = new_label[c.label];
        }
        self.classes = kept;
    }

    /// Clip counts per class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut n = vec![0; self.classes.len()];
        for c in &self.clips {
            n[c.label] += 1;
        }
        n
    }

    /// Speaker-independent split: (train, test) clip indices, test = clips of `test_speakers`.
    /// Errors when the layout has no speakers, a named speaker is absent, a side is empty, or a
    /// class of the test clips has no training clip (the model could never predict it).
    pub fn speaker_split(&self, test_speakers: &[String]) -> Result<(Vec<usize>, Vec<usize>)> {
        if self.clips.iter().any(|c| c.speaker.is_none()) {
            return Err(Error::Config(format!(
                "the {} layout names no speakers; use --folds instead of --split speaker",
                self.format.name()
            )));
        }
        let known = self.speakers();
        for s in test_speakers {
            if !known.contains(s) {
                return Err(Error::Config(format!(
                    "test speaker '{s}' is not in the data (speakers: {})",
                    known.join(", ")
                )));
            }
        }
        let (test, train): (Vec<usize>, Vec<usize>) = (0..self.clips.len())
            .partition(|&i| test_speakers.contains(self.clips[i].speaker.as_ref().unwrap()));
        if train.is_empty() || test.is_empty() {
            return Err(Error::Config(
                "speaker split leaves the training or the test side empty".into(),
            ));
        }
        let trained: BTreeSet<usize> = train.iter().map(|&i| self.clips[i].label).collect();
        let untrained: BTreeSet<usize> = test
            .iter()
            .map(|&i| self.clips[i].label)
            .filter(|l| !trained.contains(l))
            .collect();
        if !untrained.is_empty() {
            let names: Vec<String> = untrained
                .iter()
                .map(|&l| format!("'{}'", self.classes[l]))
                .collect();
            let (what, has, its, it) = match names.len() {
                1 => ("class", "has", "its", "it"),
                _ => ("classes", "have", "their", "them"),
            };
            return Err(Error::Config(format!(
                "speaker split with test speakers {}: {what} {} {has} no training clip (all \
                 {its} clips are the test speakers'), so the model could never predict {it}; \
                 choose other test speakers",
                test_speakers.join(", "),
                names.join(", ")
            )));
        }
        Ok((train, test))
    }

    /// Speaker-group cross-validation: one (train, test) pair per group of test speakers, every
    /// other speaker training. Errors when the layout names no speakers, `groups` is empty, a
    /// speaker is named in two groups, or a group fails [`ClipList::speaker_split`].
    pub fn speaker_folds(&self, groups: &[Vec<String>]) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
        if self.clips.iter().any(|c| c.speaker.is_none()) {
            return Err(Error::Config(format!(
                "the {} layout names no speakers; use --folds instead of a speaker split",
                self.format.name()
            )));
        }
        if groups.is_empty() || groups.iter().any(|g| g.is_empty()) {
            return Err(Error::Config(
                "speaker folds need at least one non-empty group of test speakers".into(),
            ));
        }
        let mut seen = BTreeSet::new();
        for s in groups.iter().flatten() {
            if !seen.insert(s) {
                return Err(Error::Config(format!(
                    "speaker '{s}' is named twice in the test groups; each speaker is tested once"
                )));
            }
        }
        groups.iter().map(|g| self.speaker_split(g)).collect()
    }

    /// Hold whole speakers out of the training clips `train` for model selection: returns
    /// (training, validation) where validation holds the clips of `val_speakers`. Errors when
    /// `val_speakers` is empty, an index of `train` is beyond the clips, the layout has no
    /// speakers, a named speaker is not in the data (the error lists the data's speakers) or has
    /// no clip in `train`, or no training clip is left.
    pub fn speaker_validation_split(
        &self,
        train: &[usize],
        val_speakers: &[String],
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        if val_speakers.is_empty() {
            return Err(Error::Config(
                "no validation speaker named: --val-speakers needs at least one speaker id \
                 (e.g. 03 or 03,08)"
                    .into(),
            ));
        }
        if let Some(&i) = train.iter().find(|&&i| i >= self.clips.len()) {
            return Err(Error::InvalidInput(format!(
                "speaker validation split: training index {i} beyond the {} clips",
                self.clips.len()
            )));
        }
        let speaker = |i: usize| self.clips[i].speaker.as_deref();
        if train.iter().any(|&i| speaker(i).is_none()) {
            return Err(Error::Config(format!(
                "the {} layout names no speakers; use --val-fraction instead of --val-speakers",
                self.format.name()
            )));
        }
        for s in val_speakers {
            if !train.iter().any(|&i| speaker(i) == Some(s.as_str())) {
                let known = self.speakers();
                if !known.contains(s) {
                    return Err(Error::Config(format!(
                        "validation speaker '{s}' is not in the data (speakers: {})",
                        known.join(", ")
                    )));
                }
                return Err(Error::Config(format!(
                    "validation speaker '{s}' has no training clip (test speakers cannot validate)"
                )));
            }
        }
        let (val, rest): (Vec<usize>, Vec<usize>) = train
            .iter()
            .partition(|&&i| val_speakers.iter().any(|s| speaker(i) == Some(s.as_str())));
        if rest.is_empty() {
            return Err(Error::Config(
                "validation speakers leave no training clips".into(),
            ));
        }
        Ok((rest, val))
    }
}
