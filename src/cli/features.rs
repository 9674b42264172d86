//! `synchgraph features`: extract the node features of every clip of a data folder once and write
//! them as one `.npy` matrix per clip in the features layout (`<out>/<class>/<name>.npy`), so
//! later runs (`train lgrin --format features`) and other tools skip the extraction.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion::{load_clips, ClipList, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::data::feature_export::{csv_field, FEATURES_CLIPS, FEATURES_INDEX};
use synchgraph::report::atomic::sync_folder;

use crate::cli::clip_features::ClipSource;
use crate::cli::output::outln;
use crate::cli::staged_folder::{write_synced, WorkDir};

/// Arguments of `features`.
#[derive(clap::Args)]
pub struct Args {
    /// Clips and features.
    #[command(flatten)]
    source: ClipSource,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Extract and write the features, a `clips.csv` index and the class order and settings as
/// [`FEATURES_INDEX`]. Two clips that would be written to the same `<class>/<name>.npy` (say
/// `x.csv` and `x.npy` of one class) are refused, naming both, before anything is written.
///
/// `--out` must be a new or an empty folder: the files of an earlier export left there would be
/// read as clips of this one. The export is written into a hidden work folder beside `--out`
/// ([`WorkDir`]) and renamed to `--out` only once every clip, the clip list and the index are
/// written, so an export that fails or is killed part-way never leaves a folder that reads as a
/// features layout.
pub fn run(args: &Args) -> Result<()> {
    if same_folder(&args.out, &args.source.data) {
        bail!(
            "--out {} is the --data folder: its clips would be overwritten by their features; \
             write them to another folder",
            args.out.display()
        );
    }
    crate::cli::out_paths::check_out_outside_data(&args.out, &args.source.data)?;
    check_new_or_empty(&args.out)?;
    precheck_output_names(args)?;
    let work = WorkDir::create(&args.out)?;
    let (list, feats, settings) = args.source.load(0)?;
    let names = output_names(&list)?;
    let mut index = String::from("file,class,speaker,nodes,dims\n");
    let mut folders = Vec::new();
    for ((clip, m), rel) in list.clips.iter().zip(&feats).zip(&names) {
        let class = &list.classes[clip.label];
        let path = work.path.join(rel);
        let folder = path.parent().expect("joined path has a parent");
        if !folders.iter().any(|f| f == folder) {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating {}", folder.display()))?;
            folders.push(folder.to_path_buf());
        }
        write_synced(&path, &npy_bytes(m))?;
        index.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_field(rel),
            csv_field(class),
            csv_field(clip.speaker.as_deref().unwrap_or("")),
            m.rows,
            m.cols
        ));
    }
    write_synced(&work.path.join(FEATURES_CLIPS), index.as_bytes())?;
    let meta = serde_json::json!({
        "source": args.source.data.display().to_string(),
        "format": list.format.name(),
        "classes": list.classes,
        "clips": list.clips.len(),
        "settings": settings,
    });
    let meta = serde_json::to_string_pretty(&meta).context("encoding the features index")?;
    write_synced(&work.path.join(FEATURES_INDEX), meta.as_bytes())?;
    for folder in &folders {
        sync_folder(folder);
    }
    work.finish()?;
    outln!(
        "wrote {} clips ({} nodes x {} features) to {}",
        list.clips.len(),
        settings.nodes,
        settings.dims,
        args.out.display()
    );
    Ok(())
}

/// Refuse an `--out` that exists and is not an empty folder, naming it: an earlier export's
/// files that this one does not overwrite would be read as its clips.
fn check_new_or_empty(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        bail!(
            "--out {} exists and is not a folder; pick a new or empty folder",
            out.display()
        );
    }
    let mut entries =
        std::fs::read_dir(out).with_context(|| format!("--out {}: reading it", out.display()))?;
    if entries.next().is_some() {
        bail!(
            "--out {} is not empty: files left there (say by an earlier export) would be read \
             as clips of this export; pick a new or empty folder",
            out.display()
        );
    }
    Ok(())
}

/// The output path `<class>/<name>.npy` of every clip of `list`, relative to `--out` (`name`
/// is a clip file's stem, or a frame folder's whole name); two clips with one output path
/// (same class and name) are an error naming both, since the second would overwrite the first
/// while `clips.csv` listed both.
fn output_names(list: &ClipList) -> Result<Vec<String>> {
    let mut names = Vec::with_capacity(list.clips.len());
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for clip in &list.clips {
        let class = &list.classes[clip.label];
        // A clip file loses its extension; a folder of face frames keeps its whole name (a dot
        // in `s1.take1` starts no extension, and cutting there would merge two takes).
        let name = if clip.path.is_dir() {
            clip.path.file_name()
        } else {
            clip.path.file_stem().or_else(|| clip.path.file_name())
        }
        .map(|s| s.to_string_lossy().into_owned())
        .context("clip path has no file name")?;
        let rel = format!("{class}/{name}.npy");
        if let Some(first) = seen.insert(rel.clone(), &clip.path) {
            bail!(
                "{} and {} would both be written to {rel}: rename one of them (clips of one \
                 class need different file names apart from the extension)",
                first.display(),
                clip.path.display()
            );
        }
        names.push(rel);
    }
    Ok(names)
}

/// Refuse colliding output paths ([`output_names`]) before the out folder is created and the
/// features are extracted, on the clip list the run will read (same layout and `--limit`).
/// A clip list that cannot be read is left to the run itself, which reports it in full.
fn precheck_output_names(args: &Args) -> Result<()> {
    let Ok(format) = args
        .source
        .format
        .as_deref()
        .map(DatasetFormat::parse)
        .transpose()
    else {
        return Ok(());
    };
    let Ok(mut list) = load_clips(&args.source.data, format) else {
        return Ok(());
    };
    if let Some(n) = args.source.limit.filter(|&n| n > 0) {
        list.keep_evenly(n);
    }
    output_names(&list).map(|_| ())
}

/// Whether `a` and `b` name the same existing folder.
pub(crate) fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
