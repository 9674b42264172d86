//! Reading the clip list of a data folder: labels and speakers from coded file names (EmoDB,
//! RAVDESS) or from one folder per class, with the checks that keep every clip counted once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::detect::detect_format;
use super::file_names::{
    emodb_speaker, is_actor_folder, is_emodb_name, ravdess_clip, speakers_from_names, EMODB_CODES,
    RAVDESS_CODES,
};
use super::format::{ext_is, list_dir, stem, DatasetFormat};
use crate::data::feature_export::keep_source_order;
use crate::error::{Error, Result};

/// One labelled clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// The audio or feature file.
    pub path: PathBuf,
    /// Index into [`ClipList::classes`].
    pub label: usize,
    /// Speaker id where the layout names one.
    pub speaker: Option<String>,
}

/// The clips of a data folder with their class list.
#[derive(Debug, Clone)]
pub struct ClipList {
    /// The layout the clips were read with.
    pub format: DatasetFormat,
    /// Class names, in label order.
    pub classes: Vec<String>,
    /// Clips sorted by path (those of a `synchgraph features` export with a clip list: in the
    /// list's order, which is the source's).
    pub clips: Vec<Clip>,
}

/// An error when `p` is a symbolic link whose target is missing: a clip file that cannot be
/// read, which listing only regular files would leave out without a word.
fn refuse_dangling_link(p: &Path) -> Result<()> {
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(p).is_err() {
        let target = std::fs::read_link(p)
            .map(|t| format!(" ({})", t.display()))
            .unwrap_or_default();
        return Err(Error::data(
            p,
            format!(
                "a link to a missing file or folder{target}: restore its target or remove the link"
            ),
        ));
    }
    Ok(())
}

/// Read the clip list of `dir` in `format` (detected when `None`).
///
/// Errors: [`Error::Data`] for a file name with an unknown emotion code, a RAVDESS name with a
/// field outside the data set's codes (a video-only file, an actor beyond 24: see
/// [`DatasetFormat::Ravdess`]), in the EmoDB and RAVDESS layouts a clip found twice (say a
/// `backup/` copy of the clips, or one RAVDESS recording under two modalities), and in every
/// layout a clip that is a link to a missing file (or, for frame folders, to a missing
/// folder), in the features layout one clip name in two files (`x.csv` and `x.npy`), and
/// [`Error::Empty`] for a folder without clips or a class folder without clips.
pub fn load_clips(dir: &Path, format: Option<DatasetFormat>) -> Result<ClipList> {
    let format = match format {
        Some(f) => f,
        None => detect_format(dir)?,
    };
    let mut list = match format {
        DatasetFormat::Emodb => coded(dir, format, |p| {
            let s = stem(p);
            if !is_emodb_name(&s) {
                return Err(Error::data(
                    p,
                    "not an EmoDB file name (speaker digits, text code, emotion letter: 03a01Fa.wav)",
                ));
            }
            let code = s.as_bytes()[5] as char;
            let label = EMODB_CODES
                .iter()
                .position(|&(c, _)| c == code)
                .ok_or_else(|| {
                    Error::data(
                        p,
                        format!("unknown EmoDB emotion code '{code}' (known: W L E A F T N)"),
                    )
                })?;
            Ok((label, emodb_speaker(&s), s))
        })?,
        DatasetFormat::Ravdess => coded(dir, format, ravdess_clip)?,
        DatasetFormat::Folder => per_class(dir, format, &["wav"])?,
        DatasetFormat::Features => per_class(dir, format, &["csv", "npy"])?,
        DatasetFormat::Video => per_class(dir, format, &[])?,
        DatasetFormat::Landmarks => per_class(dir, format, &["csv"])?,
        DatasetFormat::Mocap => per_class(dir, format, &["bvh"])?,
    };
    if list.clips.is_empty() {
        return Err(Error::Empty {
            path: dir.display().to_string(),
            message: format!("no clips found for the {} layout", format.name()),
        });
    }
    if list.clips.iter().all(|c| c.speaker.is_none()) {
        name_speakers(&mut list.clips);
    }
    if format == DatasetFormat::Features {
        refuse_one_clip_in_two_files(&list)?;
        keep_source_order(dir, &mut list)?;
    }
    Ok(list)
}

/// [`Error::Data`] when two feature files of a class differ only in their extension
/// (`x.csv` and `x.npy`): one clip stored twice would count twice, and a split could put one
/// copy in training and the other in the test part.
fn refuse_one_clip_in_two_files(list: &ClipList) -> Result<()> {
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    for c in &list.clips {
        if let Some(first) = seen.insert(c.path.with_extension(""), &c.path) {
            return Err(Error::data(
                &c.path,
                format!(
                    "has the clip name of {}: one clip in two files would count twice (and \
                     could land on both sides of a split); keep one of them or rename it",
                    first.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Speakers of clips in a per-class layout whose files keep their EmoDB or RAVDESS names (as
/// `synchgraph features` writes them), by [`speakers_from_names`].
fn name_speakers(clips: &mut [Clip]) {
    let paths: Vec<&Path> = clips.iter().map(|c| c.path.as_path()).collect();
    let speakers = speakers_from_names(&paths);
    for (c, s) in clips.iter_mut().zip(speakers) {
        c.speaker = s;
    }
}

/// Clips whose label and speaker come from the file name, at the top of `dir` or one folder
/// down (RAVDESS's `Actor_NN/`), or for RAVDESS without actor folders of its own, in the
/// `Actor_NN/` folders one folder further down (`Audio_Speech_Actors_01-24/Actor_01/`); the
/// class list keeps the codes that occur, in the data set's canonical order. `parse` gives a
/// file's label, speaker and recording (the file stem, or for RAVDESS the stem without its
/// modality). A recording found twice is an error naming both files: a copy would be counted
/// twice (and could be tested on while its twin trains).
fn coded(
    dir: &Path,
    format: DatasetFormat,
    parse: impl Fn(&Path) -> Result<(usize, String, String)>,
) -> Result<ClipList> {
    let names: Vec<&str> = match format {
        DatasetFormat::Emodb => EMODB_CODES.iter().map(|c| c.1).collect(),
        _ => RAVDESS_CODES.iter().map(|c| c.1).collect(),
    };
    let top = list_dir(dir)?;
    // RAVDESS's actor folders one folder down (the Zenodo archives unzipped into folders of
    // their names) are read when the data folder has none of its own; beside its own, such a
    // nested set is Kaggle's second copy of them, and left alone.
    let nested =
        format == DatasetFormat::Ravdess && !top.iter().any(|p| p.is_dir() && is_actor_folder(p));
    let mut files = Vec::new();
    for p in top {
        if !p.is_dir() {
            files.push(p);
            continue;
        }
        for q in list_dir(&p)? {
            if nested && q.is_dir() && is_actor_folder(&q) {
                files.extend(list_dir(&q)?);
            } else {
                files.push(q);
            }
        }
    }
    let mut raw: Vec<(PathBuf, usize, String)> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for p in files {
        if ext_is(&p, &["wav"]) {
            refuse_dangling_link(&p)?;
        }
        if p.is_file() && ext_is(&p, &["wav"]) {
            let (label, speaker, recording) = parse(&p)?;
            if let Some(&k) = seen.get(&recording) {
                let first: &Path = &raw[k].0;
                let what = if stem(first) == stem(&p) {
                    format!("clip name {} is also {}", stem(&p), first.display())
                } else {
                    format!(
                        "clip {} is the recording of {} in another modality",
                        stem(&p),
                        first.display()
                    )
                };
                return Err(Error::data(
                    &p,
                    format!(
                        "{what}: a clip of the {} layout must occur once, or it counts twice \
                         (remove the copy)",
                        format.name()
                    ),
                ));
            }
            seen.insert(recording, raw.len());
            raw.push((p, label, speaker));
        }
    }
    let present: BTreeSet<usize> = raw.iter().map(|r| r.1).collect();
    let remap: Vec<Option<usize>> = (0..names.len())
        .map(|k| present.iter().position(|&x| x == k))
        .collect();
    Ok(ClipList {
        format,
        classes: present.iter().map(|&k| names[k].to_string()).collect(),
        clips: raw
            .into_iter()
            .map(|(path, label, speaker)| Clip {
                path,
                label: remap[label].unwrap_or(0),
                speaker: Some(speaker),
            })
            .collect(),
    })
}

/// Clips in one sub-folder per class (class names = folder names, sorted). With no extensions
/// the clips are the class folder's own sub-folders (frame folders), and any link to a missing
/// target in a class folder is an error, since it may be a clip folder; with extensions, a file
/// of one of them that is such a link is.
fn per_class(dir: &Path, format: DatasetFormat, exts: &[&str]) -> Result<ClipList> {
    let mut classes = Vec::new();
    let mut clips = Vec::new();
    for sub in list_dir(dir)?.into_iter().filter(|p| p.is_dir()) {
        let mut files = Vec::new();
        for p in list_dir(&sub)? {
            if exts.is_empty() {
                // A clip folder is named freely: any link to a missing target may be one.
                refuse_dangling_link(&p)?;
                if p.is_dir() {
                    files.push(p);
                }
            } else if ext_is(&p, exts) {
                refuse_dangling_link(&p)?;
                if p.is_file() {
                    files.push(p);
                }
            }
        }
        if files.is_empty() {
            let what = if exts.is_empty() {
                "clip folders".to_string()
            } else {
                format!("{} files", exts.join("/"))
            };
            return Err(Error::Empty {
                path: sub.display().to_string(),
                message: format!("class folder has no {what}"),
            });
        }
        let label = classes.len();
        classes.push(
            sub.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        clips.extend(files.into_iter().map(|path| Clip {
            path,
            label,
            speaker: None,
        }));
    }
    Ok(ClipList {
        format,
        classes,
        clips,
    })
}
