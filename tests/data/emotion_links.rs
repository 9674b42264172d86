//! Clips reached through symbolic links: a link to a clip reads as the clip, and a link whose
//! target is missing is an error naming it, not a clip silently left out of the data set.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-emotion-links-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn touch(p: &Path) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, b"").unwrap();
}

fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// Loading `dir` (detected and as `format`) fails with an [`Error::Data`] naming `dangling`.
fn names_the_dangling_link(dir: &Path, format: DatasetFormat, dangling: &Path) {
    for f in [None, Some(format)] {
        let e = load_clips(dir, f).unwrap_err();
        assert!(matches!(e, Error::Data { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains(&dangling.display().to_string()) && text.contains("missing"),
            "{text}"
        );
    }
}

#[test]
fn linked_clips_are_read_as_clips() {
    let store = tmp("store");
    touch(&store.join("03a01Fa.wav"));
    touch(&store.join("08a01Wa.wav"));
    let d = tmp("linked-emodb");
    link(&store.join("03a01Fa.wav"), &d.join("03a01Fa.wav"));
    link(&store.join("08a01Wa.wav"), &d.join("08a01Wa.wav"));
    let list = load_clips(&d, None).unwrap();
    assert_eq!(list.format, DatasetFormat::Emodb);
    assert_eq!(list.clips.len(), 2);
    let f = tmp("linked-folder");
    link(&store.join("03a01Fa.wav"), &f.join("happy/a.wav"));
    link(&store.join("08a01Wa.wav"), &f.join("angry/b.wav"));
    assert_eq!(load_clips(&f, None).unwrap().clips.len(), 2);
}

#[test]
fn a_dangling_link_in_an_emodb_folder_is_an_error_naming_it() {
    let d = tmp("dangling-emodb");
    touch(&d.join("03a01Fa.wav"));
    touch(&d.join("08a01Wa.wav"));
    let dangling = d.join("09a01Wa.wav");
    link(&d.join("moved/09a01Wa.wav"), &dangling);
    names_the_dangling_link(&d, DatasetFormat::Emodb, &dangling);
}

#[test]
fn a_dangling_link_in_ravdess_actor_folders_is_an_error_naming_it() {
    let d = tmp("dangling-ravdess");
    touch(&d.join("Actor_01/03-01-05-01-01-01-01.wav"));
    touch(&d.join("Actor_02/03-01-03-01-01-01-02.wav"));
    let dangling = d.join("Actor_02/03-01-05-01-01-01-02.wav");
    link(&d.join("gone.wav"), &dangling);
    names_the_dangling_link(&d, DatasetFormat::Ravdess, &dangling);
}

#[test]
fn a_dangling_link_in_a_class_folder_is_an_error_naming_it() {
    let d = tmp("dangling-folder");
    touch(&d.join("happy/a.wav"));
    touch(&d.join("sad/b.wav"));
    let dangling = d.join("sad/c.wav");
    link(&d.join("gone.wav"), &dangling);
    names_the_dangling_link(&d, DatasetFormat::Folder, &dangling);

    let n = tmp("dangling-features");
    touch(&n.join("happy/a.npy"));
    touch(&n.join("sad/b.npy"));
    let dangling = n.join("happy/c.npy");
    link(&n.join("gone.npy"), &dangling);
    names_the_dangling_link(&n, DatasetFormat::Features, &dangling);
}
