//! Clip lists of emotion data sets: EmoDB and RAVDESS file-name codes, a folder per class (audio),
//! and features already extracted (one CSV or `.npy` matrix per clip, a folder per class).
//! The layout is detected from the files or given explicitly; the list's speaker-independent
//! splits are here, the seeded k-fold and validation splits in [`super::split`]. Turning a clip
//! into node features is in [`super::emotion_features`], and the index files of a
//! `synchgraph features` export in [`super::feature_export`].

mod clips;
mod detect;
mod file_names;
mod format;
mod speaker_splits;

pub use clips::{load_clips, Clip, ClipList};
pub use detect::detect_format;
pub(crate) use file_names::is_emodb_name;
pub use file_names::{speaker_from_name, speakers_from_names, EMODB_CODES, RAVDESS_CODES};
pub use format::{is_skipped_entry, DatasetFormat};
