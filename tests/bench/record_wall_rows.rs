//! `benches/device/record.sh` passes its engine-wall step the wall-timed rows its `--filter`
//! selects by their own names, so a filter that selects `gcn_epoch_cora` alone does not also
//! run `gcn_epoch_synthetic` (which the word `gcn_epoch` would match) in that step.

use std::path::PathBuf;
use std::process::Command;

/// The `engine-wall rows: ...` line record.sh logs for `--filter filter` (no step runs).
fn wall_rows(name: &str, filter: &str) -> String {
    let out = std::env::temp_dir().join(format!(
        "synchgraph-record-wall-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let no_packages: PathBuf = out.join("no-gl");
    std::fs::create_dir_all(&no_packages).unwrap();
    let run = Command::new("bash")
        .arg("benches/device/record.sh")
        .args(["--quick", "--deadline", "0", "--filter", filter, "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SYNCHGRAPH_BIN", env!("CARGO_BIN_EXE_synchgraph"))
        .env("SYNCHGRAPH_GL_DIR", no_packages)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let log = std::fs::read_to_string(out.join("record.log")).unwrap();
    let line = log
        .lines()
        .find_map(|l| l.strip_prefix("record.sh: engine-wall rows: "))
        .unwrap_or_else(|| panic!("no engine-wall line in {log}"))
        .to_string();
    let _ = std::fs::remove_dir_all(&out);
    line
}

/// The real-Cora epoch is passed by its own name (it is a row, skipped, even without Cora), not
/// as `gcn_epoch`, which would select the synthetic epoch too.
#[test]
fn the_wall_step_gets_the_cora_epoch_by_its_own_name() {
    assert_eq!(wall_rows("cora", "gcn_epoch_cora"), "gcn_epoch_cora");
    assert_eq!(
        wall_rows("e2e", "e2e"),
        "gcn_epoch_cora,snn_second,lgrin_epoch"
    );
    assert_eq!(
        wall_rows("both", "gcn_epoch"),
        "gcn_epoch_synthetic,gcn_epoch_cora"
    );
}
