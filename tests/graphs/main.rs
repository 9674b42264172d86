//! Graphs: the Cora, MUTAG and TU loaders, CSR construction, SpMM, batching, synchrony-graph
//! construction and stimulus edges.
//!
//! One test binary: each file under `tests/graphs/` is a module of it.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod batch_edge_cases;
mod csr_row_ptr;
mod csr_sizes;
mod csr_weight_overflow;
mod digits_plain_text;
mod export_index_fields;
mod feature_csv_line_ends;
mod feature_csv_separators;
mod fuzz_export_index;
mod fuzz_graph_sets;
mod fuzz_loaders;
mod gcn_repeated_diagonal;
mod graph_task_batch;
mod input_checks;
mod kfold_small_classes;
mod loader_checks;
mod loaders;
mod npy_headers;
mod planetoid_dims_header;
mod planetoid_nodes;
mod planetoid_one_based_ids;
mod silent_clip;
mod sparse;
mod sparse_sync_edge_cases;
mod spike_sort_order;
mod spmm_device_of_empty_products;
mod spmm_wide_tiles;
mod stimulus_edges;
mod stimulus_labels;
mod stimulus_offsets;
mod synchrony;
mod synchrony_layer_size;
mod synchrony_short_duration;
mod synchrony_step_grid;
mod tu_empty_attributes;
mod tu_label_columns;
mod tu_raw_folder;
mod utf8_text_files;
