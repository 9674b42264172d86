//! RAVDESS file names are seven coded fields, and each field has a known range: a WAV whose
//! name is not a RAVDESS recording (a video-only file, a neutral clip at strong intensity, a
//! song of an emotion the songs lack, an actor beyond 24) is an error naming the file and the
//! field, and one recording found under two modalities is refused like any other copy.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-ravdess-codes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn touch(dir: &Path, names: &[&str]) {
    for n in names {
        let p = dir.join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"").unwrap();
    }
}

/// Two valid clips beside `bad`: loading (detected and forced) fails naming `bad` and `needle`.
fn refused(name: &str, bad: &str, needle: &str) {
    let d = tmp(name);
    touch(
        &d,
        &["03-01-05-01-01-01-01.wav", "03-01-03-02-02-02-24.wav", bad],
    );
    for format in [None, Some(DatasetFormat::Ravdess)] {
        let e = load_clips(&d, format).unwrap_err();
        assert!(matches!(e, Error::Data { .. }), "{bad}: {e}");
        let text = e.to_string();
        assert!(
            text.contains(bad) && text.contains(needle) && !text.contains("  "),
            "{bad}: expected '{needle}' in: {text}"
        );
    }
}

#[test]
fn valid_ravdess_speech_song_and_extracted_audio_names_load() {
    let d = tmp("valid");
    touch(
        &d,
        &[
            // audio-only speech, strong angry, actor 24
            "03-01-05-02-02-02-24.wav",
            // audio-only song, fearful
            "03-02-06-01-01-01-01.wav",
            // audio extracted from an audio-video file (modality 01)
            "01-01-01-01-01-01-02.wav",
        ],
    );
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.classes, ["neutral", "angry", "fearful"]);
    assert_eq!(list.speakers(), ["01", "02", "24"]);
}

#[test]
fn a_video_only_ravdess_file_is_not_an_audio_clip() {
    refused("video-only", "02-01-05-01-01-01-03.wav", "video-only");
}

#[test]
fn unknown_ravdess_modality_channel_statement_and_repetition_codes_are_refused() {
    refused("modality", "04-01-05-01-01-01-03.wav", "modality");
    refused("modality-zero", "00-01-05-01-01-01-03.wav", "modality");
    refused("channel", "03-03-05-01-01-01-03.wav", "vocal channel");
    refused("intensity", "03-01-05-03-01-01-03.wav", "intensity");
    refused("statement", "03-01-05-01-03-01-03.wav", "statement");
    refused("repetition", "03-01-05-01-01-00-03.wav", "repetition");
}

#[test]
fn ravdess_actors_are_01_to_24() {
    refused("actor-zero", "03-01-05-01-01-01-00.wav", "actor");
    refused("actor-25", "03-01-05-01-01-01-25.wav", "actor");
}

#[test]
fn a_neutral_ravdess_clip_has_no_strong_intensity() {
    refused("neutral-strong", "03-01-01-02-01-01-03.wav", "neutral");
}

#[test]
fn ravdess_songs_have_no_disgust_or_surprise() {
    refused("song-disgust", "03-02-07-01-01-01-03.wav", "song");
    refused("song-surprised", "03-02-08-02-01-01-03.wav", "song");
}

#[test]
fn one_recording_under_two_modalities_is_refused_as_a_copy() {
    // The audio-only file and the audio of the audio-video file are one recording: read both
    // and the clip counts twice (and can be tested on while its twin trains).
    let d = tmp("two-modalities");
    touch(
        &d,
        &[
            "03-01-05-01-01-01-01.wav",
            "03-01-03-01-01-01-02.wav",
            "extracted/01-01-03-01-01-01-02.wav",
        ],
    );
    let e = load_clips(&d, None).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("01-01-03-01-01-01-02") && text.contains("03-01-03-01-01-01-02.wav"),
        "{text}"
    );
}
