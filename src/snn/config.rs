//! Every constant of the spiking network in one serde/TOML config, with the Diehl & Cook (2015)
//! defaults. Times in ms, voltages in mV, rates in Hz, conductances dimensionless (units of the
//! leak conductance), weights in the same units.
//!
//! Where Diehl & Cook's published Brian code differs from their paper, two choices are
//! deliberate and follow the paper:
//!
//! - **No 50 ms threshold timer.** Their code gives excitatory neurons a `timer` reset to 0 on
//!   a spike and growing at 100 ms per second of simulated time (`dtimer/dt = 100.0 : ms`),
//!   and lets them fire only when `timer > refrac_e`; with `refrac_e = 5 ms` that blocks a
//!   neuron's threshold for 50 ms after a spike rather than 5. Here the excitatory group is
//!   refractory for `exc.refractory_ms` (5 ms, the paper's value) and nothing else gates its
//!   threshold; `exc.refractory_ms = 50.0` comes close to the code's behaviour (V would also be
//!   held for the 50 ms, which their code does not do).
//! - **No random input delays.** Their code delays every input -> excitatory synapse by a
//!   random 0-10 ms, drawn once per synapse; here every input of a modality has the same fixed
//!   delay (`network.input_delay_ms`, 0 ms by default within a modality), as in the paper's
//!   description.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use super::config_steps::MAX_STEPS;

/// Constants of one conductance-based LIF group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronConfig {
    /// Resting potential E_rest (mV).
    pub v_rest: f64,
    /// Reset potential after a spike (mV).
    pub v_reset: f64,
    /// Base firing threshold (mV); the effective threshold is `v_thresh + theta - theta_offset`.
    pub v_thresh: f64,
    /// Constant subtracted from the adaptive threshold (mV).
    pub theta_offset: f64,
    /// Refractory period (ms), a whole number of steps of dt (a period between two steps is
    /// refused rather than rounded); V is held at reset during it. As in
    /// Brian, a neuron that spiked at time t may fire again from t + refractory_ms, so this is
    /// the shortest interval between two spikes. (Diehl & Cook's code additionally blocks the
    /// excitatory threshold for 50 ms with a timer; that is not implemented, see the module
    /// documentation.)
    pub refractory_ms: f64,
    /// Excitatory reversal potential E_exc (mV).
    pub e_exc: f64,
    /// Inhibitory reversal potential E_inh (mV).
    pub e_inh: f64,
    /// Membrane time constant (ms).
    pub tau_ms: f64,
    /// Excitatory conductance decay time constant (ms).
    pub tau_ge_ms: f64,
    /// Inhibitory conductance decay time constant (ms).
    pub tau_gi_ms: f64,
    /// Adaptive threshold increment per spike (mV, >= 0); 0 disables adaptation.
    pub theta_plus: f64,
    /// Adaptive threshold decay time constant (ms).
    pub tau_theta_ms: f64,
    /// Initial adaptive threshold theta (mV); Diehl & Cook start excitatory neurons at 20 mV.
    pub theta_init: f64,
}

/// Which STDP rule updates the input weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StdpRule {
    /// Diehl & Cook code: pre spike w -= nu_pre * post1; post spike w += nu_post * pre * post2;
    /// each clipped to [0, w_max] (a pre and a post spike of one step apply in that order).
    PrePost,
    /// Power law: post spike dw = nu_post (x_pre - x_tar)(w_max - w)^mu, nothing on a pre spike
    /// (x_tar is the depression; `nu_pre` is not used).
    PowerLaw,
}

/// STDP constants (traces are set to 1 on a spike and decay exponentially).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdpConfig {
    /// Plasticity on or off.
    pub enabled: bool,
    /// Rule used on the input -> excitatory weights.
    pub rule: StdpRule,
    /// Presynaptic trace time constant (ms).
    pub tau_pre_ms: f64,
    /// First postsynaptic trace time constant (ms), used for depression.
    pub tau_post1_ms: f64,
    /// Second postsynaptic trace time constant (ms), used for potentiation.
    pub tau_post2_ms: f64,
    /// Learning rate on presynaptic spikes (>= 0).
    pub nu_pre: f64,
    /// Learning rate on postsynaptic spikes (>= 0).
    pub nu_post: f64,
    /// Upper weight bound; weights are clipped to [0, w_max].
    pub w_max: f64,
    /// Power-law target presynaptic trace x_tar.
    pub x_tar: f64,
    /// Power-law weight-dependence exponent mu (>= 0; 0 makes the update additive).
    pub mu: f64,
    /// Each excitatory neuron's incoming input weights are scaled to this sum.
    pub norm_total: f64,
}

/// Network shape, fixed weights and input encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Number of modalities (e.g. 2: visual = 0, audio = 1).
    pub modalities: usize,
    /// Input neurons per modality.
    pub inputs_per_modality: usize,
    /// Excitatory (and inhibitory) neurons per modality.
    pub neurons_per_modality: usize,
    /// Inputs seen by one excitatory neuron (locally-connected window); 0 = all inputs.
    pub window: usize,
    /// Shift of the window between consecutive excitatory neurons (in inputs).
    pub stride: usize,
    /// Excitatory -> inhibitory one-to-one weight.
    pub w_exc_inh: f64,
    /// Inhibitory -> excitatory weight onto every excitatory neuron of the modality but the partner.
    pub w_inh_exc: f64,
    /// Cross-modal excitatory -> excitatory weight (all-to-all between modalities); 0 disables.
    pub w_cross: f64,
    /// Initial input weights are uniform in [0, w_init_max].
    pub w_init_max: f64,
    /// Delay of each modality's input (ms), e.g. [0, 5]: audio arrives 5 ms after visual. One
    /// delay for every input of a modality: Diehl & Cook's code's random 0-10 ms delay per
    /// input -> excitatory synapse is not implemented (see the module documentation). A
    /// delayed modality's spikes of a sample's last `delay` ms are still in flight when the
    /// sample ends, and the rest between samples drops them (they never reach the network).
    pub input_delay_ms: Vec<f64>,
    /// Input rate per unit intensity (Hz): rate = intensity * rate_scale. A step holds at most
    /// one spike per input (probability rate x dt), so rates from 1000 / `sim.dt_ms` Hz up
    /// all spike at every step.
    pub rate_scale: f64,
    /// Largest accepted input rate (Hz).
    pub max_rate_hz: f64,
}

/// Simulation timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Integration step (ms).
    pub dt_ms: f64,
    /// Presentation time of one sample (ms), a whole number of steps of `dt_ms` (a time
    /// between two steps is refused rather than rounded).
    pub sample_ms: f64,
    /// Rest time between samples (ms).
    pub rest_ms: f64,
    /// Fraction of a sample's base input rates added per input raise: after `k` raises every
    /// rate is `intensity * network.rate_scale * (1 + k * raise_gain)`, so the input brightens in
    /// proportion and a zero input stays silent. Diehl & Cook (2015, section 2.5) raise the
    /// maximum rate by 32 Hz per raise from 63.75 Hz; their code's `input_intensity` starts at
    /// 2 and grows by 1, i.e. a gain of 0.5, the default. (Replaces `intensity_step`, which
    /// added a flat intensity to every lit input.)
    pub raise_gain: f64,
    /// Minimum excitatory spikes per sample before its input is raised and it is presented
    /// again with a fresh Poisson draw.
    pub min_spikes: u32,
    /// Random seed (Poisson inputs, initial weights).
    pub seed: u64,
}

/// The whole spiking-network configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Timing.
    pub sim: SimConfig,
    /// Excitatory group constants.
    pub exc: NeuronConfig,
    /// Inhibitory group constants.
    pub inh: NeuronConfig,
    /// Network shape and fixed weights.
    pub network: NetworkConfig,
    /// Plasticity.
    pub stdp: StdpConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sim: SimConfig {
                dt_ms: 0.5,
                sample_ms: 350.0,
                rest_ms: 150.0,
                raise_gain: 0.5,
                min_spikes: 5,
                seed: 0,
            },
            exc: NeuronConfig {
                v_rest: -65.0,
                v_reset: -65.0,
                v_thresh: -52.0,
                theta_offset: 20.0,
                refractory_ms: 5.0,
                e_exc: 0.0,
                e_inh: -100.0,
                tau_ms: 100.0,
                tau_ge_ms: 1.0,
                tau_gi_ms: 2.0,
                theta_plus: 0.05,
                tau_theta_ms: 1e7,
                theta_init: 20.0,
            },
            inh: NeuronConfig {
                v_rest: -60.0,
                v_reset: -45.0,
                v_thresh: -40.0,
                theta_offset: 0.0,
                refractory_ms: 2.0,
                e_exc: 0.0,
                e_inh: -85.0,
                tau_ms: 10.0,
                tau_ge_ms: 1.0,
                tau_gi_ms: 2.0,
                theta_plus: 0.0,
                tau_theta_ms: 1e7,
                theta_init: 0.0,
            },
            network: NetworkConfig {
                modalities: 2,
                inputs_per_modality: 20,
                neurons_per_modality: 10,
                window: 0,
                stride: 0,
                w_exc_inh: 10.4,
                w_inh_exc: 17.0,
                w_cross: 0.0,
                w_init_max: 0.3,
                input_delay_ms: vec![0.0, 5.0],
                rate_scale: 0.25,
                max_rate_hz: 63.75,
            },
            stdp: StdpConfig {
                enabled: false,
                rule: StdpRule::PrePost,
                tau_pre_ms: 20.0,
                tau_post1_ms: 20.0,
                tau_post2_ms: 40.0,
                nu_pre: 1e-4,
                nu_post: 1e-2,
                w_max: 1.0,
                x_tar: 0.4,
                mu: 0.2,
                norm_total: 78.0,
            },
        }
    }
}

/// A configuration error with message `msg`.
pub(super) fn bad(msg: String) -> Error {
    Error::Config(msg)
}

impl Config {
    /// Parse a TOML config and validate it. A config with the former `sim.intensity_step`
    /// (a flat intensity added per raise) is refused with an error that names its replacement,
    /// `sim.raise_gain`.
    pub fn from_toml(text: &str) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| {
            if e.to_string().contains("unknown field `intensity_step`") {
                bad(format!(
                    "TOML: sim.intensity_step was replaced by sim.raise_gain, the fraction of \
                     the base input rates added per input raise (0.5 is Diehl & Cook's): \
                     intensity_step added a flat intensity to every lit input, raise_gain \
                     scales every rate in proportion. Replace `intensity_step = ...` with \
                     `raise_gain = 0.5`.\n{e}"
                ))
            } else {
                bad(format!("TOML: {e}"))
            }
        })?;
        c.validate()?;
        Ok(c)
    }

    /// Serialise to TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| bad(format!("TOML: {e}")))
    }

    /// Read and validate a TOML file.
    pub fn load(path: &std::path::Path) -> Result<Config> {
        Self::from_toml(&crate::features::text::read_text(path)?)
    }
}
