//! End-to-end cases. `snn_second`: one simulated second (2000 steps at dt 0.5 ms) of the
//! Synch-Graph spiking network ([`crate::snn::network::Network`]) for a batch of clips driven by
//! Poisson inputs, with every excitatory and inhibitory spike recorded, as `train synchgraph`
//! presents clips. Layer sizes are those of the Synch-Graph model: two modalities of
//! [`INPUTS_PER_MODALITY`] inputs and [`NEURONS_PER_MODALITY`] excitatory (and as many inhibitory)
//! neurons, locally-connected input windows of [`WINDOW`], all-but-partner lateral inhibition and
//! all-to-all cross-modal excitation, audio arriving 5 ms after visual, plasticity off.
//! Input intensities are seeded uniform in 0..255 at Diehl & Cook's rate scale of 0.25 (rates
//! 0..63.75 Hz), not at `train synchgraph`'s default `--rate-scale` of 8
//! ([`crate::models::synchgraph::DEFAULT_RATE_SCALE`]), which fires far more. The network runs on
//! continuously from one repetition to the next (each repetition is the next simulated second),
//! the two input sets alternating.
//!
//! Traffic depends on the spikes, so the run counts it: the record is read back after each timed
//! repetition, outside the timed region (timestamps time only the run's dispatches; without them
//! the run times itself from its first step to idle, the readback and the count excluded), to
//! count excitatory and inhibitory spikes and the (clip, step) pairs with at least one spike;
//! input spikes, which are not recorded, are counted by their expectation `sum(rate) * 1 s` (the
//! generator is a bit-exact hash, but reading its ring back every step would perturb the run).
//! With `C` clips, `n_in` inputs and `n_e` excitatory neurons per clip, `T` steps, `S_P` spikes
//! of population P (input, exc, inh) arriving in the run, `A_P` (clip, step) pairs with at least
//! one spike of P, `R` recorded spikes (exc + inh) and `k` connections (4: input->exc,
//! exc->inh, inh->exc, exc->exc cross-modal), one run moves
//!
//! ```text
//! bytes = T * C * (8 n_in               Poisson: rate read, ring flag written
//!                  + 80 n_e             LIF, excitatory and inhibitory: 40 B per neuron
//!                  + 8 (n_in + 2 n_e)   compaction: flag read, arrival flag written
//!                  + 4 (3 + 3 + k))     per-clip list counters: cleared, read by sort and propagate
//!       + 16 sum_P S_P                  list entry written, sorted (read + written), read by propagate
//!       + 12 R                          spike record
//!       + 4 (n_in n_e + 3 n_e^2)        the four weight matrices, each read once
//!       + sum over connections P->Q of 32 n_e A_P
//!                                       the post neuron's 16-byte state read and written when
//!                                       a clip's list is not empty
//! flops = T * C * (18 * 2 n_e + 2 n_in) + sum over connections of S_P n_e
//! ```
//!
//! Each arriving spike gathers a dense weight row of `n_e`, but the weights (40 KB, shared by
//! every clip) stay in the cache, so those rows are not counted as memory traffic: the volume,
//! `4 n_e sum over connections of S_P`, is the row's `gathered_bytes` metric.
//!
//! (LIF 18 FLOPs per neuron update, Poisson 2 per input, one add per gathered weight.) The row also
//! reports per run, per second of its median time and per second of host wall time: LIF neuron
//! updates (`T * C * 2 n_e`), input updates (`T * C * n_in`), synaptic events (each arriving spike
//! times its number of existing synapses, zeros of the dense rows excluded), recorded spikes,
//! expected input spikes and simulated seconds (`simulated_s_per_wall_s` is simulated seconds per
//! wall second).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use super::case::{count_text, BenchCase, Counted, RunFn, Sizes, INPUT_SETS};
use super::cases_layout::random_indices;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::snn::network::{Input, Network, Weights, GROUP_EXC, GROUP_INH};
use crate::snn::record::Recorder;
use crate::snn::Config;
use crate::tensor::Tensor;

/// Simulated time of one repetition, ms.
pub const SIM_MS: f64 = 1000.0;
/// Inputs per modality (the Synch-Graph front end: 16 coefficients x 4 segments).
pub const INPUTS_PER_MODALITY: usize = 64;
/// Excitatory neurons per modality (the Synch-Graph model's 20).
pub const NEURONS_PER_MODALITY: usize = 20;
/// Locally-connected input window (inputs seen by one excitatory neuron, shift between neurons).
pub const WINDOW: (usize, usize) = (26, 2);
/// Cross-modal excitatory weight (the `train synchgraph` default).
pub const W_CROSS: f64 = 1.0;
/// Clips of the full-size run (2.1M Poisson inputs and 655K LIF neurons at these layer sizes).
pub const FULL_CLIPS: usize = 8192;
/// Clips of the `--quick` run.
pub const QUICK_CLIPS: usize = 4;

/// The network of the `snn_second` row: the Synch-Graph layer sizes with both modalities.
pub fn snn_second_config() -> Config {
    let mut c = Config::default();
    c.sim.seed = 701;
    let n = &mut c.network;
    n.modalities = 2;
    n.inputs_per_modality = INPUTS_PER_MODALITY;
    n.neurons_per_modality = NEURONS_PER_MODALITY;
    (n.window, n.stride) = WINDOW;
    n.w_cross = W_CROSS;
    n.input_delay_ms = vec![0.0, 5.0];
    c.stdp.enabled = false;
    c.exc.theta_plus = 0.0;
    // Diehl & Cook's 78 over 784 inputs, per input of the window (as `train synchgraph`).
    c.stdp.norm_total = 78.0 * WINDOW.0 as f64 / 784.0 * (0.47 / 0.19);
    c
}

/// Clips of the `snn_second` row: [`QUICK_CLIPS`] or [`FULL_CLIPS`], fewer where the input ring
/// (11 slots of 4-byte flags per input) would pass the largest binding (`4 * sizes.elements`).
pub fn snn_second_clips(sizes: &Sizes) -> usize {
    let clips = if sizes.quick { QUICK_CLIPS } else { FULL_CLIPS };
    let n_in = 2 * INPUTS_PER_MODALITY;
    clips.min(sizes.elements / (11 * n_in)).max(1)
}

/// (warm-up, repetitions) of the `snn_second` row: (1, 3) in `--quick` mode, (2, 10) in full.
/// One warm-up compiles every pipeline; a repetition is 2000 steps of 13 dispatches.
pub fn snn_second_runs(sizes: &Sizes) -> (usize, usize) {
    if sizes.quick {
        (1, 3)
    } else {
        (2, 10)
    }
}

/// Input rates (Hz) of input set `set`: intensities uniform in 0..255 times the rate scale.
pub fn snn_second_rates(cfg: &Config, clips: usize, set: usize) -> Vec<f32> {
    let n_in = cfg.network.modalities * cfg.network.inputs_per_modality;
    random_indices(clips * n_in, 256, 711 + set as u64)
        .into_iter()
        .map(|u| (u as f64 * cfg.network.rate_scale) as f32)
        .collect()
}

/// Non-zero outgoing synapses of every neuron: (inputs `[n_in]`, excitatory `[n_e]`, inhibitory
/// `[n_e]`); excitatory neurons drive their inhibitory partner and the cross-modal links.
pub fn fan_out(w: &Weights, n_in: usize, n_e: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let nz = |m: &[f32], rows: usize| -> Vec<u32> {
        if m.is_empty() {
            return vec![0; rows];
        }
        m.chunks_exact(n_e)
            .map(|r| r.iter().filter(|v| **v != 0.0).count() as u32)
            .collect()
    };
    let cross = nz(&w.w_cross, n_e);
    let exc = nz(&w.w_ei, n_e)
        .iter()
        .zip(&cross)
        .map(|(a, b)| a + b)
        .collect();
    (nz(&w.mask_in, n_in), exc, nz(&w.w_ie, n_e))
}

/// Spike-dependent counts of one run, read from the record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpikeTally {
    /// Excitatory and inhibitory spikes.
    pub spikes: [u64; 2],
    /// (clip, step) pairs with at least one excitatory / inhibitory spike.
    pub active: [u64; 2],
    /// Synaptic events of the excitatory and inhibitory spikes.
    pub events: u64,
}

/// Tally raw record entries (group, neuron, step) of steps `first..first + steps`.
pub fn tally(
    raw: &[u32],
    n_e: usize,
    first: u32,
    steps: usize,
    clips: usize,
    fan: (&[u32], &[u32]),
) -> Result<SpikeTally> {
    let mut t = SpikeTally::default();
    let mut seen = vec![vec![false; clips * steps]; 2];
    for e in raw.chunks_exact(3) {
        let g = match e[0] {
            GROUP_EXC => 0,
            GROUP_INH => 1,
            other => return Err(Error::Device(format!("spike record group {other}"))),
        };
        let (clip, i) = (e[1] as usize / n_e, e[1] as usize % n_e);
        let step = e[2].wrapping_sub(first) as usize;
        if clip >= clips || step >= steps {
            return Err(Error::Device(format!(
                "spike record entry {e:?} outside {clips} clips x steps {first}..+{steps}"
            )));
        }
        t.spikes[g] += 1;
        t.events += u64::from(if g == 0 { fan.0[i] } else { fan.1[i] });
        let s = &mut seen[g][clip * steps + step];
        if !*s {
            *s = true;
            t.active[g] += 1;
        }
    }
    Ok(t)
}

/// Expected input counts of one run from the rates: (arriving spikes, (clip, step) pairs with at
/// least one arriving spike, synaptic events).
pub fn input_expectation(
    rates: &[f32],
    n_in: usize,
    fan: &[u32],
    steps: usize,
    dt_ms: f64,
) -> [f64; 3] {
    let dt_s = dt_ms / 1000.0;
    let (mut spikes, mut active, mut events) = (0.0, 0.0, 0.0);
    for clip in rates.chunks_exact(n_in) {
        let mut silent = 1.0;
        for (i, &r) in clip.iter().enumerate() {
            let p = (f64::from(r) * dt_s).min(1.0);
            spikes += p;
            events += p * f64::from(fan[i]);
            silent *= 1.0 - p;
        }
        active += 1.0 - silent;
    }
    let t = steps as f64;
    [spikes * t, active * t, events * t]
}

/// One simulated second of the Synch-Graph network for [`snn_second_clips`] clips.
pub fn snn_second(sizes: &Sizes) -> BenchCase {
    let cfg = snn_second_config();
    let clips = snn_second_clips(sizes);
    let n_in = cfg.network.modalities * cfg.network.inputs_per_modality;
    let n_e = cfg.network.modalities * cfg.network.neurons_per_modality;
    let steps = cfg.steps(SIM_MS) as usize;
    let connections = 4u64;
    let (c, ni, ne, t) = (clips as u64, n_in as u64, n_e as u64, steps as u64);
    // Spike-independent part, the weights read once included; the run adds the rest (see the
    // module docs).
    let fixed_bytes = t * c * (8 * ni + 80 * ne + 8 * (ni + 2 * ne) + 4 * (6 + connections))
        + 4 * (ni * ne + 3 * ne * ne);
    let fixed_flops = t * c * (36 * ne + 2 * ni);
    let counted = Rc::new(RefCell::new(Counted::default()));
    let cell = Rc::clone(&counted);
    let runs = snn_second_runs(sizes);
    let warmup = runs.0;
    // Without timestamps the run times itself: the harness's wall clock would also take in the
    // record's readback and tally, which are outside the timed region.
    let self_timed = !sizes.timestamps;
    let mut case = BenchCase::memory(
        "snn_second",
        "e2e",
        format!("{} clips x {n_in}+{n_e}+{n_e} 1 s", count_text(clips)),
        fixed_bytes,
        fixed_flops,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let weights = Weights::build(&cfg);
            let (fan_in, fan_exc, fan_inh) = fan_out(&weights, n_in, n_e);
            let mut net = Network::new(gpu, &cfg, &weights, clips)?;
            net.normalize_input()?;
            let host_rates: Vec<Vec<f32>> = (0..INPUT_SETS)
                .map(|s| snn_second_rates(&cfg, clips, s))
                .collect();
            let inputs: Vec<[f64; 3]> = host_rates
                .iter()
                .map(|r| input_expectation(r, n_in, &fan_in, steps, cfg.sim.dt_ms))
                .collect();
            let rates = host_rates
                .iter()
                .map(|r| Tensor::from_f32(gpu, &[r.len()], r))
                .collect::<Result<Vec<_>>>()?;
            // Room for an average of 50 spikes per neuron and second (exc and inh); the layer
            // fires about 10 per second on these inputs.
            let capacity = (2 * clips * n_e * 50) as u64;
            let capacity = u32::try_from(capacity.min(gpu.max_binding_bytes() / 12))
                .map_err(|_| Error::InvalidInput("spike record over 2^32 events".into()))?;
            let rec = Recorder::new(gpu, capacity)?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                let k = i % INPUT_SETS;
                rec.clear(&gpu)?;
                let first = net.step;
                let start = Instant::now();
                net.run(&Input::Rates(&rates[k]), steps as u32, &rec)?;
                gpu.synchronize()?;
                let wall = start.elapsed().as_secs_f64();
                if i < warmup {
                    return Ok(None);
                }
                let meta = rec.meta.to_u32()?;
                if meta[1] != 0 || meta[0] > rec.capacity {
                    return Err(Error::InvalidInput(format!(
                        "snn_second: {} spikes in one second overflow the record of {}",
                        meta[0], rec.capacity
                    )));
                }
                let raw = if meta[0] == 0 {
                    Vec::new()
                } else {
                    rec.events.rows(0, 3 * meta[0] as usize)?.to_u32()?
                };
                let s = tally(&raw, n_e, first, steps, clips, (&fan_exc, &fan_inh))?;
                let [in_spikes, in_active, in_events] = inputs[k];
                let spikes = (s.spikes[0] + s.spikes[1]) as f64;
                let arriving = in_spikes + spikes;
                // input->exc, exc->inh, inh->exc, exc->exc (cross): one row of n_e per spike.
                let gathered =
                    (in_spikes + 2.0 * s.spikes[0] as f64 + s.spikes[1] as f64) * ne as f64;
                let active = in_active + 2.0 * s.active[0] as f64 + s.active[1] as f64;
                let mut acc = cell.borrow_mut();
                acc.runs += 1;
                acc.bytes += fixed_bytes as f64
                    + 16.0 * arriving
                    + 12.0 * spikes
                    + 32.0 * ne as f64 * active;
                acc.flops += fixed_flops as f64 + gathered;
                acc.wall_s.push(wall);
                let mut add =
                    |key: &str, v: f64| *acc.counts.entry(key.to_string()).or_default() += v;
                add("simulated_s", SIM_MS / 1000.0);
                add("neuron_updates", (t * c * 2 * ne) as f64);
                add("input_updates", (t * c * ni) as f64);
                add("synaptic_events", in_events + s.events as f64);
                add("spikes", spikes);
                add("input_spikes", in_spikes);
                add("gathered_bytes", 4.0 * gathered);
                Ok(self_timed.then_some(wall * 1e9))
            }))
        }),
    );
    case.counted = Some(counted);
    case.runs = Some(runs);
    case
}
