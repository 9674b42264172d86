//! Config checks that keep the forward-Euler network meaningful: dt no longer than any time
//! constant it decays with (a factor 1 - dt/tau below 0 flips or freezes the state), and a
//! normalisation total the [0, w_max] weights of a neuron's window can reach. Plus the raise
//! count that `train` reports.
use crate::common;

use common::gpu;
use synchgraph::bench::cases_e2e::snn_second_config;
use synchgraph::models::synchgraph::{snn_config, Modality};
use synchgraph::models::synchgraph_features::INPUTS;
use synchgraph::snn::config::{Config, StdpRule};
use synchgraph::snn::present::MAX_RAISES;
use synchgraph::snn::unsupervised::{stdp_config, train};
use synchgraph::Error;

/// The message of a refused config; panics unless it is an `Error::Config`.
fn refused(c: &Config, what: &str) -> String {
    match c.validate() {
        Err(Error::Config(m)) => m,
        other => panic!("{what}: expected Error::Config, got {other:?}"),
    }
}

/// The default config with plasticity on and a normalisation total its 20 inputs can reach.
fn plastic() -> Config {
    let mut c = Config::default();
    c.stdp.enabled = true;
    c.stdp.norm_total = 10.0;
    c.validate().unwrap();
    c
}

#[test]
fn dt_over_a_decay_time_constant_is_refused() {
    // Each time constant in turn just below dt (0.5 ms): refused, naming the constant and both
    // values; at exactly dt (the factor 1 - dt/tau is 0, one-step decay) it is accepted.
    type Field = fn(&mut Config) -> &mut f64;
    let fields: [(&str, Field); 11] = [
        ("exc.tau_ms", |c| &mut c.exc.tau_ms),
        ("exc.tau_ge_ms", |c| &mut c.exc.tau_ge_ms),
        ("exc.tau_gi_ms", |c| &mut c.exc.tau_gi_ms),
        ("exc.tau_theta_ms", |c| &mut c.exc.tau_theta_ms),
        ("inh.tau_ms", |c| &mut c.inh.tau_ms),
        ("inh.tau_ge_ms", |c| &mut c.inh.tau_ge_ms),
        ("inh.tau_gi_ms", |c| &mut c.inh.tau_gi_ms),
        ("inh.tau_theta_ms", |c| &mut c.inh.tau_theta_ms),
        ("stdp.tau_pre_ms", |c| &mut c.stdp.tau_pre_ms),
        ("stdp.tau_post1_ms", |c| &mut c.stdp.tau_post1_ms),
        ("stdp.tau_post2_ms", |c| &mut c.stdp.tau_post2_ms),
    ];
    for (name, field) in fields {
        let mut c = plastic();
        *field(&mut c) = 0.25;
        let m = refused(&c, name);
        assert!(
            m.contains(name) && m.contains("0.25") && m.contains("0.5"),
            "{name}: {m}"
        );
        *field(&mut c) = c.sim.dt_ms;
        c.validate()
            .unwrap_or_else(|e| panic!("{name} = dt must pass: {e}"));
    }
}

#[test]
fn the_reviewers_large_steps_are_refused() {
    // dt 1.25 ms with tau_ge 1 ms flipped the conductance's sign every step; dt 2 ms made it
    // grow without decay (inhibitory neurons firing every 4 ms). Both refractory periods are
    // at least dt here, the only step check there was.
    for dt in [1.25, 2.0] {
        let mut c = Config::default();
        c.sim.dt_ms = dt;
        // Delays a whole number of steps of either dt.
        c.network.input_delay_ms = vec![0.0, 10.0];
        let m = refused(&c, &format!("dt {dt}"));
        assert!(
            m.contains("tau_ge_ms") && m.contains(&dt.to_string()),
            "dt {dt}: {m}"
        );
    }
}

#[test]
fn trace_time_constants_only_matter_with_plasticity() {
    // The STDP traces are decayed only while plasticity runs; `train` turns it on and checks
    // the config again, so a short trace constant is refused there.
    let mut c = Config::default();
    c.stdp.tau_pre_ms = 0.25;
    c.validate().unwrap();
    c.stdp.enabled = true;
    c.stdp.norm_total = 10.0;
    assert!(refused(&c, "trace").contains("stdp.tau_pre_ms"));
    let g = gpu();
    c.stdp.enabled = false;
    let samples = vec![vec![100.0f32; 40]];
    match train(&g, &c, &samples, &[0], 1, || {}) {
        Err(Error::Config(m)) => assert!(m.contains("stdp.tau_pre_ms"), "{m}"),
        other => panic!("train with a 0.25 ms trace at dt 0.5 ms: {other:?}"),
    }
}

#[test]
fn norm_total_over_the_window_at_w_max_is_refused() {
    // 64 inputs, every weight in [0, 1]: a column sums to at most 64. Diehl & Cook's 78 left
    // every normalised weight above w_max (mean 1.22).
    let mut c = stdp_config(64, 8, 0);
    c.stdp.norm_total = 78.0;
    let m = refused(&c, "78 over 64 inputs");
    assert!(
        m.contains("norm_total") && m.contains("78") && m.contains("64"),
        "{m}"
    );
    c.stdp.norm_total = 64.0;
    c.validate().unwrap();
    c.stdp.w_max = 0.5;
    assert!(refused(&c, "64 over 64 x 0.5").contains("w_max"));
    // Without plasticity nothing clips the weights to w_max: no limit.
    c.stdp.enabled = false;
    c.stdp.norm_total = 78.0;
    c.validate().unwrap();

    // A window: fan-in is the window (11 of 20 inputs), not the inputs of the modality.
    let mut c = plastic();
    c.network.window = 11;
    c.network.stride = 1;
    c.stdp.norm_total = 11.0;
    c.validate().unwrap();
    c.stdp.norm_total = 11.5;
    let m = refused(&c, "11.5 over a window of 11");
    assert!(m.contains("11.5") && m.contains("window"), "{m}");
    // A window of 0 means every input of the modality (20), not of both modalities (40).
    c.network.window = 0;
    c.network.stride = 0;
    c.stdp.norm_total = 20.0;
    c.validate().unwrap();
    c.stdp.norm_total = 21.0;
    c.stdp.rule = StdpRule::PowerLaw;
    assert!(refused(&c, "21 over 20 inputs").contains("20"));
}

#[test]
fn shipped_configs_pass() {
    Config::default().validate().unwrap();
    let small = Config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/snn/small.toml"
    )))
    .unwrap();
    small.validate().unwrap();
    // `train stdp` (8x8 digits, any neuron count) and the test sizes.
    for (inputs, neurons) in [(64, 100), (64, 8), (16, 4), (4, 2), (784, 100)] {
        stdp_config(inputs, neurons, 0).validate().unwrap();
    }
    // `train synchgraph` and `simulate`-style runs, with plasticity off and on (`--stdp-clips`
    // learns the input weights first with `train`, which turns plasticity on).
    for m in [Modality::Audio, Modality::Visual, Modality::Both] {
        for inputs in [INPUTS, 26, 64] {
            let mut c = snn_config(m, inputs, 0.5, 3);
            c.validate().unwrap();
            c.stdp.enabled = true;
            c.validate()
                .unwrap_or_else(|e| panic!("{m:?} {inputs} with plasticity: {e}"));
        }
    }
    snn_second_config().validate().unwrap();
}

#[test]
fn train_counts_only_the_raises_made() {
    // A minimum no presentation reaches: the sample is presented 1 + MAX_RAISES times, i.e.
    // raised MAX_RAISES times (the count used to say one more). A minimum of 0 never raises.
    let g = gpu();
    let mut c = stdp_config(4, 2, 0);
    c.sim.sample_ms = 5.0;
    c.sim.rest_ms = 0.0;
    let samples = vec![vec![255.0f32; 4], vec![0.0; 4]];
    c.sim.min_spikes = u32::MAX;
    let l = train(&g, &c, &samples, &[0, 1], 1, || {}).unwrap();
    assert_eq!(l.raises, 2 * u64::from(MAX_RAISES));
    c.sim.min_spikes = 0;
    let l = train(&g, &c, &samples, &[0, 1], 2, || {}).unwrap();
    assert_eq!(l.raises, 0);
}

#[test]
fn simulate_refuses_a_network_of_another_modality_count() {
    // A one-modality network simulated as both would label every neuron visual.
    use synchgraph::models::synchgraph::simulate;
    let g = gpu();
    let cfg = snn_config(Modality::Audio, INPUTS, 0.0, 0);
    let samples = vec![vec![10.0; INPUTS]];
    match simulate(&g, &cfg, Modality::Both, &samples, 1, None) {
        Err(Error::Config(m)) => assert!(m.contains("network.modalities is 1"), "{m}"),
        other => panic!(
            "expected Error::Config, got {:?}",
            other.map(|r| r.per_clip)
        ),
    }
}

#[test]
fn a_spike_record_over_the_binding_limit_names_the_batch() {
    // 4000 excitatory neurons fit every weight and state buffer, but 64 clips presented together
    // would need a spike record of about 0.76 GB: refused before any network is built, with
    // the remedy, not an allocation error about an unnamed buffer.
    use synchgraph::snn::present::present;
    let g = gpu();
    let cfg = stdp_config(64, 4000, 0);
    let samples = vec![vec![10.0; 64]; 64];
    match present(&g, &cfg, None, None, &samples, 64) {
        Err(Error::TooLarge { what, .. }) => {
            assert!(what.contains("spike record of 64 clips"), "{what}");
            assert!(what.contains("smaller batch"), "{what}");
        }
        other => panic!("expected TooLarge, got {:?}", other.map(|o| o.len())),
    }
}
