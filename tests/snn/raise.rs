//! Input raises of a sample that draws too few excitatory spikes (Diehl & Cook 2015, section
//! 2.5): every rate rises in proportion to the base rate, and each raised presentation draws a
//! fresh Poisson train.
use crate::common;

use std::collections::HashSet;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::present::{present, raise_seed, sample_rates, MAX_RAISES};
use synchgraph::snn::unsupervised::stdp_config;
use synchgraph::Error;

#[test]
fn a_raise_scales_every_rate_in_proportion() {
    // Diehl & Cook's code: rate = pixel / 8 * input_intensity, input_intensity 2 at first and
    // one more per raise. With rate_scale 0.25 Hz per unit and raise_gain 0.5 that is
    // rate_k = x * 0.25 * (1 + k / 2): the brightest pixel goes 63.75, 95.625, 127.5 Hz
    // (+31.875 Hz, "32 Hz", per raise), a dim one rises by the same factor and a dark one stays
    // at 0. The old raise added 32 intensity units (8 Hz) to every lit input alike.
    let cfg = Config::default();
    assert_eq!((cfg.sim.raise_gain, cfg.network.rate_scale), (0.5, 0.25));
    let x = [0.0, 8.0, 100.0, 255.0];
    let expect = |k: f32| x.map(|v| v * 0.25 * (1.0 + k / 2.0));
    for k in 0..=MAX_RAISES {
        let r = sample_rates(&cfg, &x, k).unwrap();
        for (got, want) in r.iter().zip(expect(k as f32)) {
            assert!((got - want).abs() <= 1e-5 * want, "raise {k}: {r:?}");
        }
    }
    assert_eq!(sample_rates(&cfg, &x, 0).unwrap(), [0.0, 2.0, 25.0, 63.75]);
    assert_eq!(sample_rates(&cfg, &x, 1).unwrap()[3], 95.625);
    assert_eq!(
        sample_rates(&cfg, &x, 8).unwrap(),
        [0.0, 10.0, 125.0, 318.75]
    );
    // The gain is a config constant: 0 never raises, 1 adds the base rate per raise.
    let mut c = cfg.clone();
    c.sim.raise_gain = 1.0;
    assert_eq!(sample_rates(&c, &x, 3).unwrap(), [0.0, 8.0, 100.0, 255.0]);
    c.sim.raise_gain = 0.0;
    assert_eq!(
        sample_rates(&c, &x, 5).unwrap(),
        sample_rates(&c, &x, 0).unwrap()
    );
    c.sim.raise_gain = -0.5;
    assert!(matches!(c.validate(), Err(Error::Config(_))));
}

#[test]
fn the_renamed_config_field_is_named_in_the_error() {
    let text = Config::default().to_toml().unwrap();
    assert!(text.contains("raise_gain = 0.5"), "{text}");
    assert_eq!(Config::from_toml(&text).unwrap(), Config::default());
    let old = text.replace("raise_gain = 0.5", "intensity_step = 32.0");
    let e = Config::from_toml(&old).unwrap_err().to_string();
    assert!(
        e.contains("intensity_step") && e.contains("raise_gain"),
        "the error names both fields: {e}"
    );
}

#[test]
fn raise_seeds_keep_the_first_presentation_and_differ_per_raise() {
    for seed in [0u64, 1, 11, u64::MAX] {
        assert_eq!(raise_seed(seed, 0), seed, "raise 0 keeps the seed");
        let seeds: HashSet<u64> = (0..=MAX_RAISES).map(|k| raise_seed(seed, k)).collect();
        assert_eq!(seeds.len(), MAX_RAISES as usize + 1, "seed {seed}");
    }
}

/// A network whose excitatory neurons relay their input: one input per neuron (windows of one),
/// an input weight that fires a free neuron at once, ge gone after one step (tau_ge = dt),
/// one-step refractory periods and no inhibition. Input i spiking at step t makes neuron i
/// spike at step t + 1 and at no other time, so the excitatory raster shows the Poisson input.
fn relay_config(min_spikes: u32) -> Config {
    let n = 20;
    let mut c = stdp_config(n, n, 7);
    c.sim.sample_ms = 200.0;
    c.sim.min_spikes = min_spikes;
    c.network.window = 1;
    c.network.stride = 1;
    c.network.w_exc_inh = 0.0;
    // Plasticity off (present runs without it anyway): the one input weight of each neuron is
    // far above w_max, which a learning network would refuse.
    c.stdp.enabled = false;
    c.stdp.norm_total = 1000.0; // each neuron's one input weight
    c.exc.tau_ge_ms = c.sim.dt_ms;
    c.exc.refractory_ms = c.sim.dt_ms;
    c.validate().unwrap();
    c
}

#[test]
fn a_raised_sample_draws_a_fresh_poisson_train() {
    // The same samples presented with min_spikes 0 (kept as first drawn) and with a minimum no
    // sample reaches (raised MAX_RAISES times, the last presentation kept). Through the relay
    // network the rasters are the input trains. The old code drew every raise with the same
    // seed and stream, so at 5x the rates the last train held every spike of the first; a
    // fresh draw at 100 Hz (5% of steps) shares only about 5% of them.
    let g = gpu();
    let n = 20;
    // 80 units = 20 Hz at raise 0 (1% of steps), 100 Hz after 8 raises.
    let samples: Vec<Vec<f32>> = (0..3).map(|_| vec![80.0; n]).collect();
    let first = present(&g, &relay_config(0), None, None, &samples, 3).unwrap();
    let raised = present(&g, &relay_config(u32::MAX), None, None, &samples, 3).unwrap();
    let (mut shared, mut total) = (0, 0);
    for (s, ((a, ka), (b, kb))) in first.iter().zip(&raised).enumerate() {
        assert_eq!((*ka, *kb), (0, MAX_RAISES), "sample {s}");
        assert!(a.len() >= 20, "sample {s}: {} relayed spikes", a.len());
        assert!(
            b.len() > 3 * a.len(),
            "sample {s}: {} vs {}",
            b.len(),
            a.len()
        );
        let later: HashSet<_> = b.iter().collect();
        shared += a.iter().filter(|e| later.contains(e)).count();
        total += a.len();
    }
    assert!(
        shared * 4 < total,
        "{shared} of {total} first-draw spikes reappear after the raises"
    );
    // The first presentation is the same as before raises existed: identical samples (same
    // stream ids aside) still draw their own trains, deterministically.
    assert_ne!(first[0].0, first[1].0, "samples draw their own trains");
    let again = present(&g, &relay_config(0), None, None, &samples, 3).unwrap();
    assert_eq!(first, again);
}

#[test]
fn raised_samples_do_not_depend_on_the_batch() {
    // Samples need 0 to MAX_RAISES raises (dim samples more); every batch size gives the same
    // spikes and raise counts, since a sample's train depends only on its index and raise.
    let g = gpu();
    let cfg = relay_config(25);
    let samples: Vec<Vec<f32>> = (0..5).map(|k| vec![10.0 + 40.0 * k as f32; 20]).collect();
    let runs: Vec<_> = [1, 2, 5]
        .iter()
        .map(|&b| present(&g, &cfg, None, None, &samples, b).unwrap())
        .collect();
    let raises: Vec<u32> = runs[0].iter().map(|r| r.1).collect();
    assert!(
        raises.iter().any(|&k| k > 0) && raises.contains(&0),
        "some samples raised, some not: {raises:?}"
    );
    assert_eq!(runs[0], runs[1], "batch 1 against batch 2");
    assert_eq!(runs[0], runs[2], "batch 1 against batch 5");
}
