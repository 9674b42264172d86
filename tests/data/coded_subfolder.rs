//! A data folder whose only folder of WAV clips holds EmoDB- or RAVDESS-coded names of several
//! emotions (EmoDB as distributed: `wav/` beside `lablaut/`, `silb/` and text files) is that
//! coded layout, labelled from the names. It was read as a folder per class: one class named
//! `wav` holding every clip (or, beside EmoDB's label folders, an error that `lablaut` holds no
//! WAV files).

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{scratch, write};
use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};

const EMODB_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/emodb");

fn tmp(name: &str) -> PathBuf {
    scratch("coded-sub", name)
}

fn touch_all(dir: &Path, names: &[&str]) {
    for n in names {
        write(&dir.join(n), b"x");
    }
}

#[test]
fn the_emodb_download_folder_is_emodb_not_one_class() {
    let dir = Path::new(EMODB_ROOT);
    assert_eq!(detect_format(dir).unwrap(), DatasetFormat::Emodb);
    let list = load_clips(dir, None).unwrap();
    assert_eq!(list.clips.len(), 408);
    assert_eq!(list.classes.len(), 7);
    assert_eq!(list.speakers().len(), 8);
}

#[test]
fn emodb_wav_folder_beside_its_label_folders_is_emodb() {
    let d = tmp("emodb");
    touch_all(
        &d.join("wav"),
        &["03a01Fa.wav", "03a01Wa.wav", "08a02Ta.wav"],
    );
    touch_all(&d.join("lablaut"), &["03a01Fa.lab"]);
    touch_all(&d.join("silb"), &["03a01Fa.silb"]);
    touch_all(&d, &["erklaerung.txt"]);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Emodb);
    assert_eq!(list.classes, ["anger", "happiness", "sadness"]);
    assert_eq!(list.speakers(), ["03", "08"]);
}

#[test]
fn one_folder_of_ravdess_names_is_ravdess() {
    let d = tmp("ravdess");
    touch_all(
        &d.join("audio"),
        &["03-01-05-01-02-01-01.wav", "03-01-04-01-02-01-02.wav"],
    );
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Ravdess);
    assert_eq!(list.classes, ["sad", "angry"]);
}

#[test]
fn class_folders_of_coded_names_stay_a_folder_per_class() {
    // Two class folders (as `synchgraph features` writes coded clips) are classes.
    let d = tmp("two");
    touch_all(&d.join("anger"), &["03a01Wa.wav"]);
    touch_all(&d.join("happiness"), &["03a01Fa.wav"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
    // One folder of names that follow no scheme is still read as it is.
    let d = tmp("plain");
    touch_all(&d.join("angry"), &["a.wav", "b.wav"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
    // One folder of coded names of one emotion is a class (a subset with one class).
    let d = tmp("one-emotion");
    touch_all(&d.join("wut"), &["03a01Wa.wav", "08a02Wb.wav"]);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(
        (list.format, list.classes),
        (DatasetFormat::Folder, vec!["wut".to_string()])
    );
    // Nor do EmoDB and RAVDESS names mixed in one folder make a coded layout.
    let d = tmp("mixed");
    touch_all(&d.join("wav"), &["03a01Wa.wav", "03-01-05-01-02-01-01.wav"]);
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Folder);
}
