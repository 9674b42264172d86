//! The warm-up runs of a row that sets its own (warm-up, repetitions), as `dispatch_chain`,
//! `snn_second` and `lgrin_epoch` do, are written with the row: the report's `warmup` is the
//! mode's, which those rows do not use, so the JSON alone would mislabel how they were run.

use serde_json::Value;
use synchgraph::bench::{self, BenchOptions};

use crate::common;

#[test]
fn a_row_with_its_own_warm_up_reports_it() {
    let gpu = common::gpu();
    let options = BenchOptions {
        quick: true,
        wall: true,
        filter: Some("dispatch_chain".into()),
        ..BenchOptions::default()
    };
    let report = bench::run(&gpu, &options).unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let json: Value = serde_json::to_value(&report).unwrap();
    assert_eq!(json["warmup"], 2, "the quick mode's warm-up");
    let row = |name: &str| {
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name} row: {json}"))
            .clone()
    };
    // dispatch_chain runs (1, 5) in --quick mode; the copy ceiling the mode's (2, 5).
    let chain = row("dispatch_chain");
    assert_eq!(chain["warmup"], 1, "{chain}");
    assert_eq!(chain["repetitions"], 5, "{chain}");
    assert_eq!(row("copy")["warmup"], 2);
    // The table says so under the row whose warm-up differs from the mode's.
    let table = report.to_string();
    let lines: Vec<&str> = table.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("dispatch_chain"))
        .unwrap();
    assert!(
        lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("    "))
            .any(|l| l.contains("warm-up: 1 run")),
        "{table}"
    );
    // A report without row warm-ups (older, or a peer's) still reads.
    let mut old = json.clone();
    for r in old["rows"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("warmup");
    }
    let back: bench::BenchReport = serde_json::from_value(old).unwrap();
    assert_eq!(back.rows.len(), report.rows.len());
}
