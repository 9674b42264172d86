//! Validation of a spiking-network config: [`Config::validate`], section by section (neuron
//! groups, STDP, network shape, f32 range, normalisation total, durations), and the derived
//! quantities it checks against.

use super::config::{bad, Config, NeuronConfig, StdpRule};
use super::neurons::REFRACTORY_MASK;
use crate::error::Result;

/// Fail unless `v` is finite, naming `name` and the value.
fn check_finite(name: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(bad(format!("{name} = {v} must be a finite number")));
    }
    Ok(())
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
    /// Reject impossible constants: NaN anywhere, non-positive time constants or dt, negative
    /// learning rates or threshold increments, constants the kernels read as f32 past f32's
    /// range, dt larger than a refractory period or than a time constant decayed by forward
    /// Euler (see [`Self::euler_time_constants`]), w_max <= 0, norm_total <= 0, with plasticity on a
    /// norm_total over [`Self::input_fan_in`] x w_max, empty groups or groups over `u32::MAX`
    /// neurons, bad windows or delays, durations over [`MAX_STEPS`] steps, and a
    /// `sim.sample_ms` or refractory period that is not a whole number of steps.
    ///
    /// [`MAX_STEPS`]: super::config::MAX_STEPS
    pub fn validate(&self) -> Result<()> {
        check_tau("sim.dt_ms", self.sim.dt_ms)?;
        for (g, n) in [("exc", &self.exc), ("inh", &self.inh)] {
            self.check_group(g, n)?;
        }
        self.check_stdp()?;
        self.check_network()?;
        self.check_f32_range()?;
        self.check_norm_reachable()?;
        self.check_durations()
    }

    /// The checks of neuron group `g`: finite potentials, a threshold increment >= 0, positive
    /// time constants, and a refractory period of at least dt that its countdown can hold.
    fn check_group(&self, g: &str, n: &NeuronConfig) -> Result<()> {
        let s = &self.sim;
        for (k, v) in [
            ("v_rest", n.v_rest),
            ("v_reset", n.v_reset),
            ("v_thresh", n.v_thresh),
            ("theta_offset", n.theta_offset),
            ("e_exc", n.e_exc),
            ("e_inh", n.e_inh),
            ("theta_plus", n.theta_plus),
        ] {
            check_finite(&format!("{g}.{k}"), v)?;
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
        check_finite(&format!("{g}.refractory_ms"), n.refractory_ms)?;
        if n.refractory_ms < s.dt_ms {
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
        Ok(())
    }

    /// The checks of the STDP constants: positive trace time constants, no time constant
    /// shorter than dt, finite constants, rates >= 0, w_max > 0, mu >= 0 for the power law
    /// and norm_total > 0.
    fn check_stdp(&self) -> Result<()> {
        let (s, t) = (&self.sim, &self.stdp);
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
        for (k, v) in [
            ("nu_pre", t.nu_pre),
            ("nu_post", t.nu_post),
            ("x_tar", t.x_tar),
            ("mu", t.mu),
            ("norm_total", t.norm_total),
        ] {
            check_finite(&format!("stdp.{k}"), v)?;
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
        Ok(())
    }

    /// The checks of the network shape: non-empty groups, windows that fit, one delay per
    /// modality in [0, 1000] ms and a whole number of steps, indexable sizes, and finite
    /// weights, rates and durations >= 0.
    fn check_network(&self) -> Result<()> {
        let (s, n) = (&self.sim, &self.network);
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
            return Err(bad(format!(
                "network.input_delay_ms has {} delays for {} modalities: it needs one delay \
                 per modality",
                n.input_delay_ms.len(),
                n.modalities
            )));
        }
        for (k, &d) in n.input_delay_ms.iter().enumerate() {
            let name = format!("network.input_delay_ms[{k}]");
            if !(0.0..=1000.0).contains(&d) {
                return Err(bad(format!("{name} = {d} ms must be in [0, 1000] ms")));
            }
            // A delay is a whole number of steps; one between two steps would be rounded
            // silently.
            self.check_whole_steps(&name, d)?;
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
        for (k, v) in [
            ("network.w_exc_inh", n.w_exc_inh),
            ("network.w_inh_exc", n.w_inh_exc),
            ("network.w_cross", n.w_cross),
            ("network.w_init_max", n.w_init_max),
            ("network.rate_scale", n.rate_scale),
            ("network.max_rate_hz", n.max_rate_hz),
            ("sim.sample_ms", s.sample_ms),
            ("sim.rest_ms", s.rest_ms),
            ("sim.raise_gain", s.raise_gain),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(format!(
                    "{k} = {v} must be finite and >= 0 (weights, rates and durations)"
                )));
            }
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

    /// With plasticity on, fail unless normalisation can reach `stdp.norm_total` with
    /// weights at most `stdp.w_max`.
    fn check_norm_reachable(&self) -> Result<()> {
        let (n, t) = (&self.network, &self.stdp);
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
        Ok(())
    }

    /// The checks of the durations: at most [`MAX_STEPS`](super::config::MAX_STEPS) steps
    /// each, and a sample and refractory periods that are whole numbers of steps.
    fn check_durations(&self) -> Result<()> {
        let (s, n) = (&self.sim, &self.network);
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
}
