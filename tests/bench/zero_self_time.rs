//! A self-timed run (the copy ceiling's stopwatch) that reports zero nanoseconds, as a driver
//! whose timestamps read zero would, is not taken as a measurement: the repetition falls back to
//! the wall clock, as dispatch rows already do, so the row never has a zero median (which would
//! leave the bandwidth ceiling and every memory row's fraction empty, and write a report that
//! `bench --from` / `--compare` refuse to load).

use synchgraph::bench::case::RunFn;
use synchgraph::bench::measure::{measure, Stats};
use synchgraph::bench::Timing;

use crate::common;

#[test]
fn a_zero_self_time_falls_back_to_the_wall_clock() {
    let gpu = common::gpu();
    let mut run: RunFn = Box::new(|_| Ok(Some(0.0)));
    let m = measure(&gpu, &mut run, 1, 3, false).unwrap();
    assert_eq!(m.times_ns.len(), 3);
    assert!(
        m.times_ns.iter().all(|t| *t > 0.0 && t.is_finite()),
        "{:?}",
        m.times_ns
    );
    assert_eq!(m.timing, Timing::Wall);
    assert!(Stats::of(&m.times_ns).median_ms > 0.0);
    // A positive self time is kept as it is.
    let mut run: RunFn = Box::new(|_| Ok(Some(1234.0)));
    let m = measure(&gpu, &mut run, 0, 2, false).unwrap();
    assert_eq!(m.times_ns, [1234.0, 1234.0]);
}

#[test]
fn a_non_finite_self_time_falls_back_to_the_wall_clock() {
    let gpu = common::gpu();
    for bad in [f64::NAN, f64::INFINITY, -5.0] {
        let mut run: RunFn = Box::new(move |_| Ok(Some(bad)));
        let m = measure(&gpu, &mut run, 0, 2, false).unwrap();
        assert!(
            m.times_ns.iter().all(|t| *t > 0.0 && t.is_finite()),
            "{bad}: {:?}",
            m.times_ns
        );
        assert_eq!(m.timing, Timing::Wall);
    }
}
