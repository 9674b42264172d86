//! Output paths checked before the work that fills them, so a path that cannot be written fails
//! at once instead of after minutes of feature extraction or simulation.

use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::staged_folder::MadeFolders;

/// Create the output folder `dir` of option `flag` (with its parents). A `dir` that exists as
/// something other than a folder (a file) is an error saying so.
pub fn create_out_dir(dir: &Path, flag: &str) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{flag} {} exists and is not a folder; name a new or existing folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{flag} {}: creating it", dir.display()))
}

/// Check that the output file `path` of option `flag` can be written: it must not be a folder
/// nor be spelled as one (`x.csv/`), and its folder is created. Errors about the folder name
/// both it and `path`, the value given.
/// The folders made are removed again, while empty, when the returned guard is dropped before
/// [`MadeFolders::keep`], so a run that fails before writing `path` leaves no empty folder.
pub fn prepare_out_file(path: &Path, flag: &str) -> Result<MadeFolders> {
    if path.is_dir() {
        bail!("{flag} {} is a folder; name a file", path.display());
    }
    if !names_a_file(path) {
        bail!(
            "{flag} '{}' names no file (it is empty, or ends with a path separator, `.` or \
             `..`); name a file",
            path.display()
        );
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            if parent.exists() && !parent.is_dir() {
                bail!(
                    "{flag} {}: its folder {} exists and is not a folder",
                    path.display(),
                    parent.display()
                );
            }
            let made = MadeFolders::missing(parent);
            std::fs::create_dir_all(parent).with_context(|| {
                format!(
                    "{flag} {}: creating its folder {}",
                    path.display(),
                    parent.display()
                )
            })?;
            Ok(made)
        }
        _ => Ok(MadeFolders::default()),
    }
}

/// Whether `path`, as spelled, ends with a file name: not with a separator (`x.csv/`), `.` or
/// `..`, which `Path::file_name` looks past or refuses but a write to the path would not.
fn names_a_file(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    let last = text.rsplit(std::path::is_separator).next().unwrap_or("");
    path.file_name()
        .is_some_and(|name| name.to_string_lossy() == last)
}

/// Write `value` to `path` as pretty-printed JSON, atomically (a temporary file renamed over
/// `path`), with an error that names the file.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .with_context(|| format!("encoding {} as JSON", path.display()))?;
    synchgraph::report::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Remove a previous run's `metrics.json` from `out` before a run replaces its model, so a
/// folder whose new run fails part-way never shows the old metrics beside the new model
/// (`metrics.json` is written last and marks a complete run).
pub fn clear_metrics(out: &Path) -> Result<()> {
    let path = out.join("metrics.json");
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing the previous {}", path.display())),
    }
}

/// `path` made absolute with its existing part resolved (links, `..`) and the rest, which does
/// not exist yet, appended lexically: where `create_dir_all(path)` would make the folder.
fn resolved(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path)
        .with_context(|| format!("--out {}: resolving it", path.display()))?;
    for existing in abs.ancestors() {
        let Ok(mut at) = std::fs::canonicalize(existing) else {
            continue;
        };
        let rest = abs
            .strip_prefix(existing)
            .expect("an ancestor prefixes its path");
        for c in rest.components() {
            match c {
                Component::ParentDir => {
                    at.pop();
                }
                Component::Normal(name) => at.push(name),
                _ => {}
            }
        }
        return Ok(at);
    }
    Ok(abs)
}

/// Refuse an output folder `out` inside the data folder `data`: made before the clips are read,
/// or left there once written, it would be read back as part of the data (an empty class folder
/// in the per-class layouts), failing this run and every later one on that data. The data folder itself is allowed (files beside the
/// clips are not read as clips).
pub fn check_out_outside_data(out: &Path, data: &Path) -> Result<()> {
    // A data folder that cannot be resolved is reported by the clip reader.
    let Ok(data_abs) = std::fs::canonicalize(data) else {
        return Ok(());
    };
    let out_abs = resolved(out)?;
    if out_abs != data_abs && out_abs.starts_with(&data_abs) {
        bail!(
            "--out {} is inside the --data folder {}: it would be read as part of the data; \
             write the outputs outside it",
            out.display(),
            data.display()
        );
    }
    Ok(())
}
