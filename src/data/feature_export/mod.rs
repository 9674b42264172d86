//! The index files of a `synchgraph features` export: `features.json` (class order and extraction
//! settings) and `clips.csv` (the source's clip order). Loading an export through
//! [`super::emotion::load_clips`] reads them, so a model trained on an export sees the labels,
//! batches, node count and normalisation it would have seen on the source files.

mod clip_list;
mod csv;
mod index;
mod order;
mod shapes;

pub use clip_list::FEATURES_CLIPS;
pub use csv::csv_field;
pub use index::{exported_features, ExportedFeatures, FEATURES_INDEX};
pub(crate) use order::keep_source_order;
pub use shapes::ExportClipShapes;
