//! RAVDESS `Actor_NN/` folders beside a folder that does not name an actor: the coded file
//! names still give the labels. Such a layout used to be read as a folder per class, each
//! actor a class, without a word (a copied `Actor_02 (copy)/` gave three "emotions"), or was
//! refused as holding two layouts (Kaggle's copy, which nests a second set of actor folders in
//! `audio_speech_actors_01-24/`).

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{detect_format, load_clips, DatasetFormat};
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-rav-actors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Empty files at `names` under `dir` (the clip lists read names, not contents).
fn touch_all(dir: &Path, names: &[&str]) {
    for n in names {
        let p = dir.join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"").unwrap();
    }
}

const ACTORS: [&str; 4] = [
    "Actor_01/03-01-05-01-01-01-01.wav",
    "Actor_01/03-01-03-01-01-01-01.wav",
    "Actor_02/03-01-05-01-01-01-02.wav",
    "Actor_02/03-01-03-01-01-01-02.wav",
];

#[test]
fn a_copied_actor_folder_is_a_copy_not_a_class() {
    let d = tmp("copy");
    touch_all(&d, &ACTORS);
    touch_all(
        &d,
        &[
            "Actor_02 (copy)/03-01-05-01-01-01-02.wav",
            "Actor_02 (copy)/03-01-03-01-01-01-02.wav",
        ],
    );
    assert_eq!(detect_format(&d).unwrap(), DatasetFormat::Ravdess);
    let e = load_clips(&d, None).unwrap_err();
    assert!(matches!(e, Error::Data { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("Actor_02 (copy)") && text.contains("Actor_02/"),
        "{text}"
    );
}

#[test]
fn coded_clips_beside_actor_folders_take_their_labels_from_their_names() {
    let d = tmp("extra");
    touch_all(&d, &ACTORS);
    touch_all(&d, &["more/03-01-04-01-01-01-03.wav"]);
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Ravdess);
    assert_eq!(list.classes, ["happy", "sad", "angry"]);
    assert_eq!(list.speakers(), ["01", "02", "03"]);
    // An uncoded WAV among them is named, as in the actor folders themselves.
    touch_all(&d, &["more/notes.wav"]);
    let e = load_clips(&d, None).unwrap_err();
    assert!(
        e.to_string().contains("notes.wav") && e.to_string().contains("not a RAVDESS"),
        "{e}"
    );
}

#[test]
fn kaggles_nested_copy_of_the_actor_folders_is_not_read_twice() {
    let d = tmp("kaggle");
    touch_all(&d, &ACTORS);
    for a in ACTORS {
        touch_all(&d, &[&format!("audio_speech_actors_01-24/{a}")]);
    }
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Ravdess);
    assert_eq!(list.clips.len(), 4);
    assert_eq!(list.classes, ["happy", "angry"]);
}
