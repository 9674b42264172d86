//! The network computes in f32: a constant that is a finite f64 but past f32's range became
//! infinite on the GPU and turned the state into NaN with no error (an inhibitory weight of 1e39
//! left half of the excitatory state NaN within 200 ms). `Config::validate` refuses every such
//! constant by name.

use synchgraph::snn::config::Config;
use synchgraph::Error;

type Field = fn(&mut Config) -> &mut f64;

/// The fields the kernels read as f32, with their TOML names.
const FIELDS: [(&str, Field); 20] = [
    ("exc.v_rest", |c| &mut c.exc.v_rest),
    ("exc.v_reset", |c| &mut c.exc.v_reset),
    ("exc.v_thresh", |c| &mut c.exc.v_thresh),
    ("exc.theta_offset", |c| &mut c.exc.theta_offset),
    ("exc.e_exc", |c| &mut c.exc.e_exc),
    ("exc.e_inh", |c| &mut c.exc.e_inh),
    ("exc.theta_plus", |c| &mut c.exc.theta_plus),
    ("exc.theta_init", |c| &mut c.exc.theta_init),
    ("inh.v_rest", |c| &mut c.inh.v_rest),
    ("inh.e_inh", |c| &mut c.inh.e_inh),
    ("network.w_exc_inh", |c| &mut c.network.w_exc_inh),
    ("network.w_inh_exc", |c| &mut c.network.w_inh_exc),
    ("network.w_cross", |c| &mut c.network.w_cross),
    ("network.w_init_max", |c| &mut c.network.w_init_max),
    ("network.rate_scale", |c| &mut c.network.rate_scale),
    ("stdp.nu_pre", |c| &mut c.stdp.nu_pre),
    ("stdp.nu_post", |c| &mut c.stdp.nu_post),
    ("stdp.w_max", |c| &mut c.stdp.w_max),
    ("stdp.x_tar", |c| &mut c.stdp.x_tar),
    ("stdp.norm_total", |c| &mut c.stdp.norm_total),
];

fn refused(c: &Config, what: &str) -> String {
    match c.validate() {
        Err(Error::Config(m)) => m,
        other => panic!("{what}: expected Error::Config, got {other:?}"),
    }
}

#[test]
fn constants_past_the_f32_range_are_refused_by_name() {
    for (name, field) in FIELDS {
        let mut c = Config::default();
        *field(&mut c) = 1e39;
        let m = refused(&c, name);
        assert!(m.contains(name) && m.contains("f32"), "{name}: {m}");
        // The largest f32 itself is accepted (when no other check refuses it).
        *field(&mut c) = f64::from(f32::MAX);
        if let Err(Error::Config(m)) = c.validate() {
            assert!(!m.contains("f32"), "{name} = f32::MAX: {m}");
        }
    }
}

#[test]
fn a_threshold_whose_offset_difference_overflows_f32_is_refused() {
    // Each fits f32, their difference (the kernel's v_thresh - theta_offset) does not.
    let mut c = Config::default();
    c.exc.v_thresh = 3e38;
    c.exc.theta_offset = -3e38;
    let m = refused(&c, "threshold difference");
    assert!(
        m.contains("exc.v_thresh - exc.theta_offset") && m.contains("f32"),
        "{m}"
    );
}
