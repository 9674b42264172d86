//! `sim.sample_ms` must be a whole number of steps of `sim.dt_ms`, like the input delays and
//! `simulate`'s duration. Every presentation (training, inference, `simulate`'s Poisson input
//! phase) runs `round(sample_ms / dt)` steps, so 100.2 ms at dt 0.5 ms presented each sample for
//! 100 ms without a word. Host-only; exact checks.

use synchgraph::snn::Config;

#[test]
fn a_sample_time_between_two_steps_is_refused() {
    for bad in [100.2, 0.3, 350.25] {
        let mut c = Config::default();
        c.sim.sample_ms = bad;
        let err = c.validate().expect_err(&format!("sample_ms {bad} passed"));
        let m = err.to_string();
        assert!(
            m.contains(&format!(
                "sim.sample_ms = {bad} ms is not a whole number of steps"
            )),
            "{m}"
        );
        // The same text through the TOML parser, as `simulate --config` reads it.
        let text = Config::default()
            .to_toml()
            .unwrap()
            .replace("sample_ms = 350.0", &format!("sample_ms = {bad:?}"));
        assert!(Config::from_toml(&text).is_err(), "TOML sample_ms {bad}");
    }
    for good in [0.0, 0.5, 100.0, 350.0] {
        let mut c = Config::default();
        c.sim.sample_ms = good;
        c.validate()
            .unwrap_or_else(|e| panic!("sample_ms {good} refused: {e}"));
    }
    // A whole number of steps of another dt.
    let mut c = Config::default();
    (c.sim.dt_ms, c.sim.sample_ms) = (0.1, 100.3);
    c.validate().unwrap();
}
