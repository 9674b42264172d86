//! Detecting the layout of a data folder from its files: coded WAV names, RAVDESS actor
//! folders, class folders of one kind of clip, and landmark CSV headers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::file_names::{is_actor_folder, is_emodb_name, is_ravdess_name, not_ravdess_name};
use super::format::{ext_is, list_dir, stem, DatasetFormat};
use crate::data::feature_export::FEATURES_CLIPS;
use crate::error::{Error, Result};
use crate::features::landmarks::names_landmark_columns;
use crate::features::text_lines;

/// Detect the layout of `dir`: sub-folders of CSV files whose first CSV starts with a landmark
/// header (`frame,x0,y0,...`) are [`DatasetFormat::Landmarks`], other CSV/`.npy` files
/// [`DatasetFormat::Features`], sub-folders of WAV files [`DatasetFormat::Folder`]; WAV files
/// at the top are RAVDESS when every name has seven two-digit fields, else EmoDB when every
/// name fits its pattern; one sub-folder alone holding WAV files all named under one of these
/// schemes with several emotions (EmoDB's `wav/` beside its label folders) is that layout,
/// not one class. Class folders holding clips of two kinds (WAV files, CSV/`.npy` files, BVH
/// files, frame folders) are an [`Error::Data`] asking for `--format`, which reads only the
/// kind it names; landmark CSVs beside `.npy` files are two kinds too.
/// RAVDESS as distributed (`Actor_01/ .. Actor_24/` of coded WAV names) is RAVDESS, not a
/// folder per class: its folders name speakers, and the labels come from the file names. In
/// such a layout (an actor folder holding a coded WAV name, whatever other folders lie beside
/// it) a WAV file whose name is not a RAVDESS code (say a copy `... (1).wav`) is an
/// [`Error::Data`] naming it, not a reason to read the actors as classes. Actor folders one
/// folder down, in a data folder without actor folders of its own (Zenodo's speech and song
/// archives, each unzipped into a folder of its name), are RAVDESS too.
pub fn detect_format(dir: &Path) -> Result<DatasetFormat> {
    if !dir.is_dir() {
        return Err(Error::data(dir, "not a folder"));
    }
    let entries = list_dir(dir)?;
    let subdirs: Vec<&PathBuf> = entries.iter().filter(|p| p.is_dir()).collect();
    let wavs: Vec<&PathBuf> = entries.iter().filter(|p| ext_is(p, &["wav"])).collect();
    if !wavs.is_empty() {
        if wavs.iter().all(|p| is_ravdess_name(&stem(p))) {
            return Ok(DatasetFormat::Ravdess);
        }
        if wavs.iter().all(|p| is_emodb_name(&stem(p))) {
            return Ok(DatasetFormat::Emodb);
        }
        return Err(Error::data(
            dir,
            "WAV files at the top level match neither the EmoDB (03a01Fa.wav) nor the RAVDESS \
             (03-01-05-01-02-01-12.wav) naming; give --format or put one folder per class",
        ));
    }
    if is_ravdess_actor_layout(&subdirs)? || has_nested_actor_folders(&subdirs)? {
        return Ok(DatasetFormat::Ravdess);
    }
    // The clips of every class folder decide together: clips of two kinds (WAVs beside `.npy`
    // sidecars, say) are ambiguous, and reading the kind found first would drop the others.
    let mut first: Option<(DatasetFormat, PathBuf)> = None;
    // The first `.npy` clip: beside landmark CSVs it is a clip of another layout.
    let mut first_npy: Option<PathBuf> = None;
    for sub in &subdirs {
        for f in list_dir(sub)? {
            if first_npy.is_none() && ext_is(&f, &["npy"]) {
                first_npy = Some(f.clone());
            }
            let kind = if ext_is(&f, &["bvh"]) {
                DatasetFormat::Mocap
            } else if f.is_dir() {
                DatasetFormat::Video
            } else if ext_is(&f, &["csv", "npy"]) {
                DatasetFormat::Features
            } else if ext_is(&f, &["wav"]) {
                DatasetFormat::Folder
            } else {
                continue;
            };
            match &first {
                None => first = Some((kind, f)),
                Some((k, p)) if *k != kind => {
                    return Err(Error::data(
                        dir,
                        format!(
                            "the class folders hold clips of two layouts, {} ({}) and {} ({}); \
                             give --format to choose one",
                            clip_kind(*k),
                            p.display(),
                            clip_kind(kind),
                            f.display()
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
    }
    match first {
        // The first CSV tells landmarks (by their header) from other features.
        Some((DatasetFormat::Features, f)) if ext_is(&f, &["csv"]) && has_landmark_header(&f) => {
            match first_npy {
                // The landmarks layout reads CSV files only: the `.npy` clips would be dropped.
                Some(npy) => Err(Error::data(
                    dir,
                    format!(
                        "the class folders hold clips of two layouts, landmark CSV files ({}) \
                         and .npy files ({}); give --format to choose one",
                        f.display(),
                        npy.display()
                    ),
                )),
                None => Ok(DatasetFormat::Landmarks),
            }
        }
        Some((DatasetFormat::Folder, _)) => {
            Ok(one_coded_folder(&subdirs)?.unwrap_or(DatasetFormat::Folder))
        }
        Some((kind, _)) => Ok(kind),
        None => Err(Error::Empty {
            path: dir.display().to_string(),
            message: no_clips_message(&entries),
        }),
    }
}

/// The coded layout of a data folder in which one sub-folder alone holds WAV files, all named
/// under one scheme and of more than one emotion (EmoDB's `wav/` beside its label folders, or a
/// folder of RAVDESS clips): read per class it would be one class holding clips of several
/// emotions, while the names give the labels. `None` when several sub-folders hold WAV files,
/// the names follow no single scheme, or they all name one emotion (a class folder).
fn one_coded_folder(subdirs: &[&PathBuf]) -> Result<Option<DatasetFormat>> {
    let mut stems = None;
    for sub in subdirs {
        let wavs: Vec<String> = list_dir(sub)?
            .iter()
            .filter(|f| ext_is(f, &["wav"]))
            .map(|f| stem(f))
            .collect();
        if wavs.is_empty() {
            continue;
        }
        if stems.is_some() {
            return Ok(None);
        }
        stems = Some(wavs);
    }
    let Some(stems) = stems else {
        return Ok(None);
    };
    // The emotion code of each name: a folder whose names all carry one emotion may be the one
    // class folder of a subset (a class evaluated alone), and stays a folder per class.
    let (format, emotion): (_, fn(&str) -> &str) = if stems.iter().all(|s| is_ravdess_name(s)) {
        (DatasetFormat::Ravdess, |s| &s[6..8])
    } else if stems.iter().all(|s| is_emodb_name(s)) {
        (DatasetFormat::Emodb, |s| &s[5..6])
    } else {
        return Ok(None);
    };
    let emotions: BTreeSet<&str> = stems.iter().map(|s| emotion(s)).collect();
    Ok((emotions.len() > 1).then_some(format))
}

/// Why [`detect_format`] found no clips among the top-level `entries` of a data folder: clips
/// of a per-class layout (BVH, CSV or `.npy` files, not an export's clip list) lying at the top
/// are named, with the layout they need; otherwise every kind of clip a layout reads is listed.
fn no_clips_message(entries: &[PathBuf]) -> String {
    let top = entries.iter().find_map(|p| {
        let kind = if p.file_name().is_some_and(|n| n == FEATURES_CLIPS) {
            return None;
        } else if ext_is(p, &["bvh"]) {
            "BVH files (<class>/<clip>.bvh)"
        } else if ext_is(p, &["csv", "npy"]) {
            "CSV/.npy files (<class>/<clip>.csv or .npy)"
        } else {
            return None;
        };
        Some((p, kind))
    });
    match top {
        Some((p, kind)) => format!(
            "clip files lie at the top level (such as {}), but a layout of {kind} takes one \
             folder per class: move the clips into a sub-folder named after their class",
            p.file_name().unwrap_or_default().to_string_lossy()
        ),
        None => "no WAV files at the top level, and no class folders holding clips (WAV, CSV, \
                 .npy or BVH files, or folders of frame images)"
            .into(),
    }
}

/// The clips of a per-class layout as [`detect_format`] names them in its errors.
fn clip_kind(format: DatasetFormat) -> &'static str {
    match format {
        DatasetFormat::Mocap => "BVH files",
        DatasetFormat::Video => "frame folders",
        DatasetFormat::Features => "CSV/.npy files",
        _ => "WAV files",
    }
}

/// Whether the first line of the CSV file `path` is the header of a landmark CSV:
/// `frame,x0,y0,...,x67,y67` or `x0,y0,...,x67,y67` (any case, spaces and double quotes around
/// fields allowed, lines ending in LF, CRLF or CR), or those columns in another order, which the
/// landmark reader then refuses by name.
/// A landmark CSV without a header cannot be told from 136 pre-extracted features per frame.
fn has_landmark_header(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    // The first line with content, past a byte-order mark and blank lines (the parsers skip
    // both); a header of 137 short names is about 700 bytes, so 4 KiB holds any header.
    let mut head = Vec::new();
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    // Lines end in LF, CRLF or CR (classic Mac OS), as the landmark reader reads them.
    let Some(line) = text_lines(text.trim_start_matches('\u{feff}'))
        .into_iter()
        .find(|l| !l.trim().is_empty())
    else {
        return false;
    };
    let fields: Vec<&str> = line.trim().split(',').map(str::trim).collect();
    names_landmark_columns(&fields)
}

/// Whether the sub-folders are RAVDESS's actor folders: at least one is named `Actor_<digits>`
/// (any case) and holds a RAVDESS-coded WAV file. The folders are then speakers, not classes,
/// whatever the others are called (a copied `Actor_02 (copy)/`, or Kaggle's
/// `audio_speech_actors_01-24/` beside the actor folders): a WAV file in any sub-folder whose
/// name is not coded (say a copy `... (1).wav`) is an error naming it, as under `--format
/// ravdess`. Actor folders of WAV files none of which is coded are classes that happen to be
/// named so.
fn is_ravdess_actor_layout(subdirs: &[&PathBuf]) -> Result<bool> {
    if !subdirs.iter().any(|p| is_actor_folder(p)) {
        return Ok(false);
    }
    let mut coded_actor = false;
    let mut misnamed = None;
    for sub in subdirs {
        for f in list_dir(sub)?.into_iter().filter(|f| ext_is(f, &["wav"])) {
            if is_ravdess_name(&stem(&f)) {
                coded_actor |= is_actor_folder(sub);
            } else if misnamed.is_none() {
                misnamed = Some(f);
            }
        }
    }
    match misnamed {
        Some(f) if coded_actor => Err(not_ravdess_name(&f)),
        _ => Ok(coded_actor),
    }
}

/// Whether, with no actor folder of its own, a data folder holds RAVDESS's actor folders one
/// folder down (see [`is_ravdess_actor_layout`]): the Zenodo archives
/// `Audio_Speech_Actors_01-24.zip` and `Audio_Song_Actors_01-24.zip`, each unzipped into a
/// folder named after it.
fn has_nested_actor_folders(subdirs: &[&PathBuf]) -> Result<bool> {
    if subdirs.iter().any(|p| is_actor_folder(p)) {
        return Ok(false);
    }
    for sub in subdirs {
        let inner: Vec<PathBuf> = list_dir(sub)?.into_iter().filter(|p| p.is_dir()).collect();
        if is_ravdess_actor_layout(&inner.iter().collect::<Vec<_>>())? {
            return Ok(true);
        }
    }
    Ok(false)
}
