//! Present many samples to a network with frozen weights, simulated in parallel as the clips of
//! one batch: each sample runs `sim.sample_ms` from rest, and a sample that draws fewer than
//! `sim.min_spikes` excitatory spikes is presented again with raised input (Diehl & Cook), up
//! to [`MAX_RAISES`] times. Every raise scales the sample's rates up in proportion
//! ([`sample_rates`]) and draws a fresh Poisson train ([`raise_seed`]).

use super::config::Config;
use super::network::{Input, Network, Weights, GROUP_EXC};
use super::record::Recorder;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// Most input raises per sample before it is kept as it is.
pub const MAX_RAISES: u32 = 8;

/// Input rates (Hz) of one sample with intensities in 0..=255 after `raises` raises:
/// `intensity * network.rate_scale * (1 + raises * sim.raise_gain)`. Every rate rises in
/// proportion, as in Diehl & Cook (their rate is pixel / 8 * input_intensity, input_intensity
/// 2 at first and one more per raise: a gain of 0.5), so a zero input stays silent and the
/// brightest input gains `255 * rate_scale * raise_gain` Hz per raise (31.875 Hz, their "32 Hz",
/// at their scale of 0.25 Hz per unit).
pub fn sample_rates(cfg: &Config, intensity: &[f32], raises: u32) -> Result<Vec<f32>> {
    if intensity.is_empty() {
        return Err(Error::InvalidInput(
            "empty clip: no input intensities".into(),
        ));
    }
    let gain = 1.0 + f64::from(raises) * cfg.sim.raise_gain;
    let scale = (cfg.network.rate_scale * gain) as f32;
    intensity
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if !x.is_finite() || x < 0.0 {
                return Err(Error::InvalidInput(format!(
                    "input {i} has intensity {x}; intensities must be finite and >= 0"
                )));
            }
            Ok(x * scale)
        })
        .collect()
}

/// Poisson seed of a sample's presentation after `raises` raises: `seed` itself for the first
/// presentation, a seed derived from (`seed`, `raises`) for every later one, so a raised
/// sample draws a fresh spike train (Diehl & Cook present it again; with the same random
/// numbers its spikes would be a superset of the previous presentation's). The sample's
/// stream id still tells samples apart, so results stay deterministic and independent of
/// batching.
pub fn raise_seed(seed: u64, raises: u32) -> u64 {
    if raises == 0 {
        return seed;
    }
    // SplitMix64 finaliser of the seed mixed with the raise index.
    let mut z = seed ^ u64::from(raises).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Check that every sample has one intensity per input, that no input's rate (intensity x
/// `network.rate_scale`, before any raise) exceeds `network.max_rate_hz`, and that a
/// presentation (`sim.sample_ms`) lasts at least one step: one of no step would draw no spike
/// from any sample, raise every sample [`MAX_RAISES`] times and leave the network untouched.
pub fn check_samples(cfg: &Config, samples: &[Vec<f32>]) -> Result<()> {
    if samples.is_empty() {
        return Err(Error::InvalidInput("no samples".into()));
    }
    if cfg.steps(cfg.sim.sample_ms) == 0 {
        return Err(Error::Config(format!(
            "sim.sample_ms = {} ms is no step of sim.dt_ms = {} ms: a sample must be presented \
             for at least one step",
            cfg.sim.sample_ms, cfg.sim.dt_ms
        )));
    }
    let n_in = cfg.network.inputs_per_modality * cfg.network.modalities;
    if let Some((i, s)) = samples.iter().enumerate().find(|(_, s)| s.len() != n_in) {
        return Err(Error::InvalidInput(format!(
            "sample {i} has {} intensities, the network has {n_in} inputs",
            s.len()
        )));
    }
    let (scale, max_hz) = (cfg.network.rate_scale, cfg.network.max_rate_hz);
    for (s, sample) in samples.iter().enumerate() {
        // NaN and negative intensities are refused by `sample_rates`, naming them as such.
        if let Some((i, x)) = sample
            .iter()
            .enumerate()
            .find(|(_, &x)| f64::from(x) * scale > max_hz)
        {
            return Err(Error::InvalidInput(format!(
                "sample {s}, input {i}: intensity {x} gives {} Hz at network.rate_scale \
                 {scale} Hz per unit, above network.max_rate_hz = {max_hz} Hz",
                f64::from(*x) * scale
            )));
        }
    }
    Ok(())
}

/// Excitatory spikes of one presented sample: (neuron within the clip, step), sorted by step.
pub type ClipSpikes = Vec<(u32, u32)>;

/// Present `samples` (intensities 0..=255) with input weights `w_in` [n_in, n_e] and, when
/// given, adaptive thresholds `theta` `[n_e]`; plasticity is off and the thresholds are frozen
/// (neither grow nor decay, as in Diehl & Cook's test mode). Returns each sample's excitatory
/// spikes and the number of raises it needed. Sample `s` draws its Poisson input from stream `s`
/// (with seed [`raise_seed`]`(sim.seed, k)` at raise `k`), so the result does not depend on
/// `batch`.
pub fn present(
    gpu: &Gpu,
    cfg: &Config,
    w_in: Option<&[f32]>,
    theta: Option<&[f32]>,
    samples: &[Vec<f32>],
    batch: usize,
) -> Result<Vec<(ClipSpikes, u32)>> {
    check_samples(cfg, samples)?;
    let mut cfg = cfg.clone();
    cfg.stdp.enabled = false;
    // Frozen thresholds, as in Diehl & Cook's test mode: no growth, and no decay either (theta
    // would otherwise decay by theta_every * dt / tau_theta at step 0 of every presentation).
    // At this time constant the decay factor of a theta update is 0 in f32, so theta is kept
    // bit for bit.
    cfg.exc.theta_plus = 0.0;
    cfg.exc.tau_theta_ms = f64::MAX;
    Network::check_size(gpu, &cfg, batch.clamp(1, samples.len().max(1)))?;
    let steps = cfg.steps(cfg.sim.sample_ms);
    // The spike record of a full batch (three u32 per event, at most one spike per refractory
    // period), named with the remedy before any network is built.
    let clips = batch.clamp(1, samples.len().max(1)) as u64;
    let n_e = (cfg.network.modalities * cfg.network.neurons_per_modality) as u64;
    let record_bytes = clips
        .saturating_mul(n_e)
        .saturating_mul(cfg.spike_bound(steps.into()))
        .saturating_mul(12);
    if record_bytes > gpu.max_binding_bytes() {
        return Err(Error::TooLarge {
            what: format!(
                "spike record of {clips} clips presented together x {n_e} neurons x {steps} \
                 steps (present fewer clips at once: a smaller batch)"
            ),
            bytes: record_bytes,
            limit: gpu.max_binding_bytes(),
        });
    }
    let mut weights = Weights::build(&cfg);
    let normalize = w_in.is_none();
    if let Some(w) = w_in {
        if weights.w_in.len() != w.len() {
            return Err(Error::shape(
                "present",
                format!(
                    "{} weights for a {}-weight network",
                    w.len(),
                    weights.w_in.len()
                ),
            ));
        }
        weights.w_in.copy_from_slice(w);
    }
    let seed = cfg.sim.seed;
    let mut out: Vec<(ClipSpikes, u32)> = vec![(Vec::new(), 0); samples.len()];
    let mut pending: Vec<usize> = (0..samples.len()).collect();
    for k in 0..=MAX_RAISES {
        // A fresh Poisson draw per raise (the weights were built above, from the base seed).
        cfg.sim.seed = raise_seed(seed, k);
        let mut next = Vec::new();
        for chunk in pending.chunks(batch.max(1)) {
            let mut net = Network::new(gpu, &cfg, &weights, chunk.len())?;
            // Only excitatory spikes are returned: leave the inhibitory ones out of the record.
            net.record_inhibitory(false);
            // Each sample draws its own input spikes (stream = its index), in any chunk.
            let ids = chunk
                .iter()
                .map(|&s| u32::try_from(s))
                .collect::<std::result::Result<Vec<u32>, _>>()
                .map_err(|_| Error::InvalidInput("over 2^32 samples".into()))?;
            net.set_streams(&ids)?;
            if normalize {
                net.normalize_input()?;
            }
            if let Some(t) = theta {
                net.set_theta(t)?;
            }
            let n_e = net.n_e;
            // One spike per refractory period at most, excitatory and inhibitory.
            let cap = u32::try_from((chunk.len() * n_e) as u64 * cfg.spike_bound(steps.into()))
                .map_err(|_| Error::InvalidInput("spike record over 2^32 events".into()))?;
            let rec = Recorder::new(gpu, cap)?;
            let mut rates = Vec::with_capacity(chunk.len() * net.n_in);
            for &s in chunk {
                rates.extend(sample_rates(&cfg, &samples[s], k)?);
            }
            let rt = Tensor::from_f32(gpu, &[rates.len()], &rates)?;
            net.run(&Input::Rates(&rt), steps, &rec)?;
            let mut per: Vec<ClipSpikes> = vec![Vec::new(); chunk.len()];
            for e in rec.read()?.iter().filter(|e| e.group == GROUP_EXC) {
                let n = e.neuron as usize;
                per[n / n_e].push(((n % n_e) as u32, e.step));
            }
            for (j, &s) in chunk.iter().enumerate() {
                let few = per[j].len() < cfg.sim.min_spikes as usize;
                out[s] = (std::mem::take(&mut per[j]), k);
                if few && k < MAX_RAISES {
                    next.push(s);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        pending = next;
    }
    Ok(out)
}
