//! Plain Rust f64 reference of the whole network for one clip, fed the same input spikes, with
//! the same phases as [`super::network::Network`]: encode, LIF update of both populations,
//! compaction (delayed inputs), propagation in ascending presynaptic order, STDP.
//!
//! The LIF groups are computed here from the [`Config`] in f64, not from the GPU side's
//! [`super::neurons::LifParams`] (whose constants are f32): in particular the refractory rule
//! is stated independently of the kernel's countdown, as Brian states it, from the time of each
//! neuron's last spike: a neuron is free at step t when it never spiked or when at least the
//! refractory period (in whole steps of dt) has passed since, t - last >= refractory / dt.
//! Only the theta decay schedule ([`theta_decay_every`]) is shared, a numerical choice of the
//! kernel the reference follows on purpose.

use super::config::{Config, NeuronConfig};
use super::network::{Weights, GROUP_EXC, GROUP_INH};
use super::neurons::theta_decay_every;
use super::record::SpikeEvent;
use super::stdp::{stdp_reference, StdpParams};
use super::synapses::propagate_reference;

/// One LIF group of the reference, in f64 from its [`NeuronConfig`].
struct Group<'a> {
    c: &'a NeuronConfig,
    dt: f64,
    /// Refractory period in whole steps (nearest to refractory_ms / dt).
    refractory_steps: f64,
    /// Theta decays on steps that are multiples of this, by `theta_every * dt / tau_theta`.
    theta_every: u32,
    /// (v, ge, gi, theta) per neuron.
    state: Vec<f64>,
    /// Step of each neuron's last spike.
    last: Vec<Option<u32>>,
    /// Spiked in the current step.
    spiked: Vec<bool>,
}

impl<'a> Group<'a> {
    fn at_rest(c: &'a NeuronConfig, dt: f64, n: usize) -> Self {
        Group {
            c,
            dt,
            refractory_steps: (c.refractory_ms / dt).round(),
            theta_every: theta_decay_every(c.tau_theta_ms, dt),
            state: (0..n)
                .flat_map(|_| [c.v_rest, 0.0, 0.0, c.theta_init])
                .collect(),
            last: vec![None; n],
            spiked: vec![false; n],
        }
    }

    /// Free (not refractory) at step `t`: never spiked, or the refractory period has passed.
    fn free(&self, i: usize, t: u32) -> bool {
        self.last[i].is_none_or(|l| f64::from(t - l) >= self.refractory_steps)
    }

    /// One Euler step at step `t`: integrate V unless refractory, decay the conductances and
    /// (on its schedule) theta, spike above `v_thresh - theta_offset + theta`, reset.
    fn step(&mut self, t: u32) {
        let c = self.c;
        let dt = self.dt;
        let theta_due = t % self.theta_every == 0;
        for i in 0..self.last.len() {
            let free = self.free(i, t);
            let s = &mut self.state[4 * i..4 * i + 4];
            let (v0, ge0, gi0, th0) = (s[0], s[1], s[2], s[3]);
            let dv =
                dt / c.tau_ms * ((c.v_rest - v0) + ge0 * (c.e_exc - v0) + gi0 * (c.e_inh - v0));
            let mut v = if free { v0 + dv } else { v0 };
            let ge = ge0 - dt / c.tau_ge_ms * ge0;
            let gi = gi0 - dt / c.tau_gi_ms * gi0;
            let k_theta = f64::from(self.theta_every) * dt / c.tau_theta_ms;
            let mut theta = if theta_due { th0 - k_theta * th0 } else { th0 };
            let spike = free && v > c.v_thresh - c.theta_offset + theta;
            if spike {
                v = c.v_reset;
                theta += c.theta_plus;
                self.last[i] = Some(t);
            }
            s.copy_from_slice(&[v, ge, gi, theta]);
            self.spiked[i] = spike;
        }
    }

    /// Ascending indices of the neurons that spiked this step.
    fn spikes(&self) -> Vec<u32> {
        (0..self.spiked.len() as u32)
            .filter(|&i| self.spiked[i as usize])
            .collect()
    }
}

/// Result of a reference run.
pub struct ReferenceRun {
    /// Spikes sorted by (step, group, neuron); neuron indices are per clip.
    pub spikes: Vec<SpikeEvent>,
    /// Final input weights [n_in, n_e].
    pub w_in: Vec<f64>,
}

/// Simulate `steps` steps of one clip; `input(step)` gives the input spike flags `[n_in]` generated
/// at that step (before delays).
pub fn simulate(
    cfg: &Config,
    weights: &Weights,
    steps: u32,
    mut input: impl FnMut(u32) -> Vec<bool>,
) -> ReferenceRun {
    let n = &cfg.network;
    let (ni, ne) = (
        n.modalities * n.inputs_per_modality,
        n.modalities * n.neurons_per_modality,
    );
    let dt = cfg.sim.dt_ms;
    let to64 = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let (mut w_in, mask, w_ei, w_ie, w_cross) = (
        to64(&weights.w_in),
        to64(&weights.mask_in),
        to64(&weights.w_ei),
        to64(&weights.w_ie),
        to64(&weights.w_cross),
    );
    let delay: Vec<u32> = (0..ni)
        .map(|i| cfg.steps(n.input_delay_ms[i / n.inputs_per_modality]))
        .collect();
    let ps = StdpParams::new(&cfg.stdp, dt, ni as u32, ne as u32);
    let mut exc = Group::at_rest(&cfg.exc, dt, ne);
    let mut inh = Group::at_rest(&cfg.inh, dt, ne);
    let (mut tr_pre, mut tr_post) = (vec![0.0; ni], vec![0.0; 2 * ne]);
    let mut history: Vec<Vec<bool>> = Vec::new();
    let mut spikes = Vec::new();
    let mut g = vec![0.0; ne];
    for t in 0..steps {
        // Encode.
        history.push(input(t));
        // Neuron updates.
        exc.step(t);
        inh.step(t);
        // Compaction: delayed input arrivals and this step's spikes.
        let arrived: Vec<bool> = (0..ni)
            .map(|i| t >= delay[i] && history[(t - delay[i]) as usize][i])
            .collect();
        let li: Vec<u32> = (0..ni as u32).filter(|&i| arrived[i as usize]).collect();
        let le = exc.spikes();
        let lh = inh.spikes();
        for (grp, l) in [(GROUP_EXC, &le), (GROUP_INH, &lh)] {
            spikes.extend(l.iter().map(|&i| SpikeEvent {
                step: t,
                group: grp,
                neuron: i,
            }));
        }
        // Propagation, in the GPU's dispatch order.
        let mut add = |list: &[u32], w: &[f64], s: &mut [f64], k: usize| {
            g.iter_mut()
                .enumerate()
                .for_each(|(j, x)| *x = s[4 * j + k]);
            propagate_reference(list, w, ne, &mut g);
            g.iter().enumerate().for_each(|(j, x)| s[4 * j + k] = *x);
        };
        add(&li, &w_in, &mut exc.state, 1);
        add(&le, &w_ei, &mut inh.state, 1);
        add(&lh, &w_ie, &mut exc.state, 2);
        if !w_cross.is_empty() {
            add(&le, &w_cross, &mut exc.state, 1);
        }
        if cfg.stdp.enabled {
            let post = &exc.spiked;
            stdp_reference(
                &ps,
                &mut w_in,
                &mask,
                &arrived,
                post,
                &mut tr_pre,
                &mut tr_post,
            );
        }
    }
    spikes.sort_unstable();
    ReferenceRun { spikes, w_in }
}
