//! Diehl & Cook (2015) unsupervised learning: one input group of Poisson pixels, an excitatory
//! group with adaptive thresholds learning its input weights by STDP (one sample at a time,
//! weights normalised before each sample, the input raised when a sample draws fewer than
//! `sim.min_spikes` spikes), then label assignment by the strongest mean response per class and
//! classification by the summed (mean) votes of each class's neurons. Inference with frozen
//! weights and thresholds runs many samples in parallel as clips of one batch.

use super::config::{Config, StdpRule};
use super::network::{Input, Network, Weights};
pub use super::present::{check_samples, present, sample_rates, MAX_RAISES};
use super::record::Recorder;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// A single-modality Diehl & Cook network for `inputs` pixels and `neurons` excitatory neurons.
/// The per-neuron weight sum scales Diehl & Cook's 78 over 784 inputs by the share of lit
/// pixels (a digit lights about 19% of an MNIST image, about 47% of an 8x8 image) so that
/// the summed weight on a digit's pixels stays below w_max.
pub fn stdp_config(inputs: usize, neurons: usize, seed: u64) -> Config {
    let mut c = Config::default();
    c.sim.seed = seed;
    let n = &mut c.network;
    n.modalities = 1;
    n.inputs_per_modality = inputs;
    n.neurons_per_modality = neurons;
    n.window = 0;
    n.stride = 0;
    n.w_cross = 0.0;
    n.input_delay_ms = vec![0.0];
    c.stdp.enabled = true;
    c.stdp.rule = StdpRule::PrePost;
    c.stdp.norm_total = 78.0 * inputs as f64 / 784.0 * (0.47 / 0.19);
    c
}

/// Learned state: input weights `[inputs, neurons]` and adaptive thresholds `[neurons]`.
#[derive(Debug, Clone)]
pub struct Learned {
    /// Input -> excitatory weights, row-major [inputs, neurons].
    pub w_in: Vec<f32>,
    /// Excitatory adaptive thresholds theta (mV).
    pub theta: Vec<f32>,
    /// Excitatory spikes during training.
    pub train_spikes: u64,
    /// Input raises made during training: at most [`MAX_RAISES`] per presentation of a sample
    /// (a sample still short of `sim.min_spikes` after them is kept as it is).
    pub raises: u64,
}

/// Learn with STDP over `samples` (intensities 0..=255) in the given order, `epochs` times.
/// `progress` is called after every sample. A training whose presentations need more steps
/// than a network's step counter holds (`u32::MAX`) is [`Error::InvalidInput`] before any runs.
pub fn train(
    gpu: &Gpu,
    cfg: &Config,
    samples: &[Vec<f32>],
    order: &[usize],
    epochs: usize,
    mut progress: impl FnMut(),
) -> Result<Learned> {
    check_samples(cfg, samples)?;
    let mut cfg = cfg.clone();
    cfg.stdp.enabled = true;
    Network::check_size(gpu, &cfg, 1)?;
    let weights = Weights::build(&cfg);
    let mut net = Network::new(gpu, &cfg, &weights, 1)?;
    // Only the excitatory spike count is needed after each presentation: record only those
    // and read back only the counter (one small readback per presentation).
    net.record_inhibitory(false);
    let steps = cfg.steps(cfg.sim.sample_ms);
    // Every presentation runs on this one network: refuse a training whose presentations alone
    // (raises add more) would take its step counter past its range, before simulating any.
    let least = (epochs as u128) * (order.len() as u128) * u128::from(steps);
    if least > u128::from(u32::MAX) {
        return Err(Error::InvalidInput(format!(
            "{epochs} epochs of {} presentations of {steps} steps need {least} steps, more \
             than the {} a network's step counter holds; train fewer epochs or samples",
            order.len(),
            u32::MAX
        )));
    }
    let n_e = net.n_e;
    // At most one spike per refractory period per neuron (a bound over both groups, more than
    // the excitatory spikes recorded here need).
    let cap = u32::try_from(n_e as u64 * cfg.spike_bound(steps.into()))
        .map_err(|_| Error::InvalidInput("spike record over 2^32 events".into()))?;
    let rec = Recorder::new(gpu, cap)?;
    let rates = Tensor::zeros(gpu, &[net.n_in], crate::DType::F32)?;
    let (mut spikes, mut raises) = (0u64, 0u64);
    for _ in 0..epochs {
        for &s in order {
            let sample = samples.get(s).ok_or_else(|| {
                Error::InvalidInput(format!("sample index {s} >= {}", samples.len()))
            })?;
            // Each raise (like each sample) is simulated at later steps of the one network,
            // so it draws a fresh Poisson train: the encoder is keyed by the step.
            for k in 0..=MAX_RAISES {
                rates.write_f32(&sample_rates(&cfg, sample, k)?)?;
                net.normalize_input()?;
                rec.clear(gpu)?;
                net.run(&Input::Rates(&rates), steps, &rec)?;
                let n = rec.count()?;
                net.reset_to_rest()?;
                spikes += u64::from(n);
                if n >= cfg.sim.min_spikes {
                    break;
                }
                // The last presentation (k = MAX_RAISES) is kept as it is: no raise follows.
                if k < MAX_RAISES {
                    raises += 1;
                }
            }
            progress();
        }
    }
    net.normalize_input()?;
    Ok(Learned {
        w_in: net.w_in.to_f32()?,
        theta: net.theta()?,
        train_spikes: spikes,
        raises,
    })
}

/// Excitatory spike counts `[samples][neurons]` with frozen weights and thresholds, `batch`
/// samples simulated in parallel (see [`present`]).
pub fn respond(
    gpu: &Gpu,
    cfg: &Config,
    learned: &Learned,
    samples: &[Vec<f32>],
    batch: usize,
) -> Result<Vec<Vec<u32>>> {
    let n_e = cfg.network.neurons_per_modality * cfg.network.modalities;
    let spikes = present(
        gpu,
        cfg,
        Some(&learned.w_in),
        Some(&learned.theta),
        samples,
        batch,
    )?;
    Ok(spikes
        .iter()
        .map(|(s, _)| {
            let mut c = vec![0u32; n_e];
            for &(n, _) in s {
                c[n as usize] += 1;
            }
            c
        })
        .collect())
}

/// Fail unless every row of `counts` has the first row's length (`what` names the caller).
fn check_rows(what: &str, counts: &[Vec<u32>], neurons: usize) -> Result<()> {
    match counts.iter().position(|c| c.len() != neurons) {
        Some(i) => Err(Error::InvalidInput(format!(
            "{what}: sample {i} has {} spike counts, expected {neurons} (one per neuron)",
            counts[i].len()
        ))),
        None => Ok(()),
    }
}

/// Each neuron's class: the class with the highest mean spike count over its samples (the lowest
/// such class on a tie); `None` for a neuron that fired for no class, which then never votes.
/// [`Error::InvalidInput`] when `labels` and `counts` differ in length, the rows of `counts`
/// differ in length, or a label is not below `classes`.
pub fn assign_labels(
    counts: &[Vec<u32>],
    labels: &[usize],
    classes: usize,
) -> Result<Vec<Option<usize>>> {
    const WHAT: &str = "assign_labels";
    if labels.len() != counts.len() {
        return Err(Error::InvalidInput(format!(
            "{WHAT}: {} labels for {} samples",
            labels.len(),
            counts.len()
        )));
    }
    if let Some(&y) = labels.iter().find(|&&y| y >= classes) {
        return Err(Error::InvalidInput(format!(
            "{WHAT}: label {y} is not below the class count {classes}"
        )));
    }
    let neurons = counts.first().map_or(0, Vec::len);
    check_rows(WHAT, counts, neurons)?;
    let mut sum = vec![vec![0f64; classes]; neurons];
    let mut per_class = vec![0usize; classes];
    for (c, &y) in counts.iter().zip(labels) {
        per_class[y] += 1;
        for (j, &v) in c.iter().enumerate() {
            sum[j][y] += f64::from(v);
        }
    }
    Ok(sum
        .iter()
        .map(|row| {
            (0..classes)
                .map(|y| row[y] / per_class[y].max(1) as f64)
                .enumerate()
                .fold(
                    (None, 0.0),
                    |b, (y, v)| if v > b.1 { (Some(y), v) } else { b },
                )
                .0
        })
        .collect())
}

/// Predicted class of each sample: the class whose assigned neurons fire most on average
/// (unassigned neurons do not vote; a class without neurons never wins). Ties go to the lowest
/// class, so a sample to which no assigned neuron responds gets the lowest class that has
/// neurons, and every sample gets class 0 when no neuron is assigned at all.
/// [`Error::InvalidInput`] when `classes` is 0 (no class to predict), `assignment` names a
/// class not below `classes` or a row of `counts` does not hold one count per assigned neuron.
pub fn classify(
    counts: &[Vec<u32>],
    assignment: &[Option<usize>],
    classes: usize,
) -> Result<Vec<usize>> {
    const WHAT: &str = "classify";
    if classes == 0 && !counts.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{WHAT}: no class to predict for {} samples (the class count is 0)",
            counts.len()
        )));
    }
    if let Some(a) = assignment.iter().flatten().find(|&&a| a >= classes) {
        return Err(Error::InvalidInput(format!(
            "{WHAT}: a neuron is assigned class {a}, not below the class count {classes}"
        )));
    }
    check_rows(WHAT, counts, assignment.len())?;
    let mut members = vec![0usize; classes];
    for &a in assignment.iter().flatten() {
        members[a] += 1;
    }
    Ok(counts
        .iter()
        .map(|c| {
            let mut votes = vec![0f64; classes];
            for (&a, &v) in assignment.iter().zip(c) {
                if let Some(a) = a {
                    votes[a] += f64::from(v);
                }
            }
            (0..classes)
                .map(|y| {
                    if members[y] == 0 {
                        f64::MIN
                    } else {
                        votes[y] / members[y] as f64
                    }
                })
                .enumerate()
                .fold((0, f64::MIN), |b, (y, v)| if v > b.1 { (y, v) } else { b })
                .0
        })
        .collect())
}
