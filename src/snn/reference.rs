//! Plain Rust f64 reference of the whole network for one clip, fed the same input spikes, with
//! the same phases as [`super::network::Network`]: encode, LIF update of both populations,
//! compaction (delayed inputs), propagation in ascending presynaptic order, STDP.

use super::config::Config;
use super::network::{Weights, GROUP_EXC, GROUP_INH};
use super::neurons::{lif_step_reference, LifParams, SPIKE_BIT};
use super::record::SpikeEvent;
use super::stdp::{stdp_reference, StdpParams};
use super::synapses::{compact_reference, propagate_reference};

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
    let mut pe = LifParams::new(&cfg.exc, dt, ne as u32);
    let mut ph = LifParams::new(&cfg.inh, dt, ne as u32);
    let ps = StdpParams::new(&cfg.stdp, dt, ni as u32, ne as u32);
    let rest = |v: f64, th: f64| {
        (0..ne)
            .flat_map(|_| [v, 0.0, 0.0, th])
            .collect::<Vec<f64>>()
    };
    let f = |x: f64| f64::from(x as f32);
    let mut se = rest(f(cfg.exc.v_rest), f(cfg.exc.theta_init));
    let mut sh = rest(f(cfg.inh.v_rest), f(cfg.inh.theta_init));
    let (mut fe, mut fh) = (vec![0u32; ne], vec![0u32; ne]);
    let (mut tr_pre, mut tr_post) = (vec![0.0; ni], vec![0.0; 2 * ne]);
    let mut history: Vec<Vec<bool>> = Vec::new();
    let mut spikes = Vec::new();
    let mut g = vec![0.0; ne];
    for t in 0..steps {
        // Encode.
        history.push(input(t));
        // Neuron updates.
        (pe.step, ph.step) = (t, t);
        lif_step_reference(&pe, &mut se, &mut fe);
        lif_step_reference(&ph, &mut sh, &mut fh);
        // Compaction: delayed input arrivals and this step's spikes.
        let arrived: Vec<bool> = (0..ni)
            .map(|i| t >= delay[i] && history[(t - delay[i]) as usize][i])
            .collect();
        let li: Vec<u32> = (0..ni as u32).filter(|&i| arrived[i as usize]).collect();
        let le = compact_reference(&fe);
        let lh = compact_reference(&fh);
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
        add(&li, &w_in, &mut se, 1);
        add(&le, &w_ei, &mut sh, 1);
        add(&lh, &w_ie, &mut se, 2);
        if !w_cross.is_empty() {
            add(&le, &w_cross, &mut se, 1);
        }
        if cfg.stdp.enabled {
            let post: Vec<bool> = fe.iter().map(|f| f & SPIKE_BIT != 0).collect();
            stdp_reference(
                &ps,
                &mut w_in,
                &mask,
                &arrived,
                &post,
                &mut tr_pre,
                &mut tr_post,
            );
        }
    }
    spikes.sort_unstable();
    ReferenceRun { spikes, w_in }
}
