//! The models: L-GrIN against an f64 forward pass, its configuration, checkpoints and training
//! checks, the GCN trainers and the Synch-Graph pipeline.
//!
//! One test binary: each file under `tests/models/` is a module of it.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod class_count;
mod fuzz_saved_cases;
mod fuzz_saved_models;
mod gcn_disjoint_sets;
mod gcn_non_finite_features;
mod gcn_reference;
mod gcn_trained_weights;
mod gcn_training_protocol;
mod host_mat;
mod lgrin_built_config;
mod lgrin_clip_checks;
mod lgrin_config;
mod lgrin_disjoint_parts;
mod lgrin_diverged_run;
mod lgrin_indices;
mod lgrin_load_metadata;
mod lgrin_load_state;
mod lgrin_model;
mod lgrin_reference;
mod lgrin_save_checks;
mod lgrin_structure_loss;
mod lgrin_training_checks;
mod lgrin_val_loss;
mod node_labels;
mod split_sparse_labels;
mod synchgraph_fit_empty;
mod synchgraph_fit_lists;
mod synchgraph_fit_width;
mod synchgraph_gcn_config;
mod synchgraph_pipeline;
mod training_syncs;
