//! Step arithmetic of a config: milliseconds to steps of `sim.dt_ms`, the spike bound of a
//! run, the time constants decayed per step, and the checks that a time is a whole number of
//! steps and within [`MAX_STEPS`].

use super::config::{bad, Config};
use crate::error::Result;

/// Most simulation steps one run, delay or refractory period may span (the step counter is a
/// `u32`, and a delay ring needs one slot more than its longest delay).
pub const MAX_STEPS: u32 = u32::MAX - 1;

impl Config {
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

    /// Fail unless `ms` is a whole number of steps of `sim.dt_ms` (up to decimal rounding,
    /// 1e-12 relative), naming `what`: a time between two steps would be rounded silently.
    pub fn check_whole_steps(&self, what: &str, ms: f64) -> Result<()> {
        let x = ms / self.sim.dt_ms;
        if (x - x.round()).abs() > 1e-12 * x.abs().max(1.0) {
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
