//! Data-set loaders.

pub mod digits;

// pub mod emodb;
// pub mod emotion;
// pub mod feature_files;
// pub mod folder;
// pub mod npy;
// pub mod ravdess;
pub mod planetoid;
pub mod split;
pub mod tu;
