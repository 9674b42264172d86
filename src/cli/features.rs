//! `synchgraph features`: extract the node features of every clip of a data folder once and write
//! them as one `.npy` matrix per clip in the features layout (`<out>/<class>/<name>.npy`), so
//! later runs (`train lgrin --format features`) and other tools skip the extraction.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::data::feature_export::{FEATURES_CLIPS, FEATURES_INDEX};
use synchgraph::report::write_atomic;

use crate::cli::clip_features::ClipSource;
use crate::cli::out_paths::{create_out_dir, write_json};
use crate::cli::output::outln;

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
/// [`FEATURES_INDEX`].
pub fn run(args: &Args) -> Result<()> {
    if same_folder(&args.out, &args.source.data) {
        bail!(
            "--out {} is the --data folder: its clips would be overwritten by their features; \
             write them to another folder",
            args.out.display()
        );
    }
    create_out_dir(&args.out, "--out")?;
    let (list, feats, settings) = args.source.load(0)?;
    let mut index = String::from("file,class,speaker,nodes,dims\n");
    for (clip, m) in list.clips.iter().zip(&feats) {
        let class = &list.classes[clip.label];
        let name = clip
            .path
            .file_stem()
            .or_else(|| clip.path.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .context("clip path has no file name")?;
        let rel = format!("{class}/{name}.npy");
        let path = args.out.join(&rel);
        std::fs::create_dir_all(path.parent().expect("joined path has a parent"))
            .with_context(|| format!("creating {}", path.display()))?;
        write_atomic(&path, &npy_bytes(m))?;
        index.push_str(&format!(
            "{rel},{class},{},{},{}\n",
            clip.speaker.as_deref().unwrap_or(""),
            m.rows,
            m.cols
        ));
    }
    write_atomic(&args.out.join(FEATURES_CLIPS), index.as_bytes())?;
    let meta = serde_json::json!({
        "source": args.source.data.display().to_string(),
        "format": list.format.name(),
        "classes": list.classes,
        "clips": list.clips.len(),
        "settings": settings,
    });
    write_json(&args.out.join(FEATURES_INDEX), &meta)?;
    outln!(
        "wrote {} clips ({} nodes x {} features) to {}",
        list.clips.len(),
        settings.nodes,
        settings.dims,
        args.out.display()
    );
    Ok(())
}

/// Whether `a` and `b` name the same existing folder.
pub(crate) fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
