//! Data-set loaders: graph benchmarks (Planetoid, TU), emotional speech clip lists (EmoDB,
//! RAVDESS, folder per class, pre-extracted features), 8×8 digits, and seeded splits.

pub mod digits;
pub mod emotion;
pub mod emotion_features;
pub mod planetoid;
pub mod split;
pub mod tu;
