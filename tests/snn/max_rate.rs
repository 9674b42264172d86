//! `network.max_rate_hz`, the largest accepted input rate, holds for presented and trained
//! samples as it does for `synchgraph simulate`: an intensity whose rate (intensity x
//! `network.rate_scale`, before any raise) exceeds it is refused with an error naming the sample,
//! the input and the setting, and nothing is simulated; a rate exactly at the limit is accepted.

use synchgraph::snn::config::Config;
use synchgraph::snn::present::check_samples;

fn one_input_config() -> Config {
    let mut cfg = Config::default();
    cfg.network.modalities = 1;
    cfg.network.inputs_per_modality = 2;
    cfg.network.neurons_per_modality = 1;
    cfg.network.input_delay_ms = vec![0.0];
    cfg
}

#[test]
fn a_rate_above_max_rate_hz_is_refused_naming_the_sample_and_input() {
    let cfg = one_input_config();
    // Default: 0.25 Hz per unit, at most 63.75 Hz, so intensity 255 is the largest accepted.
    let top = (cfg.network.max_rate_hz / cfg.network.rate_scale) as f32;
    assert_eq!(top, 255.0);
    check_samples(&cfg, &[vec![0.0, top], vec![top, 1.0]]).unwrap();
    let err = check_samples(&cfg, &[vec![0.0, top], vec![1.0, 256.0]])
        .unwrap_err()
        .to_string();
    for part in ["sample 1", "input 1", "max_rate_hz", "256"] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
}

#[test]
fn raising_max_rate_hz_accepts_the_higher_rate() {
    let mut cfg = one_input_config();
    cfg.network.max_rate_hz = 2000.0;
    check_samples(&cfg, &[vec![8000.0, 0.0]]).unwrap();
    assert!(check_samples(&cfg, &[vec![8000.5, 0.0]]).is_err());
}

#[test]
fn the_refusal_names_the_rate_scale_in_one_sentence() {
    // The message used to break "network.rate_scale" from its value with a run of spaces (a
    // line continuation that lost its backslash).
    let cfg = one_input_config();
    let err = check_samples(&cfg, &[vec![300.0, 0.0]])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("at network.rate_scale 0.25 Hz per unit, above network.max_rate_hz"),
        "{err}"
    );
    assert!(!err.contains("  "), "a run of spaces in: {err}");
}
