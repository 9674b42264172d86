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

use super::neurons::REFRACTORY_MASK;
use crate::error::{Error, Result};

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

/// Most simulation steps one run, delay or refractory period may span (the step counter is a
/// `u32`, and a delay ring needs one slot more than its longest delay).
pub const MAX_STEPS: u32 = u32::MAX - 1;

fn bad(msg: String) -> Error {
    Error::Config(msg)
}

fn check_tau(name: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v <= 0.0 {
        return Err(bad(format!(
            "{name} = {v} ms must be a positive finite time constant"
        )));
    }
    Ok(())
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
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text)
    }

    /// Steps per millisecond interval, rounded to the nearest step.
    pub fn steps(&self, ms: f64) -> u32 {
        (ms / self.sim.dt_ms).round().max(0.0) as u32
    }

    /// Most spikes one excitatory and one inhibitory neuron can fire together in `steps` steps:
    /// one per refractory period of each group, plus one each. A spike record of this many
    /// events per neuron pair cannot overflow, whatever the inputs.
    pub fn spike_bound(&self, steps: u64) -> u64 {
        let per_neuron =
            |refractory_ms: f64| steps / u64::from(self.steps(refractory_ms).max(1)) + 1;
        per_neuron(self.exc.refractory_ms) + per_neuron(self.inh.refractory_ms)
    }

    /// Reject impossible constants: NaN anywhere, non-positive time constants or dt, negative
    /// learning rates or threshold increments, constants the kernels read as f32 past f32's
    /// range, dt larger than a refractory period or than a time constant decayed by forward
    /// Euler (see [`Self::euler_time_constants`]), w_max <= 0, norm_total <= 0, with plasticity on a
    /// norm_total over [`Self::input_fan_in`] x w_max, empty groups or groups over `u32::MAX`
    /// neurons, bad windows or delays, durations over [`MAX_STEPS`] steps, and a
    /// `sim.sample_ms` or refractory period that is not a whole number of steps.
    pub fn validate(&self) -> Result<()> {
        let s = &self.sim;
        check_tau("sim.dt_ms", s.dt_ms)?;
        for (g, n) in [("exc", &self.exc), ("inh", &self.inh)] {
            let vals = [
                n.v_rest,
                n.v_reset,
                n.v_thresh,
                n.theta_offset,
                n.e_exc,
                n.e_inh,
            ];
            if vals.iter().any(|v| !v.is_finite()) || !n.theta_plus.is_finite() {
                return Err(bad(format!("{g}: a potential is NaN or infinite")));
            }
            if n.theta_plus < 0.0 {
                return Err(bad(format!(
                    "{g}.theta_plus = {} mV must be >= 0: the threshold rises by it per spike \
                     (0 turns adaptation off); a negative one lowers it with every spike",
                    n.theta_plus
                )));
            }
            if !n.theta_init.is_finite() {
                return Err(bad(format!(
                    "{g}.theta_init = {} mV must be finite",
                    n.theta_init
                )));
            }
            for (k, v) in [
                ("tau_ms", n.tau_ms),
                ("tau_ge_ms", n.tau_ge_ms),
                ("tau_gi_ms", n.tau_gi_ms),
                ("tau_theta_ms", n.tau_theta_ms),
            ] {
                check_tau(&format!("{g}.{k}"), v)?;
            }
            if !n.refractory_ms.is_finite() || n.refractory_ms < s.dt_ms {
                return Err(bad(format!(
                    "{g}.refractory_ms = {} is shorter than dt = {} ms",
                    n.refractory_ms, s.dt_ms
                )));
            }
            let refractory_steps = (n.refractory_ms / s.dt_ms).round();
            if refractory_steps > f64::from(REFRACTORY_MASK) {
                return Err(bad(format!(
                    "{g}.refractory_ms = {} ms is {refractory_steps:e} steps of dt = {} ms, over \
                     the {REFRACTORY_MASK} steps a neuron's refractory countdown holds",
                    n.refractory_ms, s.dt_ms
                )));
            }
        }
        let t = &self.stdp;
        for (k, v) in [
            ("tau_pre_ms", t.tau_pre_ms),
            ("tau_post1_ms", t.tau_post1_ms),
            ("tau_post2_ms", t.tau_post2_ms),
        ] {
            check_tau(&format!("stdp.{k}"), v)?;
        }
        // Forward Euler decays x by the factor 1 - dt/tau per step: below 0 for dt > tau, so the
        // state flips sign every step (and grows once dt > 2 tau) instead of decaying.
        for (k, tau) in self.euler_time_constants() {
            if s.dt_ms > tau {
                return Err(bad(format!(
                    "{k} = {tau} ms is shorter than sim.dt_ms = {} ms: forward Euler decays it \
                     by 1 - dt/{k} per step, which is negative (the state would flip sign or \
                     grow); use a dt of at most {tau} ms or a longer {k}",
                    s.dt_ms
                )));
            }
        }
        let finite = [t.nu_pre, t.nu_post, t.x_tar, t.mu, t.norm_total];
        if finite.iter().any(|v| !v.is_finite()) {
            return Err(bad("stdp: a constant is NaN or infinite".into()));
        }
        // The rules carry the signs (depression on pre, potentiation on post spikes): a
        // negative rate would swap them.
        for (k, v) in [("nu_pre", t.nu_pre), ("nu_post", t.nu_post)] {
            if v < 0.0 {
                return Err(bad(format!(
                    "stdp.{k} = {v} must be >= 0: it is the size of the rule's update, whose \
                     sign the rule sets (a negative rate swaps depression and potentiation)"
                )));
            }
        }
        if !(t.w_max.is_finite() && t.w_max > 0.0) {
            return Err(bad(format!("stdp.w_max = {} must be > 0", t.w_max)));
        }
        if t.rule == StdpRule::PowerLaw && t.mu < 0.0 {
            return Err(bad(format!(
                "stdp.mu = {} must be >= 0: the power law's (w_max - w)^mu is infinite for \
                 weights at w_max",
                t.mu
            )));
        }
        if t.norm_total <= 0.0 {
            return Err(bad(format!(
                "stdp.norm_total = {} must be > 0 (each neuron's input weights are scaled to \
                 sum to it; 0 would silence the network)",
                t.norm_total
            )));
        }
        let n = &self.network;
        if n.modalities == 0 || n.inputs_per_modality == 0 || n.neurons_per_modality == 0 {
            return Err(bad(
                "network: modalities, inputs and neurons must be >= 1".into()
            ));
        }
        // Where the last neuron's window ends; a product that overflows ends past every input.
        let window_end = n
            .stride
            .checked_mul(n.neurons_per_modality - 1)
            .and_then(|v| v.checked_add(n.window))
            .unwrap_or(usize::MAX);
        if n.window > n.inputs_per_modality
            || (n.window > 0 && window_end > n.inputs_per_modality && n.stride > 0)
        {
            return Err(bad(format!(
                "network: window {} with stride {} does not fit {} inputs for {} neurons",
                n.window, n.stride, n.inputs_per_modality, n.neurons_per_modality
            )));
        }
        if n.input_delay_ms.len() != n.modalities {
            return Err(bad(
                "network.input_delay_ms needs one delay per modality".into()
            ));
        }
        if n.input_delay_ms
            .iter()
            .any(|d| !d.is_finite() || *d < 0.0 || *d > 1000.0)
        {
            return Err(bad("network.input_delay_ms must be in [0, 1000] ms".into()));
        }
        // A delay is a whole number of steps; one between two steps would be rounded silently.
        for (k, &d) in n.input_delay_ms.iter().enumerate() {
            self.check_whole_steps(&format!("network.input_delay_ms[{k}]"), d)?;
        }
        for (k, v) in [
            ("inputs", n.modalities.checked_mul(n.inputs_per_modality)),
            ("neurons", n.modalities.checked_mul(n.neurons_per_modality)),
        ] {
            if v.is_none_or(|v| v > u32::MAX as usize) {
                return Err(bad(format!(
                    "network: {} modalities x {} {k} each is over the {} a network can index",
                    n.modalities,
                    if k == "inputs" {
                        n.inputs_per_modality
                    } else {
                        n.neurons_per_modality
                    },
                    u32::MAX
                )));
            }
        }
        let w = [
            n.w_exc_inh,
            n.w_inh_exc,
            n.w_cross,
            n.w_init_max,
            n.rate_scale,
            n.max_rate_hz,
            s.sample_ms,
            s.rest_ms,
            s.raise_gain,
        ];
        if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(bad(
                "network/sim: weights, rates and durations must be finite and >= 0".into(),
            ));
        }
        self.check_f32_range()?;
        // Normalisation scales each neuron's input column to sum to norm_total without clipping,
        // and plasticity clips to [0, w_max]: a total the column cannot reach at w_max would
        // leave weights above w_max, clipped by STDP and scaled back by the next normalisation.
        let fan_in = self.input_fan_in();
        let reachable = fan_in as f64 * t.w_max;
        if t.enabled && t.norm_total > reachable {
            let source = if n.window == 0 {
                format!(
                    "network.inputs_per_modality = {fan_in} (network.window = 0: every input of \
                     the modality)"
                )
            } else {
                format!("network.window = {fan_in}")
            };
            return Err(bad(format!(
                "stdp.norm_total = {} is over the {fan_in} inputs of a neuron x stdp.w_max = {} \
                 = {reachable}: normalised weights would end above w_max (fan-in from \
                 {source}); use norm_total <= {reachable}",
                t.norm_total, t.w_max,
            )));
        }
        let longest_delay = n.input_delay_ms.iter().copied().fold(0.0, f64::max);
        for (k, ms) in [
            ("sim.sample_ms + sim.rest_ms", s.sample_ms + s.rest_ms),
            ("exc.refractory_ms", self.exc.refractory_ms),
            ("inh.refractory_ms", self.inh.refractory_ms),
            ("network.input_delay_ms", longest_delay),
        ] {
            self.check_steps(k, ms)?;
        }
        // Every presentation runs this many steps; one between two steps would be rounded.
        self.check_whole_steps("sim.sample_ms", s.sample_ms)?;
        // The shortest interval between two spikes: one between two steps would be rounded
        // silently (1.2 ms at dt 0.5 ms would let a neuron fire every 1.0 ms).
        for (g, n) in [("exc", &self.exc), ("inh", &self.inh)] {
            self.check_whole_steps(&format!("{g}.refractory_ms"), n.refractory_ms)?;
        }
        Ok(())
    }

    /// Fail unless every constant the kernels read as an f32 (potentials, threshold increments,
    /// weights, the rate scale and the STDP constants) is within f32's finite range: a finite
    /// f64 past it would become infinite on the GPU and the state NaN, with no error. The
    /// threshold is checked as the kernel reads it, `v_thresh - theta_offset`.
    fn check_f32_range(&self) -> Result<()> {
        let max = f64::from(f32::MAX);
        let mut values = Vec::new();
        for (g, n) in [("exc", &self.exc), ("inh", &self.inh)] {
            for (k, v) in [
                ("v_rest", n.v_rest),
                ("v_reset", n.v_reset),
                ("v_thresh", n.v_thresh),
                ("theta_offset", n.theta_offset),
                ("e_exc", n.e_exc),
                ("e_inh", n.e_inh),
                ("theta_plus", n.theta_plus),
                ("theta_init", n.theta_init),
            ] {
                values.push((format!("{g}.{k}"), v));
            }
            values.push((
                format!("{g}.v_thresh - {g}.theta_offset"),
                n.v_thresh - n.theta_offset,
            ));
        }
        let (n, t) = (&self.network, &self.stdp);
        for (k, v) in [
            ("network.w_exc_inh", n.w_exc_inh),
            ("network.w_inh_exc", n.w_inh_exc),
            ("network.w_cross", n.w_cross),
            ("network.w_init_max", n.w_init_max),
            ("network.rate_scale", n.rate_scale),
            ("stdp.nu_pre", t.nu_pre),
            ("stdp.nu_post", t.nu_post),
            ("stdp.w_max", t.w_max),
            ("stdp.x_tar", t.x_tar),
            ("stdp.mu", t.mu),
            ("stdp.norm_total", t.norm_total),
        ] {
            values.push((k.to_string(), v));
        }
        match values.into_iter().find(|(_, v)| v.abs() > max) {
            Some((k, v)) => Err(bad(format!(
                "{k} = {v} is outside the f32 range (magnitude at most {max:e}) the GPU computes \
                 in: it would be infinite there and turn the network state into NaN"
            ))),
            None => Ok(()),
        }
    }

    /// The time constants the simulation decays with forward Euler (factor 1 - dt/tau per
    /// step), named as in the TOML: each group's `tau_ms`, `tau_ge_ms`, `tau_gi_ms` and
    /// `tau_theta_ms`, and, with plasticity on (the only time the traces run), the STDP trace
    /// constants. [`Self::validate`] refuses a `sim.dt_ms` longer than any of them.
    pub fn euler_time_constants(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for (g, n) in [("exc", &self.exc), ("inh", &self.inh)] {
            for (k, v) in [
                ("tau_ms", n.tau_ms),
                ("tau_ge_ms", n.tau_ge_ms),
                ("tau_gi_ms", n.tau_gi_ms),
                ("tau_theta_ms", n.tau_theta_ms),
            ] {
                out.push((format!("{g}.{k}"), v));
            }
        }
        let t = &self.stdp;
        if t.enabled {
            for (k, v) in [
                ("tau_pre_ms", t.tau_pre_ms),
                ("tau_post1_ms", t.tau_post1_ms),
                ("tau_post2_ms", t.tau_post2_ms),
            ] {
                out.push((format!("stdp.{k}"), v));
            }
        }
        out
    }

    /// Input synapses of one excitatory neuron, the column that normalisation scales:
    /// `network.window`, or every input of its modality (`network.inputs_per_modality`) when
    /// the window is 0. (Valid windows fit the inputs, so every neuron has exactly this many.)
    pub fn input_fan_in(&self) -> usize {
        let n = &self.network;
        if n.window == 0 {
            n.inputs_per_modality
        } else {
            n.window.min(n.inputs_per_modality)
        }
    }

    /// Fail unless `ms` is a whole number of steps of `sim.dt_ms` (up to decimal rounding,
    /// 1e-9 relative), naming `what`: a time between two steps would be rounded silently.
    pub fn check_whole_steps(&self, what: &str, ms: f64) -> Result<()> {
        let x = ms / self.sim.dt_ms;
        if (x - x.round()).abs() > 1e-9 * x.abs().max(1.0) {
            return Err(bad(format!(
                "{what} = {ms} ms is not a whole number of steps of sim.dt_ms = {} ms",
                self.sim.dt_ms
            )));
        }
        Ok(())
    }

    /// Fail unless `ms` is at most [`MAX_STEPS`] steps of `sim.dt_ms` (`what` names it).
    pub fn check_steps(&self, what: &str, ms: f64) -> Result<()> {
        let steps = (ms / self.sim.dt_ms).round();
        if steps.is_nan() || steps > f64::from(MAX_STEPS) {
            return Err(bad(format!(
                "{what} = {ms} ms is {steps:e} steps of sim.dt_ms = {:?} ms, over the \
                 {MAX_STEPS} steps a simulation counts",
                self.sim.dt_ms
            )));
        }
        Ok(())
    }
}
