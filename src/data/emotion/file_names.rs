//! The file-name schemes of EmoDB and RAVDESS: their emotion codes, whether a name follows a
//! scheme, and the label, speaker and recording a coded name carries.

use std::path::Path;

use super::format::stem;
use crate::error::{Error, Result};

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

/// The error of a WAV file in a RAVDESS layout whose name is not a RAVDESS code.
pub(super) fn not_ravdess_name(p: &Path) -> Error {
    Error::data(
        p,
        "not a RAVDESS file name (seven two-digit fields: 03-01-05-01-02-01-12.wav)",
    )
}

/// Whether a file stem follows the RAVDESS scheme: seven two-digit fields joined by `-`.
pub(super) fn is_ravdess_name(s: &str) -> bool {
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

/// Whether the last component of `p` names a RAVDESS actor folder: `Actor_<digits>`, any case.
pub(super) fn is_actor_folder(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.strip_prefix("actor_")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The label, speaker and recording of a RAVDESS WAV file: every field of its name must be a
/// code of the data set, modality 01 (audio-video, whose audio was extracted) or 03 (audio
/// only; 02 is video only and has no sound), vocal channel 01 (speech) or 02 (song), an emotion
/// 01 to 08 (songs have no disgust or surprise), intensity 01 or 02 (neutral has no strong
/// intensity), statement and repetition 01 or 02, actor 01 to 24. The recording is the name
/// without its modality: the audio-only file and the audio of the audio-video file are one.
pub(super) fn ravdess_clip(p: &Path) -> Result<(usize, String, String)> {
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

/// The speaker of an EmoDB stem: its first two characters.
pub(super) fn emodb_speaker(stem: &str) -> String {
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
