//! Putting an exported features layout back in its source's class and clip order (and
//! speakers), from the export's index and clip list.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::clip_list::{check_listed_shapes, read_clip_list};
use super::index::read_index;
use crate::data::emotion::ClipList;
use crate::error::{Error, Result};

/// Give an exported features layout the class and clip order of the data set it came from (see
/// [`FEATURES_INDEX`] and [`FEATURES_CLIPS`]), so a model trained on the export sees the same
/// labels and batches as one trained on the source files. Where the list has a `speaker`
/// column, its clips get the speakers it lists (none where empty), the source's, in place of
/// those their file names carry.
///
/// When the layout has a [`FEATURES_CLIPS`] list, it must name exactly the clip files found: a
/// clip file it does not list (a stray file copied in, or left from another export) and a listed
/// clip that is missing are errors naming the file and the list, as is a clip listed twice. A
/// clip listed with a `nodes` or `dims` value that is not a whole number, or that is not the
/// `settings.nodes` or `settings.dims` of the [`FEATURES_INDEX`], is an error naming the line.
///
/// [`FEATURES_INDEX`]: super::FEATURES_INDEX
/// [`FEATURES_CLIPS`]: super::FEATURES_CLIPS
pub(crate) fn keep_source_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    keep_class_order(dir, list)?;
    let Some((path, listed)) = read_clip_list(dir)? else {
        return Ok(());
    };
    check_listed_shapes(dir, &path, &listed)?;
    let mut rank: HashMap<PathBuf, usize> = HashMap::new();
    for (k, clip) in listed.iter().enumerate() {
        if rank.insert(dir.join(&clip.rel), k).is_some() {
            return Err(Error::data(
                &path,
                format!("lists the clip {} twice", clip.rel),
            ));
        }
    }
    if let Some(stray) = list.clips.iter().find(|c| !rank.contains_key(&c.path)) {
        return Err(Error::data(
            &stray.path,
            format!(
                "is not listed in {}, the clip list of this export: it was added after the \
                 export (or left from another one); remove it or move it elsewhere",
                path.display()
            ),
        ));
    }
    if listed.len() != list.clips.len() {
        let found: HashSet<&Path> = list.clips.iter().map(|c| c.path.as_path()).collect();
        let missing: Vec<&str> = listed
            .iter()
            .map(|c| c.rel.as_str())
            .filter(|rel| !found.contains(dir.join(rel).as_path()))
            .collect();
        return Err(Error::data(
            &path,
            format!(
                "lists {} clip(s) missing from {}: {}{}",
                missing.len(),
                dir.display(),
                missing[..missing.len().min(5)].join(", "),
                if missing.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    list.clips.sort_by_key(|c| rank[&c.path]);
    // The speakers the source had: its clip names alone may name others (a `--limit`ed
    // source's full list may mix naming schemes, so that it had none).
    for (clip, listed) in list.clips.iter_mut().zip(&listed) {
        if let Some(speaker) = &listed.speaker {
            clip.speaker = speaker.clone();
        }
    }
    Ok(())
}

/// Relabel a features layout in the class order of its [`FEATURES_INDEX`], when one exists and
/// lists exactly the class folders found; a `classes` entry that is not a string is an error.
///
/// [`FEATURES_INDEX`]: super::FEATURES_INDEX
fn keep_class_order(dir: &Path, list: &mut ClipList) -> Result<()> {
    let Some((path, meta)) = read_index(dir)? else {
        return Ok(());
    };
    let Some(order) = meta["classes"].as_array() else {
        return Err(Error::data(&path, "has no 'classes' list"));
    };
    // An entry that is not a class name would otherwise be dropped, the rest read as the list.
    let order: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(k, v)| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                Error::data(
                    &path,
                    format!("'classes' entry {k} is {v}, not a class name (a string)"),
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut found = list.classes.clone();
    let mut listed = order.clone();
    found.sort();
    listed.sort();
    if found != listed {
        return Err(Error::data(
            &path,
            format!(
                "lists classes {order:?}, but the class folders are {:?}",
                list.classes
            ),
        ));
    }
    let remap: Vec<usize> = list
        .classes
        .iter()
        .map(|c| order.iter().position(|o| o == c).unwrap_or(0))
        .collect();
    for clip in &mut list.clips {
        clip.label = remap[clip.label];
    }
    list.classes = order;
    Ok(())
}
