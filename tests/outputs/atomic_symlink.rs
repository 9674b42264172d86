//! `write_atomic` through a symbolic link writes the file the link points to and keeps the link.
//! The temporary file was renamed over the link itself, so a user who had linked
//! `out/metrics.json` to a file on another disk found the link replaced by a regular file and
//! the file on the other disk never updated. Chains of links are followed to the last, a dangling
//! link (whose target's folder exists) creates its target, and a loop of links is an error.

#![cfg(unix)]

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use synchgraph::report::atomic::next_temporary_paths;
use synchgraph::report::write_atomic;

/// A fresh, empty folder for test `name`.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sg-atomic-link-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `path` is still a symbolic link pointing at `to`.
fn assert_link(path: &Path, to: &Path) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "{} is no longer a link",
        path.display()
    );
    assert_eq!(std::fs::read_link(path).unwrap(), to);
}

/// The names in `dir`, sorted (temporary files left behind would show here).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_link_is_kept_and_its_target_written() {
    let base = folder("kept");
    let (out, disk) = (base.join("out"), base.join("disk"));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&disk).unwrap();
    let target = disk.join("metrics.json");
    std::fs::write(&target, b"old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = out.join("metrics.json");
    symlink(&target, &link).unwrap();
    write_atomic(&link, b"new").unwrap();
    assert_link(&link, &target);
    assert_eq!(std::fs::read(&target).unwrap(), b"new");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the target's mode is {mode:o}");
    // The temporary file lives beside the target (one rename on its disk), and none is left.
    for tmp in next_temporary_paths(&link, 1).unwrap() {
        assert_eq!(tmp.parent(), Some(disk.as_path()));
    }
    assert_eq!(names(&out), vec!["metrics.json"]);
    assert_eq!(names(&disk), vec!["metrics.json"]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn relative_links_and_chains_are_followed_to_the_last_target() {
    let base = folder("chain");
    std::fs::create_dir_all(base.join("a")).unwrap();
    std::fs::create_dir_all(base.join("b")).unwrap();
    let last = base.join("b/model.safetensors");
    std::fs::write(&last, b"old").unwrap();
    // first -> a/second (relative to first's folder) -> ../b/model.safetensors (relative).
    symlink("../b/model.safetensors", base.join("a/second")).unwrap();
    symlink("a/second", base.join("first")).unwrap();
    write_atomic(&base.join("first"), b"new").unwrap();
    assert_link(&base.join("first"), Path::new("a/second"));
    assert_link(&base.join("a/second"), Path::new("../b/model.safetensors"));
    assert_eq!(std::fs::read(&last).unwrap(), b"new");
    assert_eq!(names(&base.join("b")), vec!["model.safetensors"]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_dangling_link_creates_its_target() {
    let base = folder("dangling");
    let target = base.join("elsewhere.csv");
    let link = base.join("log.csv");
    symlink("elsewhere.csv", &link).unwrap();
    write_atomic(&link, b"rows").unwrap();
    assert_link(&link, Path::new("elsewhere.csv"));
    assert_eq!(std::fs::read(&target).unwrap(), b"rows");
    // A link into a folder that does not exist: the missing folder is named, nothing changes.
    let gone = base.join("gone");
    let far = base.join("far.csv");
    symlink(gone.join("x.csv"), &far).unwrap();
    let text = write_atomic(&far, b"x").unwrap_err().to_string();
    assert!(
        text.contains("folder") && text.contains(&gone.display().to_string()),
        "{text}"
    );
    assert!(!gone.exists());
    assert_link(&far, &gone.join("x.csv"));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_loop_of_links_is_an_error_and_the_links_are_kept() {
    let base = folder("loop");
    let (a, b) = (base.join("a"), base.join("b"));
    symlink("b", &a).unwrap();
    symlink("a", &b).unwrap();
    let text = write_atomic(&a, b"x").unwrap_err().to_string();
    assert!(text.contains("symbolic links"), "{text}");
    assert_link(&a, Path::new("b"));
    assert_link(&b, Path::new("a"));
    assert_eq!(names(&base), vec!["a", "b"]);
    let _ = std::fs::remove_dir_all(&base);
}
