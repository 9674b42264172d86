//! STDP training runs every presentation on one network, whose step counter holds u32::MAX
//! steps. A training whose presentations alone need more is refused before it simulates
//! anything, instead of failing after hours, partway through.

use crate::common;

use synchgraph::snn::unsupervised::{stdp_config, train};

/// Epochs x samples x steps per presentation over the counter's range is refused at once,
/// naming the steps it needs; one fewer epoch than the counter's limit passes that check.
#[test]
fn a_training_longer_than_the_step_counter_is_refused_up_front() {
    let g = common::gpu();
    let cfg = stdp_config(4, 2, 0);
    let steps = (cfg.sim.sample_ms / cfg.sim.dt_ms).round() as u64;
    let epochs = (u64::from(u32::MAX) / steps + 1) as usize;
    let samples = vec![vec![255.0f32; 4]];
    let started = std::time::Instant::now();
    let e = train(&g, &cfg, &samples, &[0], epochs, || {}).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("step counter") && m.contains(&epochs.to_string()),
        "{m}"
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "refused only after simulating"
    );
}
