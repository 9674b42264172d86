//! Inference (`unsupervised::respond`, `present`) runs "with frozen weights and thresholds", as
//! Diehl & Cook's test mode holds theta constant. It used to switch off only theta's growth:
//! theta still decayed, by `theta_every * dt / tau_theta` (2.4e-4 of it) at step 0 of every
//! presentation, so an excitatory neuron whose potential settles just under its learned
//! threshold fired anyway.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::unsupervised::{respond, Learned};

#[test]
fn inference_keeps_the_learned_thresholds() {
    let mut cfg = Config::default();
    cfg.network.modalities = 1;
    cfg.network.inputs_per_modality = 1;
    cfg.network.neurons_per_modality = 1;
    cfg.network.input_delay_ms = vec![0.0];
    cfg.sim.sample_ms = 150.0;
    cfg.sim.min_spikes = 0;
    cfg.network.max_rate_hz = 2000.0;
    // Intensity 8000 at 0.25 Hz per unit: 2000 Hz, a spike at every 0.5 ms step. With weight 5
    // ge settles at 10 at the start of each step, so v settles (from below) at
    // -65 / (1 + 10) mV, the fixed point of v += dt/tau ((E_rest - v) + ge (E_exc - v)).
    let w = 5.0f32;
    let v_settle = -65.0 / (1.0 + 2.0 * f64::from(w));
    // Threshold v_thresh - theta_offset + theta = 8 uV above that: a frozen threshold is never
    // reached. Decayed once by 2.4e-4 (16 uV at theta = 66 mV) it is 8 uV below, and the
    // neuron fires.
    let threshold_theta =
        |margin_mv: f64| (v_settle + margin_mv - (cfg.exc.v_thresh - cfg.exc.theta_offset)) as f32;
    let counts = |theta: f32| {
        let learned = Learned {
            w_in: vec![w],
            theta: vec![theta],
            train_spikes: 0,
            raises: 0,
        };
        respond(&gpu(), &cfg, &learned, &[vec![8000.0]], 1).unwrap()
    };
    // Control: 8 uV below the settling potential, the neuron does reach its threshold.
    assert_ne!(counts(threshold_theta(-0.008)), vec![vec![0]]);
    let theta = threshold_theta(0.008);
    assert_eq!(
        counts(theta),
        vec![vec![0]],
        "a neuron settling 8 uV under its frozen threshold (theta {theta} mV) fired"
    );
}
