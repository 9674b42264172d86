//! `SYNCHGRAPH_WAIT_TIMEOUT_S` takes any positive number of seconds; one so small that it
//! rounds to zero as an f64 ("1e-400") is still positive and bounds waits at 1 ns, as the
//! smallest representable ones do, instead of being refused as not positive. The variable is
//! read when a device opens, so the scenario runs in a process of its own (setting it here would
//! change the devices other tests open at the same time).

use crate::common;
use std::time::Duration;

use synchgraph::gpu::context::WAIT_TIMEOUT_ENV;
use synchgraph::Gpu;

/// Marks the child process that runs the scenario.
const ALONE: &str = "SYNCHGRAPH_TEST_WAIT_TIMEOUT_ALONE";

#[test]
fn a_positive_bound_below_the_f64_range_is_one_nanosecond() {
    if std::env::var_os(ALONE).is_some() {
        for (text, want) in [("1e-400", Some(1)), ("0.0e-400", None), ("-1e-400", None)] {
            std::env::set_var(WAIT_TIMEOUT_ENV, text);
            let opened = Gpu::open_default();
            match want {
                Some(ns) => assert_eq!(
                    opened
                        .unwrap_or_else(|e| panic!("{text}: {e}"))
                        .wait_timeout(),
                    Duration::from_nanos(ns),
                    "{text}"
                ),
                None => {
                    let e = opened.err().unwrap_or_else(|| panic!("{text} was taken"));
                    assert!(e.to_string().contains(WAIT_TIMEOUT_ENV), "{text}: {e}");
                }
            }
        }
        return;
    }
    common::run_test_alone(
        module_path!(),
        "a_positive_bound_below_the_f64_range_is_one_nanosecond",
        ALONE,
    );
}
