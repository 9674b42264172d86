//! Stepping a network: checking the input, then per step encoding the input spikes, updating
//! the neurons, compacting and recording spikes, propagating them and applying STDP.

use super::{Input, Network, GROUP_EXC, GROUP_INH};
use crate::error::{Error, Result};
use crate::snn::encoding::{poisson_step, schedule_step};
use crate::snn::neurons::lif_step;
use crate::snn::record::Recorder;
use crate::snn::stdp::stdp_step;
use crate::snn::synapses::{compact, propagate, sort, Channel};

impl Network {
    /// Whether [`Self::run`] appends inhibitory spikes to the spike record (on by default).
    /// Excitatory spikes are always recorded; the dynamics are the same either way. A caller
    /// that only needs excitatory spikes (STDP training counts them after every presentation,
    /// inference keeps only them) turns this off so the record holds, and a readback copies,
    /// only those.
    pub fn record_inhibitory(&mut self, on: bool) {
        self.record_inh = on;
    }

    /// Record `steps` steps driven by `input`, appending spikes to `rec` (no readback). Refuses,
    /// with [`Error::InvalidInput`], a run that would take the step counter past `u32::MAX`.
    pub fn run(&mut self, input: &Input, steps: u32, rec: &Recorder) -> Result<()> {
        // In u64: the u32 sum would overflow.
        if u64::from(self.step) + u64::from(steps) > u64::from(u32::MAX) {
            return Err(Error::InvalidInput(format!(
                "{steps} more steps after step {} would take the network past the {} steps its \
                 step counter holds",
                self.step,
                u32::MAX
            )));
        }
        match input {
            Input::Rates(r) if r.numel() != self.n_in * self.clips => {
                return Err(Error::shape(
                    "network",
                    format!(
                        "rates {:?} for {} clips x {} inputs",
                        r.shape(),
                        self.clips,
                        self.n_in
                    ),
                ));
            }
            // A bitmask of another input count would be read with the wrong row width.
            Input::Schedule(s, len)
                if s.numel() != (*len as usize * self.n_in.div_ceil(32)).max(1) =>
            {
                return Err(Error::shape(
                    "network",
                    format!(
                        "spike-list bitmask {:?} is not {len} steps x {} words ({} inputs)",
                        s.shape(),
                        self.n_in.div_ceil(32),
                        self.n_in
                    ),
                ));
            }
            // In u64: near u32::MAX steps the u32 sum would overflow.
            Input::Schedule(_, len)
                if u64::from(self.step) + u64::from(steps) > u64::from(*len) =>
            {
                return Err(Error::InvalidInput(format!(
                    "spike list covers {len} steps, simulation needs {}",
                    u64::from(self.step) + u64::from(steps)
                )));
            }
            _ => {}
        }
        for _ in 0..steps {
            self.one_step(input, rec)?;
        }
        Ok(())
    }

    fn one_step(&mut self, input: &Input, rec: &Recorder) -> Result<()> {
        let (g, t) = (&self.gpu, self.step);
        let slot = t % self.slots;
        // Encode this step's input spikes into the ring.
        match input {
            Input::Rates(r) => poisson_step(
                g,
                r,
                &self.streams,
                &self.ring,
                slot,
                t,
                self.cfg.sim.seed,
                self.cfg.sim.dt_ms,
            )?,
            Input::Schedule(s, _) => schedule_step(
                g,
                s,
                self.n_in as u32,
                self.clips as u32,
                &self.ring,
                slot,
                t,
            )?,
        }
        // Neuron updates (conductances hold last step's synaptic input).
        let [mut pe, mut ph] = self.lif;
        (pe.step, ph.step) = (t, t);
        lif_step(g, &self.exc, &pe)?;
        lif_step(g, &self.inh, &ph)?;
        // Compact (and record) spikes; delayed inputs read older ring slots.
        let [li, le, lh] = &self.lists;
        compact(g, li, &self.ring, &self.delays[0], self.slots, t, rec, None)?;
        compact(
            g,
            le,
            &self.exc.flags,
            &self.delays[1],
            1,
            t,
            rec,
            Some(GROUP_EXC),
        )?;
        compact(
            g,
            lh,
            &self.inh.flags,
            &self.delays[1],
            1,
            t,
            rec,
            self.record_inh.then_some(GROUP_INH),
        )?;
        for l in &self.lists {
            sort(g, l)?;
        }
        // Propagate into conductances (effective from the next step).
        propagate(g, li, &self.w_in, &self.exc, Channel::Exc)?;
        propagate(g, le, &self.w_ei, &self.inh, Channel::Exc)?;
        propagate(g, lh, &self.w_ie, &self.exc, Channel::Inh)?;
        if let Some(w) = &self.w_cross {
            propagate(g, le, w, &self.exc, Channel::Exc)?;
        }
        if self.cfg.stdp.enabled {
            stdp_step(
                g,
                &self.stdp,
                &self.w_in,
                &self.mask_in,
                &li.spk,
                &le.spk,
                &self.tr_pre,
                &self.tr_post,
            )?;
        }
        self.step += 1;
        Ok(())
    }
}
