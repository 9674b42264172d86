//! Times are taken as whole steps only up to decimal rounding (about 1e-16 relative), not up to
//! 1e-9 relative, which at a million steps let a time 0.001 steps off a boundary be rounded to
//! it: a config duration that far off is refused, and a listed spike that far before a step
//! boundary stays in the step before it.

use synchgraph::snn::config::Config;
use synchgraph::snn::encoding::SpikeList;

/// A million-step duration 0.001 steps off is not whole; decimal durations still are.
#[test]
fn a_long_duration_off_a_step_is_refused() {
    let mut c = Config::default();
    c.sim.dt_ms = 1.0;
    assert!(c.check_whole_steps("sim.sample_ms", 2_000_000.001).is_err());
    assert!(c.check_whole_steps("sim.sample_ms", 2_000_000.0).is_ok());
    c.sim.dt_ms = 0.1;
    for ms in [0.3, 0.7, 350.0, 123_456.7] {
        assert!(c.check_whole_steps("t", ms).is_ok(), "{ms}");
    }
}

/// A spike at 999999.9995 ms (dt 1 ms) is in step 999999, not moved to 1000000; one at 0.3 ms
/// (dt 0.1 ms) is still in step 3.
#[test]
fn a_spike_just_before_a_boundary_keeps_its_step() {
    let text = "input_index,time_ms\n0,999999.9995\n1,1000000\n";
    let list = SpikeList::from_csv(text, "x.csv", 2, 1_000_001, 1.0).unwrap();
    assert_eq!(list.events, vec![(0, 999_999), (1, 1_000_000)]);
    let list = SpikeList::from_csv("0,0.3\n", "x.csv", 1, 10, 0.1).unwrap();
    assert_eq!(list.events, vec![(0, 3)]);
}
