//! Data-set loaders: graph benchmarks (Planetoid, TU), emotional speech clip lists (EmoDB,
//! RAVDESS, folder per class, pre-extracted features) with speaker normalisation, 8×8 digits,
//! and seeded splits.

pub mod digits;
pub mod emotion;
pub mod emotion_features;
pub mod planetoid;
pub mod speaker_norm;
pub mod split;
pub mod tu;
