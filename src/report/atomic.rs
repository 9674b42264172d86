//! Atomic file writes: a synced temporary file beside the target, renamed over it, so readers
//! never see a partial file, and the removal of what killed writers left behind.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Write `bytes` to `path` through a synced temporary file and a rename, so readers never see a
/// partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Distinguishes the temporary files of concurrent writes from one process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many temporary names one write tries before it gives up: a name already taken (by
/// another writer with the same pid and counter, such as a process in another container sharing
/// the folder) moves on to the next counter value.
#[doc(hidden)]
pub const TEMPORARY_ATTEMPTS: usize = 64;

/// The longest file name part of a temporary name, in bytes: with the dot before it and
/// `.<pid>.<n>.tmp` after it (at most 36 bytes), the name stays within the 255 bytes that
/// file systems allow, so a target whose own name is near that limit can still be written.
const TEMPORARY_STEM_BYTES: usize = 200;

/// `file_name` cut to at most [`TEMPORARY_STEM_BYTES`] bytes, at a character boundary.
fn temporary_stem(file_name: &str) -> &str {
    let mut end = file_name.len().min(TEMPORARY_STEM_BYTES);
    while !file_name.is_char_boundary(end) {
        end -= 1;
    }
    &file_name[..end]
}

/// The temporary file `.<file_name>.<pid>.<n>.tmp` in `dir`, the file name cut to
/// [`TEMPORARY_STEM_BYTES`].
fn temporary_path(dir: &Path, file_name: &str, pid: u32, n: u64) -> PathBuf {
    let stem = temporary_stem(file_name);
    dir.join(format!(".{stem}.{pid}.{n}.tmp"))
}

/// The folder holding `path` (`.` for a bare name) and the file name of `path`; `None` when
/// the path names no file (`/`, `..`).
pub fn parent_and_name(path: &Path) -> Option<(PathBuf, String)> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some((parent, name))
}

/// Flush the entries of `folder` to disk, where the platform allows it (best effort).
pub fn sync_folder(folder: &Path) {
    if let Ok(d) = fs::File::open(folder) {
        let _ = d.sync_all();
    }
}

/// The folder and file name of the target `path` of an atomic write.
fn split_target(path: &Path) -> Result<(PathBuf, String)> {
    parent_and_name(path).ok_or_else(|| Error::Checkpoint {
        path: path.display().to_string(),
        message: "the path names no file".into(),
    })
}

/// How many symbolic links one write follows before it takes them for a loop (Linux's limit).
const MAX_LINKS: usize = 40;

/// The file that a write to `path` replaces: `path` itself, or, where `path` is a symbolic
/// link, the file at the end of its chain of links (a relative link read from the link's own
/// folder), so that the links are kept and the file they point to is written. A link whose
/// target does not exist resolves to that target; more than [`MAX_LINKS`] links is an error.
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        // A path that cannot be looked at (it does not exist, its folder is a file) is not a
        // link: creating the temporary file beside it reports what is wrong.
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow (a loop of links?)"
    )))
}

/// The temporary names the next `count` attempts of this process to write `path` would try,
/// absent other writes in between (for tests of name collisions); beside the file `path`'s
/// symbolic links point to, where it is one.
#[doc(hidden)]
pub fn next_temporary_paths(path: &Path, count: usize) -> Result<Vec<PathBuf>> {
    let target = resolve_links(path).map_err(|e| Error::io(path, e))?;
    let (dir, file_name) = split_target(&target)?;
    let (pid, next) = (std::process::id(), TMP_COUNTER.load(Ordering::Relaxed));
    Ok((next..next + count as u64)
        .map(|n| temporary_path(&dir, &file_name, pid, n))
        .collect())
}

/// Create a new temporary file for `file_name` in `dir`, never opening an existing one: a name
/// that exists moves on to the next counter value, up to [`TEMPORARY_ATTEMPTS`] names.
fn create_temporary(dir: &Path, file_name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..TEMPORARY_ATTEMPTS {
        let tmp = temporary_path(
            dir,
            file_name,
            pid,
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed),
        );
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(tmp),
            Err(e) => return Err(e),
        }
    }
    let last = last.map_or_else(String::new, |p| p.display().to_string());
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!(
            "no free temporary file name: {TEMPORARY_ATTEMPTS} names tried, all taken \
             (the last {last})"
        ),
    ))
}

/// Stream a file to `path` atomically: `write` fills a buffered temporary file in the same
/// folder (`.<name>.<pid>.<n>.tmp`, created new: an existing file of that name, another
/// writer's, is never opened, and the next `n` is tried instead), which is synced and renamed
/// over `path`; a file already at `path` passes its permissions on to the new one, before
/// anything is written to it. Where `path` is a symbolic link (or a chain of them), the file
/// it points to is written that way instead, beside itself, and the links are kept; a link to
/// a file not yet made creates it. On any failure (a panic of `write` included) the temporary
/// file is removed and `path` is left as it was. After a successful write, the temporary files
/// of `path` left by processes that were killed mid-write are removed (on Linux, where a
/// process's liveness shows in `/proc`).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let target = resolve_links(path).map_err(|e| Error::io(path, e))?;
    let (dir, file_name) = split_target(&target)?;
    // A failure to create the temporary file removes nothing: a name that was taken is
    // another writer's file.
    let (tmp, file) =
        create_temporary(&dir, &file_name).map_err(|e| Error::io(path, folder_error(&dir, e)))?;
    // Removes the temporary file unless it was renamed into place: on an error, and also when
    // `write` panics and the panic is caught further up (the process lives on, so no later
    // write would take the file for a dead writer's leftover).
    let mut guard = RemoveOnDrop(Some(tmp.clone()));
    let result = (|| -> std::io::Result<()> {
        // A file written over keeps its permissions (a model made private stays private),
        // from before the first byte: the contents never sit in a file more open than the old.
        if let Ok(old) = fs::metadata(&target) {
            file.set_permissions(old.permissions())?;
        }
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, &target)?;
        guard.0 = None;
        sync_folder(&dir);
        remove_stale_temporaries(&dir, &file_name);
        Ok(())
    })();
    drop(guard);
    result.map_err(|e| Error::io(path, e))
}

/// `e`, the failure to create a temporary file in `dir`, reworded where `dir` itself is what
/// is wrong (it does not exist, or is not a folder): the OS message alone ("No such file or
/// directory") reads as if the target file were missing.
fn folder_error(dir: &Path, e: std::io::Error) -> std::io::Error {
    let reworded = |m: String| std::io::Error::new(e.kind(), m);
    match fs::metadata(dir) {
        Err(m) if m.kind() == std::io::ErrorKind::NotFound => {
            reworded(format!("the folder {} does not exist", dir.display()))
        }
        Ok(m) if !m.is_dir() => reworded(format!("{} is not a folder", dir.display())),
        _ => e,
    }
}

/// A temporary file removed when this is dropped, unless its path was taken out first.
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Remove the `.<file_name>.<pid>.<n>.tmp` files in `dir` whose writing process is gone (it was
/// killed between creating and renaming them); see [`remove_dead_leftovers`].
fn remove_stale_temporaries(dir: &Path, file_name: &str) {
    let stem = temporary_stem(file_name);
    remove_dead_leftovers(dir, &format!(".{stem}."), '.', ".tmp");
}

/// Remove the entries `<prefix><pid><separator><n><suffix>` of `dir` (files or folders) whose
/// writing process is gone: leftovers of writes killed before they were renamed into place.
/// Entries of live processes (this one included), which may be concurrent writers, are kept.
/// Only on Linux, where a process's liveness shows in `/proc`; elsewhere nothing is removed. A
/// writer in another PID namespace (another container sharing the folder) looks gone, so two
/// containers should not write the same output at the same time.
pub fn remove_dead_leftovers(dir: &Path, prefix: &str, separator: char, suffix: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((pid, n)) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|r| r.strip_suffix(suffix))
            .and_then(|r| r.split_once(separator))
        else {
            continue;
        };
        if !digits(n) || !digits(pid) || Path::new("/proc").join(pid).exists() {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            let _ = fs::remove_dir_all(path);
        } else {
            let _ = fs::remove_file(path);
        }
    }
}
