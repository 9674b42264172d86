//! A `simulate` or `bench` run that fails after making the folder of its `--record` or `--json`
//! file removes that folder (and the parents it made) again while it is empty, as the commands
//! with an `--out` folder do: a bad spike list or a `--filter` that matches no row left an empty
//! folder behind.

use crate::common;
use common::cli::{fails_with, run_for, s, scratch, succeeds, write};

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn/small.toml");

#[test]
fn a_failed_simulation_leaves_no_record_folder() {
    let d = scratch("failed-file-folders", "simulate");
    // small.toml has 40 inputs: index 40 is refused after the record's folder is made.
    let spikes = d.join("spikes.csv");
    write(&spikes, "input_index,time_ms\n40,1.0\n");
    let record = d.join("made").join("sub").join("r.csv");
    let o = run_for(
        &[
            "simulate",
            "--config",
            CONFIG,
            "--input-spikes",
            s(&spikes),
            "--record",
            s(&record),
        ],
        &[],
        60,
    );
    fails_with(&o, &["input index 40"]);
    assert!(
        !d.join("made").exists(),
        "left {}",
        d.join("made").display()
    );

    // A run that succeeds keeps the folders it made.
    let o = run_for(
        &[
            "simulate",
            "--config",
            CONFIG,
            "--duration-ms",
            "10",
            "--record",
            s(&record),
        ],
        &[],
        60,
    );
    succeeds(&o, "simulate into new folders");
    assert!(record.is_file());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_failed_bench_leaves_no_report_folder() {
    let d = scratch("failed-file-folders", "bench");
    let json = d.join("made").join("report.json");
    let o = run_for(
        &[
            "bench",
            "--quick",
            "--filter",
            "no_such_row_anywhere",
            "--json",
            s(&json),
        ],
        &[],
        120,
    );
    fails_with(&o, &["no_such_row_anywhere"]);
    assert!(
        !d.join("made").exists(),
        "left {}",
        d.join("made").display()
    );
    let _ = std::fs::remove_dir_all(&d);
}
