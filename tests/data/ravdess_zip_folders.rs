//! RAVDESS as Zenodo distributes it, `Audio_Speech_Actors_01-24.zip` and
//! `Audio_Song_Actors_01-24.zip`, each unzipped into a folder named after its archive: the
//! actor folders lie one folder down. Detection read such a data folder as face-frame folders
//! (`video`), the two archives as its classes and the actors as clips; it is RAVDESS, labelled
//! from the coded names.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{scratch, write};
use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};

fn tmp(name: &str) -> PathBuf {
    scratch("rav-zips", name)
}

fn touch_all(dir: &Path, names: &[&str]) {
    for n in names {
        write(&dir.join(n), b"");
    }
}

const ZIPS: [&str; 4] = [
    "Audio_Speech_Actors_01-24/Actor_01/03-01-05-01-01-01-01.wav",
    "Audio_Speech_Actors_01-24/Actor_02/03-01-03-01-01-01-02.wav",
    "Audio_Song_Actors_01-24/Actor_01/03-02-04-01-01-01-01.wav",
    "Audio_Song_Actors_01-24/Actor_02/03-02-05-01-01-01-02.wav",
];

#[test]
fn actor_folders_inside_the_archive_folders_are_ravdess() {
    let d = tmp("zenodo");
    touch_all(&d, &ZIPS);
    touch_all(&d, &["README.txt"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Ravdess);
    for format in [None, Some(DatasetFormat::Ravdess)] {
        let list = load_clips(&d, format).unwrap();
        assert_eq!(list.format, DatasetFormat::Ravdess);
        assert_eq!(list.classes, ["happy", "sad", "angry"]);
        assert_eq!(list.clips.len(), 4);
        assert_eq!(list.speakers(), ["01", "02"]);
        let mut paths: Vec<&Path> = list.clips.iter().map(|c| c.path.as_path()).collect();
        let listed = paths.clone();
        paths.sort();
        assert_eq!(listed, paths, "clips sorted by path");
    }
}

#[test]
fn a_badly_named_wav_in_a_nested_actor_folder_is_named() {
    let d = tmp("misnamed");
    touch_all(&d, &ZIPS);
    touch_all(&d, &["Audio_Song_Actors_01-24/Actor_02/take (1).wav"]);
    let e = load_clips(&d, None).unwrap_err().to_string();
    assert!(
        e.contains("take (1).wav") && e.contains("not a RAVDESS"),
        "{e}"
    );
}

#[test]
fn one_archive_folder_holding_one_actor_is_ravdess() {
    let d = tmp("one");
    touch_all(
        &d,
        &[
            "Audio_Speech_Actors_01-24/Actor_07/03-01-05-01-01-01-07.wav",
            "Audio_Speech_Actors_01-24/Actor_07/03-01-03-01-01-01-07.wav",
        ],
    );
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Ravdess);
    assert_eq!(list.classes, ["happy", "angry"]);
}
