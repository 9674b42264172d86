//! The spiking network: LIF, synapse, Poisson and STDP kernels against f64 references, the whole
//! network against hand-worked values, configuration checks and STDP on the digits.
//!
//! One test binary: each file under `tests/snn/` is a module of it.

mod check_size;
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod config_checks;
mod config_messages;
mod edge_cases;
mod f32_range;
mod frozen_theta;
mod fuzz_inputs;
mod intensity_range;
mod kernels_grid;
mod lif;
mod max_rate;
mod normalize_extremes;
mod raise;
mod readbacks;
mod reference;
mod refractory;
mod refractory_whole_steps;
mod sample_steps;
mod schedule_steps;
mod schedule_width;
mod sim_core;
mod spec_equations;
mod spike_list_line_ends;
mod spike_list_range;
mod stdp_digits;
mod stdp_step_budget;
mod step_counter_end;
mod synchgraph_inputs;
mod throughput_metrics;
mod whole_steps_tolerance;
