//! Clip lists of emotion data sets: EmoDB and RAVDESS file-name codes, a folder per class (audio),
//! and features already extracted (one CSV or `.npy` matrix per clip, a folder per class).
//! The layout is detected from the files or given explicitly; the list's speaker-independent
//! splits are here, the seeded k-fold and validation splits in [`super::split`]. Turning a clip
//! into node features is in [`super::emotion_features`], and the index files of a
//! `synchgraph features` export in [`super::feature_export`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::feature_export::{keep_source_order, FEATURES_CLIPS};
use crate::error::{Error, Result};
use crate::features::landmarks::names_landmark_columns;

/// EmoDB emotion codes (6th file-name character) and class names, in class order.
pub const EMODB_CODES: [(char, &str); 7] = [
    ('W', "anger"),
    ('L', "boredom"),
    ('E', "disgust"),
    ('A', "fear"),
    ('F', "happiness"),
    ('T', "sadness"),
    ('N', "neutral"),
];

/// RAVDESS emotion codes (3rd field of the file name) and class names, in class order.
pub const RAVDESS_CODES: [(&str, &str); 8] = [
    ("01", "neutral"),
    ("02", "calm"),
    ("03", "happy"),
    ("04", "sad"),
    ("05", "angry"),
    ("06", "fearful"),
    ("07", "disgust"),
    ("08", "surprised"),
];

/// How a data folder is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetFormat {
    /// `*.wav` named like `03a01Fa.wav`: speaker = characters 1–2, emotion = character 6.
    Emodb,
    /// `*.wav` named `MM-VC-EE-II-SS-RR-AA.wav`: emotion = field 3, actor (speaker) = field 7.
    /// Every field must be one of RAVDESS's codes: modality 03 (audio-only) or 01 (audio of an
    /// audio-video file; 02 is video-only), vocal channel 01–02, emotion 01–08 (a song's 01–06),
    /// intensity 01–02 (neutral only 01), statement 01–02, repetition 01–02, actor 01–24.
    Ravdess,
    /// `<class>/*.wav`: one sub-folder of audio per class.
    Folder,
    /// `<class>/*.csv` or `<class>/*.npy`: one frames × features matrix per clip.
    Features,
    /// `<class>/<clip>/*.png|jpg`: one folder of face frames per clip (Laplacian-of-Gaussian
    /// features per frame).
    Video,
    /// `<class>/*.csv`: 68 facial landmarks per frame (layout in [`crate::features::landmarks`]).
    Landmarks,
    /// `<class>/*.bvh`: one motion-capture clip per file (per-frame channel values).
    Mocap,
}

impl DatasetFormat {
    /// Parse a `--format` value (any case): `emodb`, `ravdess`, `folder` (or
    /// `folder-per-class`), `features` (or `csv`, `npy`), `video` (or `frames`), `landmarks`,
    /// `mocap` (or `bvh`).
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "emodb" => Ok(Self::Emodb),
            "ravdess" => Ok(Self::Ravdess),
            "folder" | "folder-per-class" => Ok(Self::Folder),
            "features" | "csv" | "npy" => Ok(Self::Features),
            "video" | "frames" => Ok(Self::Video),
            "landmarks" => Ok(Self::Landmarks),
            "mocap" | "bvh" => Ok(Self::Mocap),
            other => Err(Error::Config(format!(
                "unknown data format '{other}' (use emodb, ravdess, folder, features, video, \
                 landmarks or mocap)"
            ))),
        }
    }

    /// The name used by [`DatasetFormat::parse`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Emodb => "emodb",
            Self::Ravdess => "ravdess",
            Self::Folder => "folder",
            Self::Features => "features",
            Self::Video => "video",
            Self::Landmarks => "landmarks",
            Self::Mocap => "mocap",
        }
    }
}

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

/// The folder that unzipping an archive made on macOS leaves beside the data: it holds only
/// AppleDouble (`._name`) copies of the files, never clips.
const MACOS_ZIP_FOLDER: &str = "__MACOSX";

/// Whether a folder entry named `name` is left out of clip lists: hidden entries (`.DS_Store`,
/// AppleDouble `._a.wav` files) and macOS's `__MACOSX/` folder of AppleDouble copies.
pub fn is_skipped_entry(name: &str) -> bool {
    name.starts_with('.') || name == MACOS_ZIP_FOLDER
}

/// The entries of `dir` that may be clips or class folders (see [`is_skipped_entry`]), sorted.
fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if !is_skipped_entry(&entry.file_name().to_string_lossy()) {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
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

fn ext_is(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .map(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        .unwrap_or(false)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The error of a WAV file in a RAVDESS layout whose name is not a RAVDESS code.
fn not_ravdess_name(p: &Path) -> Error {
    Error::data(
        p,
        "not a RAVDESS file name (seven two-digit fields: 03-01-05-01-02-01-12.wav)",
    )
}

fn is_ravdess_name(s: &str) -> bool {
    let f: Vec<&str> = s.split('-').collect();
    f.len() == 7
        && f.iter()
            .all(|x| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a file stem follows the EmoDB naming, exactly seven characters as in `03a01Fa`: two
/// speaker digits, the text's letter and two digits, an upper-case emotion letter and a
/// lower-case version letter. (An unknown emotion letter is still an EmoDB name, so that it
/// gets its own error; names of other corpora, such as CREMA-D's `1001_DFA_ANG_XX`, are not.)
pub(crate) fn is_emodb_name(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2].is_ascii_lowercase()
        && b[3..5].iter().all(u8::is_ascii_digit)
        && b[5].is_ascii_uppercase()
        && b[6].is_ascii_lowercase()
}

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
/// `frame,x0,y0,...,x67,y67` or `x0,y0,...,x67,y67` (any case, spaces around fields allowed),
/// or those columns in another order, which the landmark reader then refuses by name.
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
    let Some(line) = text
        .trim_start_matches('\u{feff}')
        .lines()
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

/// Whether the last component of `p` names a RAVDESS actor folder: `Actor_<digits>`, any case.
fn is_actor_folder(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.strip_prefix("actor_")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
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

/// The label, speaker and recording of a RAVDESS WAV file: every field of its name must be a
/// code of the data set, modality 01 (audio-video, whose audio was extracted) or 03 (audio
/// only; 02 is video only and has no sound), vocal channel 01 (speech) or 02 (song), an emotion
/// 01 to 08 (songs have no disgust or surprise), intensity 01 or 02 (neutral has no strong
/// intensity), statement and repetition 01 or 02, actor 01 to 24. The recording is the name
/// without its modality: the audio-only file and the audio of the audio-video file are one.
fn ravdess_clip(p: &Path) -> Result<(usize, String, String)> {
    let s = stem(p);
    if !is_ravdess_name(&s) {
        return Err(not_ravdess_name(p));
    }
    let f: Vec<&str> = s.split('-').collect();
    let bad = |what: String| Error::data(p, format!("not a RAVDESS recording: {what}"));
    let in_range = |x: &str, hi: u8| x.parse::<u8>().is_ok_and(|v| (1..=hi).contains(&v));
    match f[0] {
        "01" | "03" => {}
        "02" => {
            return Err(bad(
                "modality 02 is video-only (no sound); audio clips are 03 (audio-only) or the \
                 audio of 01 (audio-video)"
                    .into(),
            ))
        }
        m => {
            return Err(bad(format!(
                "unknown modality code '{m}' (known: 01 audio-video, 02 video-only, 03 \
                 audio-only)"
            )))
        }
    }
    let checks = [
        (f[1], 2, "vocal channel", "01 speech, 02 song"),
        (f[3], 2, "intensity", "01 normal, 02 strong"),
        (f[4], 2, "statement", "01 or 02"),
        (f[5], 2, "repetition", "01 or 02"),
        (f[6], 24, "actor", "01 to 24"),
    ];
    for (code, hi, field, known) in checks {
        if !in_range(code, hi) {
            return Err(bad(format!(
                "unknown {field} code '{code}' (known: {known})"
            )));
        }
    }
    let label = RAVDESS_CODES
        .iter()
        .position(|&(c, _)| c == f[2])
        .ok_or_else(|| {
            Error::data(
                p,
                format!("unknown RAVDESS emotion code '{}' (known: 01 to 08)", f[2]),
            )
        })?;
    let emotion = RAVDESS_CODES[label].1;
    if label == 0 && f[3] == "02" {
        return Err(bad(
            "intensity 02 (strong) with emotion 01: neutral has no strong intensity".into(),
        ));
    }
    if f[1] == "02" && label >= 6 {
        return Err(bad(format!(
            "emotion {} ({emotion}) in a song (vocal channel 02): the songs are neutral, calm, \
             happy, sad, angry or fearful",
            f[2]
        )));
    }
    Ok((label, ravdess_speaker(&s), f[1..].join("-")))
}

fn ravdess_speaker(stem: &str) -> String {
    stem.split('-').nth(6).unwrap_or_default().to_string()
}

fn emodb_speaker(stem: &str) -> String {
    stem[..2].to_string()
}

/// The speaker a file name names under the RAVDESS or EmoDB scheme, if it follows one.
pub fn speaker_from_name(path: &Path) -> Option<String> {
    let s = stem(path);
    if is_ravdess_name(&s) {
        Some(ravdess_speaker(&s))
    } else if is_emodb_name(&s) {
        Some(emodb_speaker(&s))
    } else {
        None
    }
}

/// The speakers that the file names of `paths` carry, taken together: each name's speaker when
/// every name follows the same scheme (all RAVDESS or all EmoDB), otherwise none at all. Training
/// on a per-class layout and `predict` both use this rule, so they group clips alike.
pub fn speakers_from_names(paths: &[&Path]) -> Vec<Option<String>> {
    let stems: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    let speaker_of: fn(&str) -> String = if stems.iter().all(|s| is_ravdess_name(s)) {
        ravdess_speaker
    } else if stems.iter().all(|s| is_emodb_name(s)) {
        emodb_speaker
    } else {
        return vec![None; paths.len()];
    };
    stems.iter().map(|s| Some(speaker_of(s))).collect()
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
