//! Config validation and the LIF kernel against its f64 reference.
use crate::common;

use common::{assert_folded, folded_gpu, gpu, Rng};
use synchgraph::snn::config::{Config, NeuronConfig};
use synchgraph::snn::neurons::{lif_step, lif_step_reference, GroupState, LifParams};
use synchgraph::{Error, Gpu};

#[test]
fn default_toml_asset_parses_to_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn_default.toml");
    if std::env::var("SNN_WRITE_DEFAULT").is_ok() {
        std::fs::write(path, Config::default().to_toml().unwrap()).unwrap();
    }
    let c = Config::load(std::path::Path::new(path)).unwrap();
    assert_eq!(c, Config::default());
    Config::default().validate().unwrap();
}

#[test]
fn defaults_are_the_diehl_and_cook_constants() {
    // Written out from Diehl & Cook (2015) and their Brian script, not from Config::default:
    // membrane time constants 100 ms (excitatory) and 10 ms (inhibitory); in both groups the
    // excitatory conductance decays with 1 ms and the inhibitory one with 2 ms.
    let c = Config::default();
    let group = |n: &NeuronConfig| {
        [
            n.v_rest,
            n.v_reset,
            n.v_thresh,
            n.e_inh,
            n.refractory_ms,
            n.tau_ms,
            n.tau_ge_ms,
            n.tau_gi_ms,
        ]
    };
    assert_eq!(
        group(&c.exc),
        [-65.0, -65.0, -52.0, -100.0, 5.0, 100.0, 1.0, 2.0]
    );
    assert_eq!(
        group(&c.inh),
        [-60.0, -45.0, -40.0, -85.0, 2.0, 10.0, 1.0, 2.0]
    );
    let theta = (c.exc.theta_plus, c.exc.tau_theta_ms, c.exc.theta_offset);
    assert_eq!(theta, (0.05, 1e7, 20.0));
    assert_eq!((c.network.w_exc_inh, c.network.w_inh_exc), (10.4, 17.0));
}

fn rejected(edit: impl FnOnce(&mut Config), what: &str) {
    let mut c = Config::default();
    edit(&mut c);
    match c.validate() {
        Err(Error::Config(m)) => eprintln!("{what}: {m}"),
        other => panic!("{what}: expected Error::Config, got {other:?}"),
    }
}

#[test]
fn impossible_constants_are_config_errors() {
    rejected(|c| c.exc.tau_ms = -1.0, "negative tau");
    rejected(|c| c.inh.tau_ge_ms = 0.0, "zero tau");
    rejected(|c| c.stdp.tau_pre_ms = 0.0, "zero trace tau");
    rejected(
        |c| c.sim.dt_ms = 3.0,
        "dt over the inhibitory refractory period",
    );
    rejected(|c| c.exc.v_thresh = f64::NAN, "NaN threshold");
    rejected(|c| c.stdp.nu_post = f64::NAN, "NaN learning rate");
    rejected(|c| c.stdp.w_max = 0.0, "w_max 0");
    rejected(|c| c.stdp.w_max = -1.0, "w_max negative");
    rejected(|c| c.stdp.norm_total = 0.0, "norm_total 0");
    rejected(
        |c| {
            c.stdp.rule = synchgraph::snn::config::StdpRule::PowerLaw;
            c.stdp.mu = -0.5;
        },
        "negative power-law mu",
    );
    rejected(|c| c.network.input_delay_ms = vec![0.0], "delay count");
    assert!(matches!(
        Config::from_toml("sim = 3"),
        Err(Error::Config(_))
    ));
}

/// Random state around threshold: some neurons refractory, some spiking.
fn random_state(rng: &mut Rng, n: usize) -> (Vec<f32>, Vec<u32>) {
    let mut s = Vec::with_capacity(4 * n);
    let mut f = Vec::with_capacity(n);
    for _ in 0..n {
        s.extend([
            rng.uniform(-75.0, -45.0),
            rng.uniform(0.0, 2.0),
            rng.uniform(0.0, 1.0),
        ]);
        s.push(rng.uniform(0.0, 30.0));
        f.push(if rng.below(4) == 0 {
            rng.below(11) as u32
        } else {
            0
        });
    }
    (s, f)
}

fn check_lif(g: &Gpu, n: usize, steps: usize) {
    let cfg = Config::default();
    let mut rng = Rng(n as u64 + 7);
    let (s, f) = random_state(&mut rng, n);
    let group = GroupState::from_host(g, &s, &f).unwrap();
    let p = LifParams::new(&cfg.exc, cfg.sim.dt_ms, n as u32);
    let mut rs: Vec<f64> = s.iter().map(|&x| f64::from(x)).collect();
    let mut rf = f.clone();
    let mut spikes = 0;
    for _ in 0..steps {
        lif_step(g, &group, &p).unwrap();
        lif_step_reference(&p, &mut rs, &mut rf);
        spikes += rf.iter().filter(|&&x| x >> 31 == 1).count();
    }
    let (gs, gf) = group.to_host().unwrap();
    // Tolerance: f32 vs f64 Euler over `steps` steps: |dv| <= 1e-3 mV, |dg| <= 1e-5 + 1e-5|g|.
    // A neuron within 1e-3 mV of threshold could flip; none did on these seeds.
    for i in 0..n {
        assert_eq!(gf[i], rf[i], "flags of neuron {i} (n = {n})");
        for k in 0..4 {
            let (a, b) = (f64::from(gs[4 * i + k]), rs[4 * i + k]);
            assert!(
                (a - b).abs() <= 1e-3 + 1e-5 * b.abs(),
                "n={n} i={i} k={k}: {a} vs {b}"
            );
        }
    }
    if n > 100 {
        assert!(spikes > 0, "test state should make some neurons spike");
    }
}

#[test]
fn lif_matches_reference_on_awkward_sizes() {
    for &n in &[1usize, 7, 255, 256, 257, 1000, 4099] {
        check_lif(&gpu(), n, 3);
    }
}

#[test]
fn lif_two_dimensional_grid_path() {
    // 2,603 neurons = 11 workgroups, folded at the 7 groups per dimension of `folded_gpu()`
    // into a 6 x 2 grid with one spare workgroup: the same flat_index path a group of more than
    // 65,535 * 256 neurons takes on a real device.
    let g = folded_gpu();
    assert_folded(&g, 2603, 256, 1);
    check_lif(&g, 2603, 2);
}

#[test]
fn lif_many_steps_drive_and_refractory() {
    // Constant drive through ge: neurons spike, go refractory, spike again; 200 steps.
    let g = gpu();
    let cfg = Config::default();
    let n = 300;
    let s: Vec<f32> = (0..n)
        .flat_map(|i| [-65.0, 0.02 * i as f32, 0.0, 0.0])
        .collect();
    let group = GroupState::from_host(&g, &s, &vec![0; n]).unwrap();
    let mut p = LifParams::new(&cfg.exc, cfg.sim.dt_ms, n as u32);
    p.k_ge = 0.0; // hold ge constant
    let mut rs: Vec<f64> = s.iter().map(|&x| f64::from(x)).collect();
    let mut rf = vec![0u32; n];
    for _ in 0..200 {
        lif_step(&g, &group, &p).unwrap();
        lif_step_reference(&p, &mut rs, &mut rf);
    }
    let (gs, gf) = group.to_host().unwrap();
    // Tolerance: f32 against f64 Euler over 200 steps with resets in between. The flags
    // (spike bit and refractory count) must agree exactly, so both took every spike at the
    // same step; v may drift by the f32 rounding of each step's update (about 1e-5 mV per
    // step, 200 steps: well under 1e-2 mV), and theta, a sum of equal increments, by 1e-4.
    assert_eq!(gf, rf, "spike flags and refractory counts");
    for i in 0..n {
        assert!((f64::from(gs[4 * i]) - rs[4 * i]).abs() < 1e-2, "v of {i}");
        assert!(
            (f64::from(gs[4 * i + 3]) - rs[4 * i + 3]).abs() < 1e-4,
            "theta of {i}"
        );
    }
    assert!(
        rs[4 * (n - 1) + 3] > 0.1,
        "strongly driven neuron spiked several times"
    );
}

#[test]
fn refractory_periods_past_65535_steps_count_down_exactly() {
    // A countdown is 31 bits of the flags word. Neurons start refractory with countdowns around
    // 2^16 and 2^30 (a 16-bit field would have wrapped them), plus one free neuron driven to
    // spike, which restarts a 100,000-step period. Exact: integer countdowns.
    let g = gpu();
    let mut cfg = Config::default();
    cfg.exc.refractory_ms = 50_000.0; // 100,000 steps of 0.5 ms
    cfg.validate().unwrap();
    let counts = [65_535u32, 65_536, 70_000, 1 << 30, 0];
    let n = counts.len();
    let s: Vec<f32> = (0..n)
        .flat_map(|i| [if i == n - 1 { 0.0 } else { -65.0 }, 0.0, 0.0, 0.0])
        .collect();
    let group = GroupState::from_host(&g, &s, &counts).unwrap();
    let p = LifParams::new(&cfg.exc, cfg.sim.dt_ms, n as u32);
    assert_eq!(p.refr_steps, 100_000);
    let mut rs: Vec<f64> = s.iter().map(|&x| f64::from(x)).collect();
    let mut rf = counts.to_vec();
    for _ in 0..3 {
        lif_step(&g, &group, &p).unwrap();
        lif_step_reference(&p, &mut rs, &mut rf);
    }
    let (_, gf) = group.to_host().unwrap();
    assert_eq!(gf, rf, "GPU and reference flags");
    assert_eq!(&gf[..4], &[65_532, 65_533, 69_997, (1 << 30) - 3]);
    // The driven neuron spiked in step 1, which restarts its countdown at 100,000 - 1 (free
    // again 100,000 steps after the spike, as in Brian; the countdown used to restart at
    // 100,000, one step too long), and it has counted down twice since.
    assert_eq!(gf[4], 100_000 - 1 - 2);
    // A period over 31 bits of steps is a config error that says so.
    cfg.exc.refractory_ms = 1.5e9; // 3e9 steps
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("refractory countdown"), "{err}");
}
