//! Run outputs: checkpoints, atomic writes, metrics files, feature exports, reports and figures.
//!
//! One test binary: each file under `tests/outputs/` is a module of it.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod argmax_zero_cols;
mod atomic_long_name;
mod atomic_missing_folder;
mod atomic_mode;
mod atomic_panic;
mod atomic_private_temporary;
mod atomic_symlink;
mod atomic_temporaries;
mod checkpoint_dtypes;
mod checkpoint_fuzz;
mod checkpoint_fuzz_header;
mod checkpoint_header;
mod checkpoint_huge_spans;
mod checkpoint_kind;
mod checkpoint_limits;
mod checkpoint_names;
mod checkpoint_paths;
mod confusion_empty_class;
mod confusion_layout;
mod export_clip_shape;
mod heatmap_non_finite;
mod heatmap_shape;
mod metrics_last;
mod plot_empty_series;
mod plot_flat_series;
mod plot_inputs;
mod plot_long_titles;
mod plot_small_figures;
mod plot_tick_precision;
mod raster_duration;
mod raster_row_labels;
mod readme_claims;
mod report;
