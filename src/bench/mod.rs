//! The kernel benchmark harness shared by `cargo bench` and `synchgraph bench`.
//!
//! Each [`BenchCase`] allocates its inputs once (rotating between [`case::INPUT_SETS`] sets) and
//! records its dispatches per run. The harness does warm-up runs, then timed repetitions: GPU
//! time from timestamp queries where the adapter has TIMESTAMP_QUERY, wall clock around a full
//! synchronisation otherwise, and reports the median, minimum and spread. Device ceilings are
//! measured in the same run: bandwidth is a large buffer-to-buffer copy, compute the best matmul.

pub mod args;
pub mod case;
pub mod cases;
pub mod cases_e2e;
pub mod cases_graph;
pub mod cases_layout;
pub mod cases_linalg;
pub mod cases_overhead;
pub mod cases_snn;
pub mod cases_sparse;
pub mod cases_train;
pub mod compare;
mod execute;
mod list;
pub mod measure;
pub mod report;
mod report_table;
mod run;
mod select;

use std::path::PathBuf;

pub use case::{BenchCase, Bound, Sizes};
pub use compare::{compare, compare_saved, comparison_header, Comparison};
pub use execute::execute;
pub use list::list;
pub use measure::Timing;
pub use report::{BenchReport, Row};
pub use run::{run, run_with_progress};
pub use select::all_cases;

/// What to run and where to write it.
#[derive(Debug, Clone, Default)]
pub struct BenchOptions {
    /// Small sizes and few repetitions.
    pub quick: bool,
    /// Run only rows whose name or family contains this (case-insensitive; several
    /// comma-separated words select the rows matching any of them); the copy ceiling always runs.
    pub filter: Option<String>,
    /// Leave out rows whose name or family contains any of these comma-separated words (the
    /// copy ceiling always runs).
    pub exclude: Option<String>,
    /// Write the report as JSON here.
    pub json: Option<PathBuf>,
    /// Compare with this older JSON report.
    pub compare: Option<PathBuf>,
    /// Time by host wall clock even where timestamp queries exist.
    pub wall: bool,
    /// Start no further case once this many seconds have passed since the run began; the
    /// cases not started are listed in [`BenchReport::skipped`]. The copy ceiling always runs.
    pub time_budget: Option<f64>,
    /// The command line, recorded in the report.
    pub command: String,
}
