//! The refractory period, as Brian (and Diehl & Cook) define it: a neuron that spiked at step t
//! may fire again at t + refractory / dt, so under a drive strong enough to fire a free neuron at
//! once the interval between spikes is exactly the period: 10 steps (5 ms) excitatory, 4 steps
//! (2 ms) inhibitory at dt = 0.5 ms. The countdown used to restart at the full period, which
//! held the neuron one step more (11 and 5 steps).
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::network::{Input, Network, Weights, GROUP_EXC, GROUP_INH};
use synchgraph::snn::neurons::{lif_step, lif_step_reference, GroupState, LifParams, SPIKE_BIT};
use synchgraph::snn::record::Recorder;
use synchgraph::snn::reference::simulate;
use synchgraph::Tensor;

/// Steps at which a neuron spiked, from per-step spike flags.
fn spike_steps(flags: &[Vec<u32>], neuron: usize) -> Vec<u32> {
    (0..flags.len() as u32)
        .filter(|&t| flags[t as usize][neuron] & SPIKE_BIT != 0)
        .collect()
}

fn every(period: u32, steps: u32) -> Vec<u32> {
    (0..steps).step_by(period as usize).collect()
}

#[test]
fn lif_kernel_fires_once_per_refractory_period_under_strong_drive() {
    // A huge excitatory conductance held constant (k_ge = 0) takes a free neuron over threshold
    // in one step, so it fires as soon as the period allows: at 0, R, 2R, ...
    let g = gpu();
    let cfg = Config::default();
    let steps = 60u32;
    for (c, period) in [(&cfg.exc, 10u32), (&cfg.inh, 4u32)] {
        let n = 3;
        let state: Vec<f32> = (0..n)
            .flat_map(|_| [c.v_rest as f32, 1000.0, 0.0, c.theta_init as f32])
            .collect();
        let group = GroupState::from_host(&g, &state, &vec![0; n]).unwrap();
        let mut p = LifParams::new(c, cfg.sim.dt_ms, n as u32);
        assert_eq!(p.refr_steps, period);
        p.k_ge = 0.0;
        let mut rs: Vec<f64> = state.iter().map(|&x| f64::from(x)).collect();
        let mut rf = vec![0u32; n];
        let (mut gpu_flags, mut ref_flags) = (Vec::new(), Vec::new());
        for t in 0..steps {
            p.step = t;
            lif_step(&g, &group, &p).unwrap();
            lif_step_reference(&p, &mut rs, &mut rf);
            gpu_flags.push(group.flags.to_u32().unwrap());
            ref_flags.push(rf.clone());
        }
        for i in 0..n {
            assert_eq!(
                spike_steps(&gpu_flags, i),
                every(period, steps),
                "GPU, {period}-step period, neuron {i}"
            );
            assert_eq!(
                spike_steps(&ref_flags, i),
                every(period, steps),
                "lif_step_reference, {period}-step period, neuron {i}"
            );
        }
    }
}

/// Neurons that fire whenever they are free, without any input: resting at 0 mV (above every
/// threshold) with a membrane time constant of one step, so a free neuron jumps from its reset
/// potential back to rest in one step and fires; no synaptic or input weights.
fn self_firing(exc_ms: f64, inh_ms: f64) -> Config {
    let mut c = Config::default();
    for (g, ms) in [(&mut c.exc, exc_ms), (&mut c.inh, inh_ms)] {
        g.v_rest = 0.0;
        g.tau_ms = c.sim.dt_ms;
        g.refractory_ms = ms;
    }
    let n = &mut c.network;
    (n.w_init_max, n.w_exc_inh, n.w_inh_exc, n.w_cross) = (0.0, 0.0, 0.0, 0.0);
    c.validate().unwrap();
    c
}

/// Spike steps of the first excitatory and the first inhibitory neuron, on the GPU network and
/// in the f64 reference.
fn network_spikes(cfg: &Config, steps: u32) -> [[Vec<u32>; 2]; 2] {
    let g = gpu();
    let w = Weights::build(cfg);
    let mut net = Network::new(&g, cfg, &w, 1).unwrap();
    let rates = Tensor::from_f32(&g, &[net.n_in], &vec![0.0; net.n_in]).unwrap();
    let rec = Recorder::new(&g, 100_000).unwrap();
    net.run(&Input::Rates(&rates), steps, &rec).unwrap();
    let gpu_events = rec.read().unwrap();
    let reference = simulate(cfg, &w, steps, |_| vec![false; net.n_in]).spikes;
    let first = |events: &[synchgraph::snn::record::SpikeEvent], group| {
        events
            .iter()
            .filter(|e| e.group == group && e.neuron == 0)
            .map(|e| e.step)
            .collect::<Vec<u32>>()
    };
    [
        [first(&gpu_events, GROUP_EXC), first(&gpu_events, GROUP_INH)],
        [first(&reference, GROUP_EXC), first(&reference, GROUP_INH)],
    ]
}

#[test]
fn shortest_interspike_interval_is_the_refractory_period_in_the_network_and_reference() {
    // Diehl & Cook's periods, 5 ms and 2 ms: 10 and 4 steps of 0.5 ms, on the GPU network and
    // in the f64 reference, whose refractory rule is computed from the config on its own.
    let steps = 80;
    let [gpu_run, reference] = network_spikes(&self_firing(5.0, 2.0), steps);
    for (what, [e, i]) in [("GPU", gpu_run), ("reference", reference)] {
        assert_eq!(e, every(10, steps), "{what}: excitatory, 5 ms period");
        assert_eq!(i, every(4, steps), "{what}: inhibitory, 2 ms period");
    }
    // The shortest periods: one step (free again on the next step, as in Brian) and two.
    let [gpu_run, reference] = network_spikes(&self_firing(0.5, 1.0), steps);
    for (what, [e, i]) in [("GPU", gpu_run), ("reference", reference)] {
        assert_eq!(e, every(1, steps), "{what}: excitatory, one-step period");
        assert_eq!(i, every(2, steps), "{what}: inhibitory, two-step period");
    }
}
