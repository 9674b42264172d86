//! The layouts a data folder of emotion clips can have ([`DatasetFormat`]), and the listing
//! of a folder's entries that detection and loading share (hidden and macOS entries skipped).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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

/// The folder that unzipping an archive made on macOS leaves beside the data: it holds only
/// AppleDouble (`._name`) copies of the files, never clips.
const MACOS_ZIP_FOLDER: &str = "__MACOSX";

/// Whether a folder entry named `name` is left out of clip lists: hidden entries (`.DS_Store`,
/// AppleDouble `._a.wav` files) and macOS's `__MACOSX/` folder of AppleDouble copies.
pub fn is_skipped_entry(name: &str) -> bool {
    name.starts_with('.') || name == MACOS_ZIP_FOLDER
}

/// The entries of `dir` that may be clips or class folders (see [`is_skipped_entry`]), sorted.
pub(super) fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
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

/// Whether `p`'s extension is one of `exts` (ignoring ASCII case).
pub(super) fn ext_is(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .map(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        .unwrap_or(false)
}

/// `p`'s file name without its extension (lossy UTF-8; empty when it has none).
pub(super) fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
