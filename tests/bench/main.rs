//! The benchmark harness: argument parsing, quick runs, report comparison, the PyTorch peer scripts
//! and the device recording script.
//!
//! One test binary: each file under `tests/bench/` is a module of it.

#[path = "../common/mod.rs"]
mod common;

mod args_agree;
mod args_switches;
mod compare;
mod cv_script_args;
mod device_record;
mod gcn_epoch_bytes;
mod json_path;
mod lgrin_baseline_flops;
mod lgrin_list_bytes;
mod missing_data;
mod peer_args;
mod peer_empty_validation;
mod peer_over_ceiling;
mod peers;
mod peers_mirror;
mod quick_compare;
mod quick_e2e;
mod quick_families;
mod quick_report;
mod quick_selection;
mod record_wall_rows;
mod row_warmup;
mod support;
mod synthetic_nnz;
mod twin_check_nan;
mod unknown_words;
mod wall_timing;
mod zero_self_time;
