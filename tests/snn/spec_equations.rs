//! The GPU network on a few neurons against values worked out by hand from Diehl & Cook's
//! equations (not from `src/snn/reference.rs`): the conductance-based Euler membrane step with
//! the conductance jumping by the weight after the step of the input spike, the spike and
//! reset with theta growing by theta_plus, the excitatory -> inhibitory -> lateral inhibition
//! chain one step per link, and the pre/post STDP rule reading the traces decayed to the step of
//! a spike (the potentiation with the post2 trace from before the post spike).
use crate::common;

use common::gpu;
use synchgraph::snn::config::{Config, StdpRule};
use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::network::{Input, Network, Weights, GROUP_EXC, GROUP_INH};
use synchgraph::snn::record::{Recorder, SpikeEvent};

/// One modality of `inputs` inputs and `neurons` excitatory neurons, default constants.
fn tiny(inputs: usize, neurons: usize) -> Config {
    let mut c = Config::default();
    c.network.modalities = 1;
    c.network.inputs_per_modality = inputs;
    c.network.neurons_per_modality = neurons;
    c.network.input_delay_ms = vec![0.0];
    c
}

/// Run `steps` steps with input `events` (input, step) and the given input weights and mask.
fn run(
    cfg: &Config,
    w_in: &[f32],
    mask: &[f32],
    events: Vec<(u32, u32)>,
    steps: u32,
) -> (Network, Vec<SpikeEvent>) {
    let g = gpu();
    let mut w = Weights::build(cfg);
    w.w_in.copy_from_slice(w_in);
    w.mask_in.copy_from_slice(mask);
    let mut net = Network::new(&g, cfg, &w, 1).unwrap();
    let list = SpikeList {
        n_in: cfg.network.inputs_per_modality,
        steps: steps as usize,
        events,
    };
    let sched = list.upload(&g).unwrap();
    let rec = Recorder::new(&g, 1000).unwrap();
    net.run(&Input::Schedule(&sched, steps), steps, &rec)
        .unwrap();
    let spikes = rec.read().unwrap();
    (net, spikes)
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, hand value {want}"
    );
}

#[test]
fn membrane_and_conductance_follow_the_euler_step_of_the_conductance_equation() {
    // One input spike at step 0 with weight 2: ge jumps to 2 after step 0 and the membrane
    // integrates it from step 1, tau dv/dt = (E_rest - v) + ge (E_exc - v) + gi (E_inh - v).
    let cfg = tiny(1, 1);
    let steps = 6;
    let (net, spikes) = run(&cfg, &[2.0], &[1.0], vec![(0, 0)], steps);
    assert!(spikes.is_empty(), "{spikes:?}");
    let (state, _) = net.exc.to_host().unwrap();
    let dt = cfg.sim.dt_ms;
    let (mut v, mut ge) = (-65.0f64, 0.0f64);
    for t in 0..steps {
        v += dt / 100.0 * ((-65.0 - v) + ge * (0.0 - v));
        ge -= dt / 1.0 * ge;
        if t == 0 {
            ge += 2.0;
        }
    }
    close("v (mV)", f64::from(state[0]), v, 1e-6);
    close("ge", f64::from(state[1]), ge, 1e-6);
    assert_eq!(state[2], 0.0, "gi");
    // Theta decayed once, at step 0, by theta_every * dt / tau_theta (4883 steps of 0.5 ms
    // over 1e7 ms).
    close(
        "theta (mV)",
        f64::from(state[3]),
        20.0 * (1.0 - 4883.0 * 0.5 / 1e7),
        1e-6,
    );
}

#[test]
fn a_spike_resets_raises_theta_and_inhibits_the_other_neuron_two_steps_later() {
    // Input 0 drives excitatory neuron 0 only, hard enough to fire it at step 1:
    // v = -65 + 0.005 * 50 * 65 = -48.75 mV > -52 mV. Its spike drives its inhibitory partner
    // (ge 10.4 after step 1), which fires at step 2 (v = -60 + 0.05 * 10.4 * 60 = -28.8 mV
    // > -40 mV), and inhibits excitatory neuron 1 only (gi 17 after step 2).
    let cfg = tiny(1, 2);
    let (net, spikes) = run(&cfg, &[50.0, 0.0], &[1.0, 1.0], vec![(0, 0)], 3);
    let ev = |step, group, neuron| SpikeEvent {
        step,
        group,
        neuron,
    };
    assert_eq!(spikes, vec![ev(1, GROUP_EXC, 0), ev(2, GROUP_INH, 0)]);
    let (exc, exc_flags) = net.exc.to_host().unwrap();
    let (inh, _) = net.inh.to_host().unwrap();
    // Excitatory 0: reset at step 1, held at reset (refractory) at step 2; theta + 0.05.
    close("exc v", f64::from(exc[0]), -65.0, 1e-6);
    let theta0 = 20.0 * (1.0 - 4883.0 * 0.5 / 1e7);
    close("exc theta", f64::from(exc[3]), theta0 + 0.05, 1e-6);
    assert_eq!(
        exc_flags[0] & 0x7fff_ffff,
        10 - 2,
        "refractory steps left after steps 1 and 2"
    );
    // Excitatory 1: untouched by the input, gi = 17 from the inhibitory spike of step 2.
    close("exc 1 v", f64::from(exc[4]), -65.0, 1e-6);
    close("exc 1 gi", f64::from(exc[6]), 17.0, 1e-6);
    // Inhibitory 0: reset to -45 mV at step 2.
    close("inh v", f64::from(inh[0]), -45.0, 1e-6);
}

#[test]
fn pre_post_stdp_reads_traces_decayed_to_the_spike_step() {
    // Input 0 (plastic, weight 0.2) spikes at step 0. Input 1 (no plastic synapse: mask 0,
    // weight 50) fires the neuron at steps 21 and 41. Depression at the pre spike reads post1 = 0;
    // the first post spike potentiates by nu_post * pre * post2 with post2 = 0 (nothing yet); the
    // second by nu_post * (1 - dt/tau_pre)^41 * (1 - dt/tau_post2)^20.
    let mut cfg = tiny(2, 1);
    cfg.stdp.enabled = true;
    cfg.stdp.norm_total = 1.0; // two inputs at w_max 1 (the run does not normalise)
    cfg.stdp.rule = StdpRule::PrePost;
    let (net, spikes) = run(
        &cfg,
        &[0.2, 50.0],
        &[1.0, 0.0],
        vec![(0, 0), (1, 20), (1, 40)],
        45,
    );
    let steps: Vec<u32> = spikes
        .iter()
        .filter(|e| e.group == GROUP_EXC)
        .map(|e| e.step)
        .collect();
    assert_eq!(steps, vec![21, 41]);
    let w = net.w_in.to_f32().unwrap();
    let (dt, s) = (cfg.sim.dt_ms, &cfg.stdp);
    let pre = (1.0 - dt / s.tau_pre_ms).powi(41);
    let post2 = (1.0 - dt / s.tau_post2_ms).powi(20);
    close("w", f64::from(w[0]), 0.2 + s.nu_post * pre * post2, 1e-6);
    assert_eq!(w[1], 50.0, "a masked synapse is not plastic");
}

#[test]
fn power_law_stdp_potentiates_by_the_decayed_pre_trace_minus_the_target() {
    // dw = nu_post (x_pre - x_tar) (w_max - w)^mu at the post spike of step 11, x_pre decayed
    // over the 11 steps since the pre spike of step 0 (and 0.2 at w = 0.2).
    let mut cfg = tiny(2, 1);
    cfg.stdp.enabled = true;
    cfg.stdp.norm_total = 1.0;
    cfg.stdp.rule = StdpRule::PowerLaw;
    let (net, _) = run(&cfg, &[0.2, 50.0], &[1.0, 0.0], vec![(0, 0), (1, 10)], 12);
    let w = net.w_in.to_f32().unwrap();
    let (dt, s) = (cfg.sim.dt_ms, &cfg.stdp);
    let pre = (1.0 - dt / s.tau_pre_ms).powi(11);
    let want = 0.2 + s.nu_post * (pre - s.x_tar) * (s.w_max - 0.2f64).powf(s.mu);
    close("w", f64::from(w[0]), want, 1e-6);
}
