//! Synch-Graph (Mansouri-Benssassi & Ye, AAAI 2020) end to end: per-modality spiking layers
//! driven by Poisson-encoded features (visual first, audio 5 ms later, cross-modal excitatory
//! links), every clip simulated in parallel on the GPU; the excitatory spikes of each clip become
//! a neural-synchrony graph; stimulus edges optionally join clips of the same label; a GCN
//! classifies each clip's subgraph ([`super::synchgraph_gcn`]).

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::stimulus::{stimulus_edges, StimulusEdges};
use crate::graph::synchrony::{self, Layer, Spike, SynchronyConfig, NODE_FEATURES};
use crate::snn::config::StdpRule;
use crate::snn::present::{present, ClipSpikes};
use crate::snn::unsupervised::Learned;
use crate::snn::Config;

use super::synchgraph_gcn::GcnGraph;

/// Excitatory neurons per modality (the paper's 20 features per modality).
pub const NEURONS: usize = 20;
/// Inputs each excitatory neuron sees (locally-connected window) and the window shift.
pub const WINDOW: (usize, usize) = (26, 2);

/// Input rate per unit of intensity (Hz; intensities run 0..255) of the Synch-Graph network.
/// Diehl & Cook's 0.25 (at most 63.75 Hz) was set for 784 inputs per neuron; with windows of 26
/// inputs it left the network almost silent. 8 was chosen on validation clips only, from 0.25
/// to 8 (BENCHMARKS.md, "Choosing the default input drive"). At 8 an input of 250 or more (of
/// 255) spikes at every 0.5 ms step (the per-step probability rate x dt reaches 1).
pub const DEFAULT_RATE_SCALE: f64 = 8.0;

/// Which senses a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    /// Audio branch only.
    Audio,
    /// Visual branch only.
    Visual,
    /// Both, with cross-modal links.
    Both,
}

impl std::str::FromStr for Modality {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "audio" => Ok(Self::Audio),
            "visual" => Ok(Self::Visual),
            "both" => Ok(Self::Both),
            _ => Err(Error::InvalidInput(format!(
                "modality '{s}': expected audio, visual or both"
            ))),
        }
    }
}

impl std::fmt::Display for Modality {
    /// The name [`Modality::from_str`](std::str::FromStr::from_str) reads: `audio`, `visual`
    /// or `both`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Audio => "audio",
            Self::Visual => "visual",
            Self::Both => "both",
        })
    }
}

impl Modality {
    /// Number of modalities simulated.
    pub fn count(self) -> usize {
        if self == Self::Both {
            2
        } else {
            1
        }
    }
}

/// The spiking network of a run: `inputs` per modality, [`NEURONS`] excitatory neurons per
/// modality on windows of [`WINDOW`] (for 64 inputs; for other counts the widest shift whose
/// windows hold at least 26 inputs and together cover every input), Diehl & Cook constants,
/// input rates of [`DEFAULT_RATE_SCALE`] Hz per unit intensity, plasticity off (the power-law STDP rule when
/// input weights are learned first), input weights random and normalised per neuron. With both modalities, modality 0 is visual and modality 1
/// audio, which arrives 5 ms later; `w_cross` joins the two excitatory groups.
pub fn snn_config(modality: Modality, inputs: usize, w_cross: f64, seed: u64) -> Config {
    let mut c = Config::default();
    c.sim.seed = seed;
    let n = &mut c.network;
    n.modalities = modality.count();
    n.inputs_per_modality = inputs;
    n.neurons_per_modality = NEURONS;
    n.rate_scale = DEFAULT_RATE_SCALE;
    n.max_rate_hz = 255.0 * DEFAULT_RATE_SCALE;
    // The widest shift that keeps windows of at least WINDOW.0 inputs, and windows just wide
    // enough that the last one ends on the last input: every input reaches a neuron. 64 inputs
    // give WINDOW itself; fewer than WINDOW.0 inputs are all seen by every neuron.
    n.stride = inputs.saturating_sub(WINDOW.0) / (NEURONS - 1);
    n.window = inputs - n.stride * (NEURONS - 1);
    n.w_cross = if modality == Modality::Both {
        w_cross
    } else {
        0.0
    };
    n.input_delay_ms = if modality == Modality::Both {
        vec![0.0, 5.0]
    } else {
        vec![0.0]
    };
    c.stdp.enabled = false;
    // Synch-Graph's rule, used when input weights are learned first (`--stdp-clips`).
    c.stdp.rule = StdpRule::PowerLaw;
    // Diehl & Cook's 78 over 784 inputs, per input of the window, with the 8x8 digits' lit share.
    c.stdp.norm_total = 78.0 * n.window as f64 / 784.0 * (0.47 / 0.19);
    c
}

/// Spikes of every clip with the graph layout: audio neurons first, then visual.
pub struct SpikeRun {
    /// Excitatory spikes in synchrony-graph numbering.
    pub spikes: Vec<Spike>,
    /// The graph layer.
    pub layer: Layer,
    /// Input raises per clip.
    pub raises: Vec<u32>,
    /// Excitatory spikes per clip.
    pub per_clip: Vec<usize>,
}

/// Simulate every clip (`samples`: per clip the concatenated modality intensities, visual first
/// when both) in batches of `batch` clips, with STDP-learned input weights and thresholds when
/// given (else random input weights normalised per neuron). [`Error::Config`] when the
/// network's modality count is not `modality`'s (the neurons would be labelled with the wrong
/// modality).
pub fn simulate(
    gpu: &Gpu,
    cfg: &Config,
    modality: Modality,
    samples: &[Vec<f32>],
    batch: usize,
    learned: Option<&Learned>,
) -> Result<SpikeRun> {
    if cfg.network.modalities != modality.count() {
        return Err(Error::Config(format!(
            "network.modalities is {} but the modality {modality} has {}",
            cfg.network.modalities,
            modality.count()
        )));
    }
    let out: Vec<(ClipSpikes, u32)> = present(
        gpu,
        cfg,
        learned.map(|l| l.w_in.as_slice()),
        learned.map(|l| l.theta.as_slice()),
        samples,
        batch,
    )?;
    let n_mod = cfg.network.neurons_per_modality as u32;
    let audio_neurons = match modality {
        Modality::Visual => 0,
        _ => n_mod as usize,
    };
    let mut spikes = Vec::new();
    for (clip, (s, _)) in out.iter().enumerate() {
        for &(n, step) in s {
            // Network order: [visual, audio] for both; the graph wants audio first.
            let neuron = match modality {
                Modality::Both if n < n_mod => n + n_mod,
                Modality::Both => n - n_mod,
                _ => n,
            };
            spikes.push(Spike {
                clip: clip as u32,
                neuron,
                time_ms: (f64::from(step) * cfg.sim.dt_ms) as f32,
            });
        }
    }
    Ok(SpikeRun {
        spikes,
        layer: Layer {
            clips: samples.len(),
            neurons: modality.count() * n_mod as usize,
            audio_neurons,
            duration_ms: cfg.sim.sample_ms as f32,
        },
        raises: out.iter().map(|o| o.1).collect(),
        per_clip: out.iter().map(|o| o.0.len()).collect(),
    })
}

/// Sizes of a built graph.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct GraphSizes {
    /// Nodes (neurons that spiked, over all clips).
    pub nodes: usize,
    /// Directed temporal (synchrony) edges.
    pub synchrony_edges: usize,
    /// Directed stimulus edges.
    pub stimulus_edges: usize,
}

/// Build the synchrony graph on the GPU, add stimulus edges and self loops, and standardise the
/// node features spike count and first-spike time with the mean and standard deviation of the
/// training clips' nodes (`is_train`), so that no statistic of a held-out clip shapes them.
/// `window_ms` is inclusive up to the rounding of the f32 spike times (see
/// [`SynchronyConfig::window_ms`]), so spikes a whole window of steps apart are joined.
pub fn build_graph(
    gpu: &Gpu,
    run: &SpikeRun,
    window_ms: f32,
    mode: StimulusEdges,
    labels: &[usize],
    is_train: &[bool],
) -> Result<(GcnGraph, GraphSizes)> {
    let sc = SynchronyConfig {
        window_ms,
        ..SynchronyConfig::default()
    };
    let g = synchrony::build(gpu, &run.spikes, &run.layer, &sc)?;
    let offsets = g.clip_offsets.to_u32()?;
    let neuron = g.node_neuron.to_u32()?;
    let stim = stimulus_edges(mode, &offsets, &neuron, labels, is_train)?;
    let (mut row, mut col) = (Vec::new(), Vec::new());
    if g.nodes > 0 {
        let rp = g.row_ptr.to_u32()?;
        let ci = if g.edges > 0 {
            g.col_idx.to_u32()?
        } else {
            Vec::new()
        };
        for r in 0..g.nodes {
            for &c in &ci[rp[r] as usize..rp[r + 1] as usize] {
                row.push(r as u32);
                col.push(c);
            }
            row.push(r as u32);
            col.push(r as u32);
        }
    }
    for &(u, v) in &stim {
        row.push(v);
        col.push(u);
    }
    let mut features = if g.nodes > 0 {
        g.features.to_f32()?
    } else {
        Vec::new()
    };
    let train_nodes: Vec<usize> = (0..offsets.len().saturating_sub(1))
        .filter(|&c| is_train.get(c).copied().unwrap_or(false))
        .flat_map(|c| offsets[c] as usize..offsets[c + 1] as usize)
        .collect();
    for k in [3, 4] {
        let vals: Vec<f64> = train_nodes
            .iter()
            .map(|&i| f64::from(features[i * NODE_FEATURES + k]))
            .collect();
        // Without training nodes there is nothing to fit: the values stay as they are.
        let (mean, sd) = if vals.is_empty() {
            (0.0, 1.0)
        } else {
            let n = vals.len() as f64;
            let mean = vals.iter().sum::<f64>() / n;
            (
                mean,
                (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt(),
            )
        };
        // A feature constant over the training nodes is only centred: dividing by a tiny
        // deviation would blow up every held-out node that differs from the constant.
        let sd = if sd < 1e-6 { 1.0 } else { sd };
        for i in 0..g.nodes {
            let v = &mut features[i * NODE_FEATURES + k];
            *v = ((f64::from(*v) - mean) / sd) as f32;
        }
    }
    Ok((
        GcnGraph {
            nodes: g.nodes,
            row,
            col,
            features,
            feature_dim: NODE_FEATURES,
            clip_offsets: offsets,
        },
        GraphSizes {
            nodes: g.nodes,
            synchrony_edges: g.edges,
            stimulus_edges: stim.len(),
        },
    ))
}
