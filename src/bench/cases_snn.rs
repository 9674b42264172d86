//! Spiking-network cases: the conductance LIF step, Poisson input encoding, event-driven synaptic
//! propagation and the STDP weight update (`src/snn`).
//!
//! Bytes are the traffic each kernel must move, counted from its shader: LIF reads and writes
//! (v, ge, gi, theta) and the flags word, 40 B per neuron; Poisson reads a rate and writes a ring
//! flag, 8 B per input; propagation reads each weight row that some clip's list names once (the
//! rows gathered per spike, clips times spikes times the row, come from the cache where the
//! weights fit in it, as SpMM's gathered feature rows do, and are the row's `gathered_bytes`
//! metric), the lists, and reads and writes each postsynaptic neuron's 16-byte state; STDP reads
//! the mask of every synapse and reads and writes the weight of every synapse whose pre or post
//! neuron spiked, plus the spike and trace vectors. FLOPs: LIF 18 per neuron (the Euler update,
//! three decays, threshold test and reset),
//! Poisson 2 per input (rate x dt and the hash-to-uniform scale), propagation one add per gathered
//! weight, STDP 6 per active synapse.

use super::case::{count_text, BenchCase, RunFn, Sizes, INPUT_SETS};
use super::cases_layout::random_indices;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::kernels::random;
use crate::snn::config::Config;
use crate::snn::encoding::poisson_step;
use crate::snn::neurons::{lif_step, GroupState, LifParams};
use crate::snn::stdp::{stdp_step, StdpParams};
use crate::snn::synapses::{propagate, Channel, SpikeLists};
use crate::tensor::{DType, Tensor};

/// Inputs per clip in the Poisson workload (one stream id is read per clip).
const POISSON_INPUTS_PER_CLIP: usize = 64;
/// Refractory neurons in the LIF workload: one in ten, with the full countdown.
const REFRACTORY_EVERY: usize = 10;
/// Spike probability per neuron of the STDP workload's pre and post spike vectors (the peer's
/// `N(0, 1) > 1`).
pub const STDP_SPIKE_PROB: f64 = 0.1587;

/// Sizes of the synaptic propagation workload: (clips, presynaptic, postsynaptic, spikes per clip).
pub fn synapse_sizes(sizes: &Sizes) -> (usize, usize, usize, usize) {
    if sizes.quick {
        (8, 256, 256, 32)
    } else {
        (1024, 4096, 4096, 205)
    }
}

/// The spike lists of input set `set` of the propagation workload: per clip, `k` distinct
/// ascending presynaptic indices (stride 7 from a seeded start; 7 is coprime with `n_pre`).
pub fn synapse_lists(clips: usize, n_pre: usize, k: usize, set: usize) -> Vec<Vec<u32>> {
    (0..clips)
        .map(|c| {
            let start = random_indices(1, n_pre, (set * clips + c) as u64)[0] as usize;
            let mut idx: Vec<u32> = (0..k).map(|j| ((start + j * 7) % n_pre) as u32).collect();
            idx.sort_unstable();
            idx
        })
        .collect()
}

/// Distinct weight rows the lists of input set `set` name (each is read from memory once).
pub fn synapse_rows_read(clips: usize, n_pre: usize, k: usize, set: usize) -> usize {
    let mut named = vec![false; n_pre];
    for idx in synapse_lists(clips, n_pre, k, set) {
        idx.iter().for_each(|&i| named[i as usize] = true);
    }
    named.iter().filter(|n| **n).count()
}

/// Fractional part of `i * a`, a cheap low-discrepancy sequence in [0, 1) for large host inits.
fn weyl(i: usize, a: f64) -> f32 {
    ((i as f64 * a).fract()) as f32
}

/// Host LIF state of `n` neurons for input set `set`: voltages across -70..-50 mV, thresholds
/// theta in 0..20 mV (so some neurons cross threshold each step), small conductances, one neuron in
/// ten refractory.
fn lif_host(n: usize, set: usize, refr: u32) -> (Vec<f32>, Vec<u32>) {
    let o = set * 7919;
    let mut state = Vec::with_capacity(4 * n);
    let mut flags = Vec::with_capacity(n);
    for i in 0..n {
        let k = i + o;
        state.extend_from_slice(&[
            -70.0 + 20.0 * weyl(k, 0.618_033_988_7),
            2.0 * weyl(k, 0.754_877_666_2),
            0.2 * weyl(k, 0.569_840_290_9),
            20.0 * weyl(k, 0.414_213_562_4),
        ]);
        flags.push(if k % REFRACTORY_EVERY == 0 { refr } else { 0 });
    }
    (state, flags)
}

/// 0/1 spike flags with probability `prob`, from a fixed seed.
pub fn spike_flags(n: usize, prob: f64, seed: u64) -> Vec<u32> {
    let scale = 1u64 << 24;
    random_indices(n, scale as usize, seed)
        .into_iter()
        .map(|u| u32::from((u as f64) < prob * scale as f64))
        .collect()
}

/// LIF step, Poisson encoding, synaptic propagation and STDP.
pub fn snn(sizes: &Sizes) -> Vec<BenchCase> {
    let n = sizes.neurons;
    let nb = n as u64;
    let cfg = Config::default();
    let dt = cfg.sim.dt_ms;
    let mut cases = Vec::new();

    let exc = cfg.exc.clone();
    cases.push(BenchCase::memory(
        "lif_step",
        "snn",
        format!("{} neurons", count_text(n)),
        40 * nb,
        18 * nb,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let p = LifParams::new(&exc, dt, n as u32);
            let groups = (0..INPUT_SETS)
                .map(|s| {
                    let (state, flags) = lif_host(n, s, p.refr_steps);
                    GroupState::from_host(gpu, &state, &flags)
                })
                .collect::<Result<Vec<_>>>()?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                let mut q = p;
                q.step = i as u32;
                lif_step(&gpu, &groups[i % INPUT_SETS], &q)?;
                Ok(None)
            }))
        }),
    ));

    cases.push(BenchCase::memory(
        "poisson_encode",
        "snn",
        format!("{} inputs", count_text(n)),
        8 * nb + 4 * (nb / POISSON_INPUTS_PER_CLIP as u64),
        2 * nb,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            // Rates 0..200 Hz: at dt 0.5 ms up to one spike in ten steps.
            let rates = (0..INPUT_SETS)
                .map(|s| random::uniform(gpu, &[n], 0.0, 200.0, 281 + s as u64))
                .collect::<Result<Vec<_>>>()?;
            let ring = Tensor::zeros(gpu, &[n], DType::U32)?;
            let clips = n / POISSON_INPUTS_PER_CLIP;
            let ids: Vec<u32> = (0..clips as u32).collect();
            let streams = Tensor::from_u32(gpu, &[clips], &ids)?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                let rates = &rates[i % INPUT_SETS];
                poisson_step(&gpu, rates, &streams, &ring, 0, i as u32, 7, dt)?;
                Ok(None)
            }))
        }),
    ));

    let (clips, n_pre, n_post, k) = synapse_sizes(sizes);
    let gathered = (clips * k * n_post) as u64;
    // Weight rows named by some clip's list, each read once: the mean over the input sets.
    let rows_read = (0..INPUT_SETS)
        .map(|s| synapse_rows_read(clips, n_pre, k, s))
        .sum::<usize>()
        .div_ceil(INPUT_SETS) as u64;
    let mut case = BenchCase::memory(
        "synapse_propagate",
        "snn",
        format!("{clips} clips {n_pre}x{n_post} {k} spikes"),
        4 * rows_read * n_post as u64
            + 4 * (clips * k + clips) as u64
            + 32 * (clips * n_post) as u64,
        gathered,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let w = random::uniform(gpu, &[n_pre, n_post], 0.0, 0.3, 291)?;
            let target = GroupState::at_rest(gpu, clips * n_post, -65.0, 20.0)?;
            let lists = (0..INPUT_SETS)
                .map(|s| {
                    let mut list = vec![0u32; clips * n_pre];
                    for (c, idx) in synapse_lists(clips, n_pre, k, s).iter().enumerate() {
                        list[c * n_pre..c * n_pre + idx.len()].copy_from_slice(idx);
                    }
                    Ok(SpikeLists {
                        counts: Tensor::from_u32(gpu, &[clips], &vec![k as u32; clips])?,
                        list: Tensor::from_u32(gpu, &[clips * n_pre], &list)?,
                        spk: Tensor::zeros(gpu, &[clips * n_pre], DType::U32)?,
                        n: n_pre as u32,
                        clips: clips as u32,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                propagate(&gpu, &lists[i % INPUT_SETS], &w, &target, Channel::Exc)?;
                Ok(None)
            }))
        }),
    );
    case.counts = vec![("gathered_bytes", 4.0 * gathered as f64)];
    cases.push(case);

    let p = sizes.stdp;
    let pre = spike_flags(p, STDP_SPIKE_PROB, 301);
    let post = spike_flags(p, STDP_SPIKE_PROB, 311);
    let (a, b) = (
        pre.iter().sum::<u32>() as u64,
        post.iter().sum::<u32>() as u64,
    );
    let pp = (p * p) as u64;
    let active = pp - (p as u64 - a) * (p as u64 - b);
    let vectors = (4 + 4 + 4 + 8) * p as u64 + (4 + 8) * p as u64 + (4 + 16) * p as u64;
    let stdp_cfg = cfg.stdp.clone();
    cases.push(BenchCase::memory(
        "stdp_dense",
        "snn",
        format!("{p}x{p}"),
        4 * pp + 8 * active + vectors,
        6 * active,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let params = StdpParams::new(&stdp_cfg, dt, p as u32, p as u32);
            let w = (0..INPUT_SETS)
                .map(|s| random::uniform(gpu, &[p, p], 0.0, 1.0, 321 + s as u64))
                .collect::<Result<Vec<_>>>()?;
            let mask = Tensor::from_f32(gpu, &[p, p], &vec![1.0; p * p])?;
            let spk_pre = Tensor::from_u32(gpu, &[p], &pre)?;
            let spk_post = Tensor::from_u32(gpu, &[p], &post)?;
            let tr_pre = random::uniform(gpu, &[p], 0.0, 1.0, 331)?;
            let tr_post = random::uniform(gpu, &[p, 2], 0.0, 1.0, 341)?;
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                stdp_step(
                    &gpu,
                    &params,
                    &w[i % INPUT_SETS],
                    &mask,
                    &spk_pre,
                    &spk_post,
                    &tr_pre,
                    &tr_post,
                )?;
                Ok(None)
            }))
        }),
    ));
    cases
}
