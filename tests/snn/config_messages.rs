//! Config errors name the TOML key and the value they refuse: a config has about fifty
//! constants, and "a constant is NaN or infinite" left the user to find which.

use synchgraph::snn::config::Config;
use synchgraph::Error;

type Field = fn(&mut Config) -> &mut f64;

/// The message of a refused config; panics unless it is an `Error::Config`.
fn refused(c: &Config, what: &str) -> String {
    match c.validate() {
        Err(Error::Config(m)) => m,
        other => panic!("{what}: expected Error::Config, got {other:?}"),
    }
}

/// Every potential, STDP constant, weight, rate and duration set to NaN, an infinity or (where
/// it must be >= 0) a negative value is refused with its TOML key and the value in the message.
#[test]
fn a_bad_constant_is_named_with_its_value() {
    let fields: [(&str, Field); 24] = [
        ("exc.v_rest", |c| &mut c.exc.v_rest),
        ("exc.v_reset", |c| &mut c.exc.v_reset),
        ("exc.v_thresh", |c| &mut c.exc.v_thresh),
        ("exc.theta_offset", |c| &mut c.exc.theta_offset),
        ("exc.e_exc", |c| &mut c.exc.e_exc),
        ("inh.e_inh", |c| &mut c.inh.e_inh),
        ("inh.theta_plus", |c| &mut c.inh.theta_plus),
        ("stdp.nu_pre", |c| &mut c.stdp.nu_pre),
        ("stdp.nu_post", |c| &mut c.stdp.nu_post),
        ("stdp.x_tar", |c| &mut c.stdp.x_tar),
        ("stdp.mu", |c| &mut c.stdp.mu),
        ("stdp.norm_total", |c| &mut c.stdp.norm_total),
        ("network.w_exc_inh", |c| &mut c.network.w_exc_inh),
        ("network.w_inh_exc", |c| &mut c.network.w_inh_exc),
        ("network.w_cross", |c| &mut c.network.w_cross),
        ("network.w_init_max", |c| &mut c.network.w_init_max),
        ("network.rate_scale", |c| &mut c.network.rate_scale),
        ("network.max_rate_hz", |c| &mut c.network.max_rate_hz),
        ("sim.sample_ms", |c| &mut c.sim.sample_ms),
        ("sim.rest_ms", |c| &mut c.sim.rest_ms),
        ("sim.raise_gain", |c| &mut c.sim.raise_gain),
        ("exc.refractory_ms", |c| &mut c.exc.refractory_ms),
        ("inh.refractory_ms", |c| &mut c.inh.refractory_ms),
        ("inh.v_rest", |c| &mut c.inh.v_rest),
    ];
    for (name, field) in fields {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut c = Config::default();
            *field(&mut c) = v;
            let m = refused(&c, name);
            assert!(
                m.contains(name) && m.contains(&v.to_string()),
                "{name} = {v}: {m}"
            );
            assert!(!m.contains("shorter than dt"), "{name} = {v}: {m}");
        }
    }
    // Values that must be >= 0.
    for (name, field) in &fields[12..21] {
        let mut c = Config::default();
        *field(&mut c) = -2.5;
        let m = refused(&c, name);
        assert!(m.contains(name) && m.contains("-2.5"), "{name} = -2.5: {m}");
    }
}

/// A delay list of the wrong length says how many delays for how many modalities, and a delay
/// out of range names its index and value.
#[test]
fn bad_input_delays_are_named() {
    let mut c = Config::default();
    c.network.input_delay_ms = vec![0.0, 5.0, 1.0];
    let m = refused(&c, "three delays");
    assert!(
        m.contains("network.input_delay_ms") && m.contains('3') && m.contains('2'),
        "{m}"
    );
    for v in [5000.0, -1.0, f64::NAN] {
        let mut c = Config::default();
        c.network.input_delay_ms = vec![0.0, v];
        let m = refused(&c, "delay");
        assert!(
            m.contains("network.input_delay_ms[1]") && m.contains(&v.to_string()),
            "{v}: {m}"
        );
    }
}
