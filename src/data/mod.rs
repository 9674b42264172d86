//! Data-set loaders: graph benchmarks (Planetoid, TU), emotional speech clip lists (EmoDB,
//! RAVDESS, folder per class, pre-extracted features and the index of an export) with speaker
//! normalisation, CSV and `.npy` feature-matrix files, 8×8 digits, and seeded splits.

pub mod digits;
pub mod emotion;
pub mod emotion_features;
pub mod feature_export;
pub mod matrix_files;
pub mod npy;
pub mod planetoid;
pub mod speaker_norm;
pub mod split;
pub mod tu;
