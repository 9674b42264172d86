//! `bench --list` prints the bytes `lgrin_epoch` counts per run: the inputs once plus Adam's
//! 28 B per parameter per minibatch step, the count the run itself records (and the dominant
//! term), not the inputs alone.

use std::process::Command;

use synchgraph::bench::cases_train::{lgrin_config, lgrin_sizes, RAVDESS};
use synchgraph::bench::Sizes;
use synchgraph::models::lgrin::train::one_pass_batches;
use synchgraph::models::lgrin::Lgrin;

use crate::common;

/// What one `lgrin_epoch` run at `sizes` moves by the model it builds: the inputs once and
/// Adam's 28 B per parameter per step; with the parameter and step counts.
fn run_bytes(gpu: &synchgraph::Gpu, sizes: &Sizes) -> (usize, usize, usize) {
    let (graphs, batch) = lgrin_sizes(sizes);
    let params = Lgrin::new(gpu, lgrin_config(batch))
        .unwrap()
        .parameter_count();
    let (_, m, feats, _) = RAVDESS;
    let steps = one_pass_batches(graphs, batch).len();
    (4 * graphs * m * feats + 28 * params * steps, params, steps)
}

#[test]
fn list_counts_lgrin_epoch_adam_traffic() {
    let gpu = common::gpu();
    let (bytes, params, steps) = run_bytes(&gpu, &Sizes::for_device(&gpu, true, false));
    let want = bytes as f64 / 1e6;

    let out = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["bench", "--quick", "--list", "--filter", "lgrin_epoch"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("lgrin_epoch "))
        .unwrap_or_else(|| panic!("{stdout}"));
    // Columns: ..., bound, MB per run, GFLOP.
    let cells: Vec<&str> = row.split_whitespace().collect();
    let mb: f64 = cells[cells.len() - 2].parse().unwrap();
    assert!(
        (mb - want).abs() < 0.001 + 1e-6 * want,
        "listed {mb} MB per run, the run counts {want:.3} MB ({params} parameters x {steps} steps): {row}"
    );
}

#[test]
fn the_planned_bytes_of_lgrin_epoch_match_the_model_at_full_size() {
    use synchgraph::bench::all_cases;
    let gpu = common::gpu();
    let sizes = Sizes {
        quick: false,
        ..Sizes::for_device(&gpu, true, false)
    };
    let case = all_cases(&sizes)
        .into_iter()
        .find(|c| c.name == "lgrin_epoch")
        .unwrap();
    assert_eq!(case.bytes, run_bytes(&gpu, &sizes).0 as u64);
}
