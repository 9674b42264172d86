//! The folds of `train lgrin`: the test splits the flags ask for (k-fold, speaker groups or
//! leave-one-speaker-out) with their `split` entry of metrics.json, and each fold's training and
//! validation parts, all checked before any fold trains.

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion::ClipList;
use synchgraph::data::split::{stratified_folds, validation_split};
use synchgraph::models::lgrin::LgrinConfig;

use super::{Args, DEFAULT_FOLDS, DEFAULT_TEST_SPEAKERS};
use crate::cli::output::errln;

/// (training, test) or (training, validation) clip indices of each fold.
pub(super) type Folds = Vec<(Vec<usize>, Vec<usize>)>;

/// Speaker ids of a comma-separated list.
pub(super) fn speaker_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The `split` entry of metrics.json for speaker folds: one group keeps the single-split form
/// (`kind: speaker`), several list each fold's training and test speakers (`kind: speaker-folds`).
fn speaker_split_json(speakers: &[String], groups: &[Vec<String>]) -> serde_json::Value {
    let fold = |test: &Vec<String>| {
        let train: Vec<&String> = speakers.iter().filter(|s| !test.contains(s)).collect();
        serde_json::json!({"kind": "speaker", "train_speakers": train, "test_speakers": test})
    };
    match groups {
        [one] => fold(one),
        _ => serde_json::json!({
            "kind": "speaker-folds",
            "folds": groups.iter().map(fold).collect::<Vec<_>>(),
        }),
    }
}

/// The (training, test) folds that `--split`, `--test-speakers` and `--folds` ask for, and the
/// `split` entry of metrics.json that describes them.
pub(super) fn test_splits(
    args: &Args,
    list: &ClipList,
    labels: &[usize],
) -> Result<(Folds, serde_json::Value)> {
    Ok(match (&args.split, args.folds) {
        (Some(s), _) => {
            let speakers = list.speakers();
            let (groups, flag): (Vec<Vec<String>>, String) = if s == "loso" {
                (
                    speakers.iter().map(|s| vec![s.clone()]).collect(),
                    "--split loso".to_string(),
                )
            } else {
                let (text, flag) = match args.test_speakers.as_deref() {
                    Some(t) => (t, format!("--test-speakers {t}")),
                    None => (
                        DEFAULT_TEST_SPEAKERS,
                        format!("--test-speakers {DEFAULT_TEST_SPEAKERS} (the default)"),
                    ),
                };
                (text.split('/').map(speaker_list).collect(), flag)
            };
            let splits = list.speaker_folds(&groups).context(flag)?;
            (splits, speaker_split_json(&speakers, &groups))
        }
        (None, Some(k)) => (
            stratified_folds(labels, k, args.seed)?,
            serde_json::json!({"kind": "folds", "folds": k}),
        ),
        (None, None) => {
            // The user gave no --folds: a data set too small for the default says so, rather
            // than naming a `--folds 5` that is nowhere on the command line.
            if labels.len() < DEFAULT_FOLDS {
                bail!(
                    "--folds {DEFAULT_FOLDS} (the default) needs at least {DEFAULT_FOLDS} clips, \
                     and {} holds {} clips: give --folds K with 2 <= K <= {}",
                    args.source.data.display(),
                    labels.len(),
                    labels.len()
                );
            }
            (
                stratified_folds(labels, DEFAULT_FOLDS, args.seed)?,
                serde_json::json!({"kind": "folds", "folds": DEFAULT_FOLDS}),
            )
        }
    })
}

/// Each fold's (training, validation) parts, from `--val-speakers` or `--val-fraction`, with
/// the checks that a fold keeps enough training clips and a training clip of every class it
/// tests.
pub(super) fn training_parts(
    args: &Args,
    list: &ClipList,
    labels: &[usize],
    splits: &Folds,
    config: &LgrinConfig,
    val_speakers: &Option<Vec<String>>,
) -> Result<Folds> {
    // Every fold's training and validation parts are drawn before any fold trains, so a
    // choice that fails in a late fold (a validation speaker who is that fold's test speaker)
    // is refused before hours of training, not after.
    let parts = splits
        .iter()
        .enumerate()
        .map(|(f, (train_idx, _))| match &val_speakers {
            Some(v) => list.speaker_validation_split(train_idx, v),
            None => validation_split(
                train_idx,
                labels,
                config.val_fraction,
                args.seed.wrapping_add(f as u64),
            ),
        })
        .collect::<synchgraph::Result<Vec<_>>>()
        .with_context(|| match &args.val_speakers {
            Some(text) => format!("--val-speakers {text}"),
            None => format!("--val-fraction {}", config.val_fraction),
        })?;
    for (f, (tr, val)) in parts.iter().enumerate() {
        if tr.len() < 2 {
            bail!(
                "fold {} of {} is left with {} training clip{} after its test{} part; training \
                 needs at least 2: choose other test or validation speakers, or fewer folds",
                f + 1,
                parts.len(),
                tr.len(),
                if tr.len() == 1 { "" } else { "s" },
                if val.is_empty() {
                    ""
                } else {
                    " and validation"
                }
            );
        }
        // The speaker split gives every tested class a training clip; validation speakers,
        // carved out of the training part afterwards, may take all of a class's.
        let test = &splits[f].1;
        let untrained = test
            .iter()
            .find(|&&i| !tr.iter().any(|&j| labels[j] == labels[i]));
        if let (Some(&i), Some(_)) = (untrained, &val_speakers) {
            bail!(
                "fold {} of {}: --val-speakers {} hold every training clip of class '{}', \
                 which the fold tests, so the model could never predict it: choose other \
                 validation speakers",
                f + 1,
                parts.len(),
                args.val_speakers.as_deref().unwrap_or(""),
                list.classes[labels[i]]
            );
        }
        if val.is_empty() && val_speakers.is_none() && config.val_fraction > 0.0 {
            errln!(
                "warning: fold {}: the validation part is empty (no class has enough training \
                 clips for --val-fraction {}), so the last epoch is kept, not the best",
                f + 1,
                config.val_fraction
            );
        }
    }
    Ok(parts)
}
