//! The `synchgraph` binary end to end: devices, training, features, prediction, simulation,
//! determinism, hostile inputs, and the README claims it makes.
//!
//! One test binary: each file under `tests/cli/` is a module of it.

mod adjacency_figure;
mod checks_before_extraction;
mod closed_streams;
mod command_record;
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod determinism;
mod devices;
mod eval_bad_model;
mod eval_failed_data;
mod failed_file_folders;
mod failed_run_folders;
mod features_export_folder;
mod features_failed_parents;
mod features_frame_folders;
mod fuzz_simulate_inputs;
mod gcn_metrics_runs;
mod hostile_checkpoints;
mod hostile_feature_files;
mod hostile_graph_data;
mod hostile_lgrin;
mod hostile_paths_and_messages;
mod hostile_snn;
mod hostile_support;
mod hostile_synchgraph;
mod mixed_layout;
mod model_flag_file;
mod out_inside_data;
mod out_not_a_folder;
mod out_path_spellings;
mod predict_export_speakers;
mod predict_exports;
mod predict_json;
mod predict_mixed_folder;
mod predict_video_export;
mod readme_landmark_detect;
mod readme_structure;
mod readme_walkthrough;
mod simulate;
mod simulate_line_ends;
mod split_flags;
mod stdp_config_record;
mod stdp_epochs_overflow;
mod synchgraph_flags;
mod synchgraph_limit;
mod synchgraph_rate_scale;
mod synchgraph_wiring;
mod train_gcn;
mod train_lgrin;
mod train_lgrin_features;
mod train_lgrin_speakers;
mod tu_untrained_class;
mod type_limits;
mod user_messages;
mod val_speakers;
mod val_speakers_classes;
