//! A folder written in full or not at all: an output folder is filled as a hidden work folder
//! beside its target and renamed into place once complete, so a failed or killed command never
//! leaves a folder that reads as finished.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context, Result};
use synchgraph::report::atomic::{parent_and_name, sync_folder};
use synchgraph::report::remove_dead_leftovers;

use crate::cli::out_paths::create_out_dir;

/// Write `bytes` to the new file `path` and flush them to disk, with an error naming the file.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    })()
    .with_context(|| format!("writing {}", path.display()))
}

/// Distinguishes the work folders of exports of one process.
static WORK_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The hidden work folder `.<name>.partial-<pid>-<n>` beside the export's target folder
/// `<name>`, which an export fills and [`WorkDir::finish`] renames to the target. Dropped
/// unfinished (an error or a panic), it is removed with what was written into it, and so are
/// the parent folders of the target that [`WorkDir::create`] made, while they are empty.
pub struct WorkDir {
    /// The work folder.
    pub path: PathBuf,
    /// The folders above the target that did not exist before the export, deepest first.
    made_parents: Vec<PathBuf>,
    /// The folder `--out` names, resolved when it exists (an empty folder, maybe through a link).
    target: PathBuf,
    /// `--out` as given, for messages.
    out: PathBuf,
    /// Whether the work folder became the target.
    done: bool,
}

impl WorkDir {
    /// Create the work folder of the output folder `out` (and the folders above `out`), which
    /// the caller has checked is new or empty. Fails, naming `--out`, where the folder cannot be
    /// made.
    pub fn create(out: &Path) -> Result<Self> {
        let target = if out.is_dir() {
            std::fs::canonicalize(out)
                .with_context(|| format!("--out {}: resolving it", out.display()))?
        } else {
            // Rebuilt from its folder and name, so `new/.` is renamed to `new` at the end (the
            // name as given, not as text: a name that is not UTF-8 stays as it is).
            let name = out
                .file_name()
                .with_context(|| format!("--out {} names no folder", out.display()))?;
            match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.join(name),
                _ => Path::new(".").join(name),
            }
        };
        let (parent, name) = parent_and_name(&target)
            .with_context(|| format!("--out {} names no folder", out.display()))?;
        let made_parents = missing_folders(&parent);
        if let Err(e) = std::fs::create_dir_all(&parent) {
            remove_empty(&made_parents);
            return Err(e)
                .with_context(|| format!("--out {}: creating its parent folder", out.display()));
        }
        if out.is_dir() && !same_file_system(&target, &parent) {
            bail!(
                "--out {} is a mount point: the export is written beside it and then renamed \
                 into place, which cannot cross file systems; name a new folder inside it",
                out.display()
            );
        }
        let pid = std::process::id();
        loop {
            let n = WORK_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!(".{name}.partial-{pid}-{n}"));
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(WorkDir {
                        path,
                        made_parents,
                        target,
                        out: out.to_path_buf(),
                        done: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    remove_empty(&made_parents);
                    return Err(e).with_context(|| {
                        format!(
                            "--out {}: creating the work folder {}",
                            out.display(),
                            path.display()
                        )
                    });
                }
            }
        }
    }

    /// Put the complete export in place: remove the empty folder `--out` named, if any, and
    /// rename the work folder to it. Then remove the work folders of this target that killed
    /// exports left behind.
    pub fn finish(mut self) -> Result<()> {
        sync_folder(&self.path);
        if self.target.is_dir() {
            std::fs::remove_dir(&self.target).with_context(|| {
                format!(
                    "--out {}: removing the empty folder to put the export in its place (did \
                     something write into it during the export?)",
                    self.out.display()
                )
            })?;
        }
        std::fs::rename(&self.path, &self.target).with_context(|| {
            format!(
                "--out {}: moving the finished export {} there",
                self.out.display(),
                self.path.display()
            )
        })?;
        self.done = true;
        if let Some((parent, name)) = parent_and_name(&self.target) {
            sync_folder(&parent);
            remove_dead_leftovers(&parent, &format!(".{name}.partial-"), '-', "");
        }
        Ok(())
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
            remove_empty(&self.made_parents);
        }
    }
}

/// An output folder made for a run, with the parents that making it created (deepest first).
/// Dropped before [`MadeFolders::keep`] (a failed run), it removes those of them that are still
/// empty, so a failed command leaves no empty output folder behind; a folder that existed
/// before is kept. The default guards no folder.
#[derive(Default)]
pub struct MadeFolders {
    /// The folders created, deepest first.
    folders: Vec<PathBuf>,
}

impl MadeFolders {
    /// Create the output folder `out` of option `flag` (with its parents), remembering which of
    /// them are new.
    pub fn create(out: &Path, flag: &str) -> Result<Self> {
        let folders = missing_folders(out);
        create_out_dir(out, flag)?;
        Ok(MadeFolders { folders })
    }

    /// A guard of the folders of `path` that do not exist yet (`path` and its missing
    /// parents), for a caller that then makes them.
    pub fn missing(path: &Path) -> Self {
        MadeFolders {
            folders: missing_folders(path),
        }
    }

    /// The run is complete: keep the folders.
    pub fn keep(mut self) {
        self.folders.clear();
    }
}

impl Drop for MadeFolders {
    fn drop(&mut self) {
        remove_empty(&self.folders);
    }
}

/// `path` and those of its parents that do not exist (not even as a link), deepest first: the
/// folders `create_dir_all(path)` would make.
pub fn missing_folders(path: &Path) -> Vec<PathBuf> {
    path.ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_err())
        .map(Path::to_path_buf)
        .collect()
}

/// Remove `folders` (deepest first) while they are empty, stopping at the first that holds
/// something or cannot be removed.
pub fn remove_empty(folders: &[PathBuf]) {
    for folder in folders {
        if std::fs::remove_dir(folder).is_err() {
            break;
        }
    }
}

/// Whether the folders `a` and `b` lie on one file system (assumed where it cannot be told).
fn same_file_system(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev();
        }
    }
    let _ = (a, b);
    true
}
