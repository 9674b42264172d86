//! The multi-modal network: per modality an input group -> excitatory group (locally-connected
//! windows) -> inhibitory group (one-to-one) -> lateral inhibition of every excitatory neuron of
//! the modality but the partner, cross-modal excitatory links, and per-modality input delays
//! through a ring buffer. Populations hold all modalities of a clip back to back and all clips
//! back to back (neuron = clip * n + modality * n_mod + i). `run` records every dispatch in the
//! current batch; nothing is read back until the spike record is.

use super::config::Config;
use super::encoding::{poisson_step, schedule_step};
use super::neurons::{lif_step, GroupState, LifParams, STATE_VALUES};
use super::record::{Recorder, SpikeEvent};
use super::stdp::{normalize, stdp_step, StdpParams};
use super::synapses::{compact, propagate, sort, Channel, SpikeLists};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::layout::{concat_cols, slice_cols};
use crate::tensor::{DType, Tensor};

/// Record group id of the excitatory population.
pub const GROUP_EXC: u32 = 0;
/// Record group id of the inhibitory population.
pub const GROUP_INH: u32 = 1;

/// Host copies of the connection matrices ([n_pre, n_post] row-major, per clip).
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Input -> excitatory (plastic).
    pub w_in: Vec<f32>,
    /// 1 where an input -> excitatory synapse exists (the window), else 0.
    pub mask_in: Vec<f32>,
    /// Excitatory -> inhibitory (one-to-one).
    pub w_ei: Vec<f32>,
    /// Inhibitory -> excitatory (all of the modality but the partner).
    pub w_ie: Vec<f32>,
    /// Excitatory -> excitatory across modalities (empty when disabled).
    pub w_cross: Vec<f32>,
}

impl Weights {
    /// Build the connectivity of `c`; input weights uniform in [0, w_init_max) from `c.sim.seed`.
    pub fn build(c: &Config) -> Weights {
        let n = &c.network;
        let (m, ni, ne) = (n.modalities, n.inputs_per_modality, n.neurons_per_modality);
        let (n_in, n_e) = (m * ni, m * ne);
        let mut rng = c.sim.seed ^ 0x5eed_5eed;
        let mut next = move || {
            rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
        };
        let mut w_in = vec![0.0; n_in * n_e];
        let mut mask_in = vec![0.0; n_in * n_e];
        for mo in 0..m {
            for j in 0..ne {
                let (lo, hi) = if n.window == 0 {
                    (0, ni)
                } else {
                    (j * n.stride, j * n.stride + n.window)
                };
                for i in lo..hi.min(ni) {
                    let e = (mo * ni + i) * n_e + mo * ne + j;
                    mask_in[e] = 1.0;
                    w_in[e] = next() * n.w_init_max as f32;
                }
            }
        }
        let mut w_ei = vec![0.0; n_e * n_e];
        let mut w_ie = vec![0.0; n_e * n_e];
        let mut w_cross = Vec::new();
        if n.w_cross > 0.0 && m > 1 {
            w_cross = vec![0.0; n_e * n_e];
        }
        for a in 0..n_e {
            w_ei[a * n_e + a] = n.w_exc_inh as f32;
            for b in 0..n_e {
                if a / ne == b / ne && a != b {
                    w_ie[a * n_e + b] = n.w_inh_exc as f32;
                }
                if !w_cross.is_empty() && a / ne != b / ne {
                    w_cross[a * n_e + b] = n.w_cross as f32;
                }
            }
        }
        Weights {
            w_in,
            mask_in,
            w_ei,
            w_ie,
            w_cross,
        }
    }
}

/// What drives the inputs each step.
pub enum Input<'a> {
    /// Poisson rates (Hz) [clips * n_in].
    Rates(&'a Tensor),
    /// Bitmask schedule from [`super::encoding::SpikeList::upload`], the same for every clip,
    /// and the steps it covers; its width must match the network's input count.
    Schedule(&'a Tensor, u32),
}

/// The network on the GPU for `clips` clips simulated in parallel.
pub struct Network {
    gpu: Gpu,
    cfg: Config,
    /// Clips simulated together.
    pub clips: usize,
    /// Inputs per clip (all modalities).
    pub n_in: usize,
    /// Excitatory (= inhibitory) neurons per clip.
    pub n_e: usize,
    /// Excitatory population state.
    pub exc: GroupState,
    /// Inhibitory population state.
    pub inh: GroupState,
    ring: Tensor,
    slots: u32,
    streams: Tensor,
    delays: [Tensor; 2],
    lists: [SpikeLists; 3],
    /// Input -> excitatory weights [n_in, n_e].
    pub w_in: Tensor,
    mask_in: Tensor,
    w_ei: Tensor,
    w_ie: Tensor,
    w_cross: Option<Tensor>,
    tr_pre: Tensor,
    tr_post: Tensor,
    /// (v_rest, 0, 0) per excitatory neuron `[clips * n_e, 3]`: the reset's first three state
    /// columns (theta, the fourth, is kept).
    exc_rest: Tensor,
    /// The inhibitory state at rest `[clips * n_e, 4]`: (v_rest, 0, 0, theta_init).
    inh_rest: Tensor,
    lif: [LifParams; 2],
    stdp: StdpParams,
    /// Whether inhibitory spikes go to the spike record (excitatory ones always do).
    record_inh: bool,
    /// Steps simulated so far.
    pub step: u32,
}

impl Network {
    /// Refuse, with [`Error::TooLarge`], a network of `cfg` for `clips` clips whose weight
    /// matrices, neuron state or input delay ring would not fit one storage binding of `gpu`.
    /// Cheap: call it before [`Weights::build`], which allocates the weights on the host.
    pub fn check_size(gpu: &Gpu, cfg: &Config, clips: usize) -> Result<()> {
        cfg.validate()?;
        let n = &cfg.network;
        let n_in = (n.modalities * n.inputs_per_modality) as u128;
        let n_e = (n.modalities * n.neurons_per_modality) as u128;
        let longest_delay = n.input_delay_ms.iter().copied().fold(0.0, f64::max);
        let slots = u128::from(cfg.steps(longest_delay)) + 1;
        let clips = clips as u128;
        let limit = gpu.max_binding_bytes();
        for (what, values) in [
            (format!("input weights [{n_in}, {n_e}]"), n_in * n_e),
            (format!("recurrent weights [{n_e}, {n_e}]"), n_e * n_e),
            (
                format!("neuron state [{clips} clips x {n_e}, {STATE_VALUES}]"),
                clips
                    .saturating_mul(n_e)
                    .saturating_mul(STATE_VALUES as u128),
            ),
            (
                format!("input delay ring [{slots} x {clips} clips x {n_in}]"),
                slots.saturating_mul(clips).saturating_mul(n_in),
            ),
        ] {
            let bytes = values.saturating_mul(4);
            if bytes > u128::from(limit) {
                return Err(Error::TooLarge {
                    what,
                    bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
                    limit,
                });
            }
        }
        Ok(())
    }

    /// Build the network of `cfg` with `weights` for `clips` clips, every neuron at rest.
    pub fn new(gpu: &Gpu, cfg: &Config, weights: &Weights, clips: usize) -> Result<Network> {
        cfg.validate()?;
        if clips == 0 {
            return Err(Error::InvalidInput(
                "a simulation needs at least one clip".into(),
            ));
        }
        Network::check_size(gpu, cfg, clips)?;
        if cfg.stdp.enabled && clips > 1 {
            return Err(Error::InvalidInput(
                "plasticity runs one clip at a time (weights are shared)".into(),
            ));
        }
        let n = &cfg.network;
        let (n_in, n_e) = (
            n.modalities * n.inputs_per_modality,
            n.modalities * n.neurons_per_modality,
        );
        let d: Vec<u32> = (0..n_in)
            .map(|i| cfg.steps(n.input_delay_ms[i / n.inputs_per_modality]))
            .collect();
        let slots = d.iter().max().copied().unwrap_or(0) + 1;
        let dt = cfg.sim.dt_ms;
        let (te, ti) = ((n_e * clips) as u32, (n_e * clips) as u32);
        let up = |v: &[f32], r, c| Tensor::from_f32(gpu, &[r, c], v);
        Ok(Network {
            gpu: gpu.clone(),
            cfg: cfg.clone(),
            clips,
            n_in,
            n_e,
            exc: GroupState::at_rest(
                gpu,
                n_e * clips,
                cfg.exc.v_rest as f32,
                cfg.exc.theta_init as f32,
            )?,
            inh: GroupState::at_rest(
                gpu,
                n_e * clips,
                cfg.inh.v_rest as f32,
                cfg.inh.theta_init as f32,
            )?,
            ring: Tensor::zeros(gpu, &[slots as usize * clips * n_in], DType::U32)?,
            slots,
            streams: Tensor::from_u32(gpu, &[clips], &(0..clips as u32).collect::<Vec<_>>())?,
            delays: [
                Tensor::from_u32(gpu, &[n_in], &d)?,
                Tensor::zeros(gpu, &[n_e], DType::U32)?,
            ],
            lists: [
                SpikeLists::new(gpu, n_in, clips)?,
                SpikeLists::new(gpu, n_e, clips)?,
                SpikeLists::new(gpu, n_e, clips)?,
            ],
            w_in: up(&weights.w_in, n_in, n_e)?,
            mask_in: up(&weights.mask_in, n_in, n_e)?,
            w_ei: up(&weights.w_ei, n_e, n_e)?,
            w_ie: up(&weights.w_ie, n_e, n_e)?,
            w_cross: if weights.w_cross.is_empty() {
                None
            } else {
                Some(up(&weights.w_cross, n_e, n_e)?)
            },
            tr_pre: Tensor::zeros(gpu, &[n_in], DType::F32)?,
            tr_post: Tensor::zeros(gpu, &[n_e, 2], DType::F32)?,
            exc_rest: {
                let v_rest = cfg.exc.v_rest as f32;
                let host: Vec<f32> = (0..n_e * clips).flat_map(|_| [v_rest, 0.0, 0.0]).collect();
                Tensor::from_f32(gpu, &[n_e * clips, 3], &host)?
            },
            inh_rest: GroupState::at_rest(
                gpu,
                n_e * clips,
                cfg.inh.v_rest as f32,
                cfg.inh.theta_init as f32,
            )?
            .state,
            lif: [
                LifParams::new(&cfg.exc, dt, te),
                LifParams::new(&cfg.inh, dt, ti),
            ],
            stdp: StdpParams::new(&cfg.stdp, dt, n_in as u32, n_e as u32),
            record_inh: true,
            step: 0,
        })
    }

    /// Scale every excitatory neuron's input weights to sum to `stdp.norm_total`.
    pub fn normalize_input(&self) -> Result<()> {
        normalize(&self.gpu, &self.stdp, &self.w_in)
    }

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

    /// Bring every neuron back to rest between samples, as Diehl & Cook's rest period does:
    /// potentials to rest, conductances, refractory counters, in-flight input spikes and STDP
    /// traces to zero. The excitatory adaptive thresholds theta are kept.
    ///
    /// Everything is recorded in the current batch (a column slice and a concat of 32-bit
    /// words, buffer copies from rest states uploaded at construction, and clears): nothing is
    /// read back or flushed, so resetting between samples never waits for the GPU.
    pub fn reset_to_rest(&mut self) -> Result<()> {
        // Excitatory: (v_rest, 0, 0) from the rest tensor, theta from the current state; the
        // columns are copied as 32-bit words, so the values are bit-exact.
        let theta = slice_cols(&self.exc.state, 3, 4)?;
        let exc = concat_cols(&[&self.exc_rest, &theta])?;
        self.overwrite(&self.exc.state, &exc)?;
        self.overwrite(&self.inh.state, &self.inh_rest)?;
        for t in [
            &self.exc.flags,
            &self.inh.flags,
            &self.ring,
            &self.tr_pre,
            &self.tr_post,
        ] {
            self.gpu.clear(t.buffer(), t.byte_offset(), t.byte_len())?;
        }
        Ok(())
    }

    /// Record a copy of `src` over `dst` (same byte length) in the current batch.
    fn overwrite(&self, dst: &Tensor, src: &Tensor) -> Result<()> {
        self.gpu.copy(
            src.buffer(),
            src.byte_offset(),
            dst.buffer(),
            dst.byte_offset(),
            dst.byte_len(),
        )
    }

    /// Give clip slot `c` the Poisson input stream `ids[c]` (by default `c`). Two clips with
    /// different ids draw independent spikes; a clip given the same id draws the same spikes
    /// in any slot of any batch, so results do not depend on how samples are batched.
    pub fn set_streams(&mut self, ids: &[u32]) -> Result<()> {
        if ids.len() != self.clips {
            return Err(Error::shape(
                "set_streams",
                format!("{} stream ids for {} clips", ids.len(), self.clips),
            ));
        }
        self.streams = Tensor::from_u32(&self.gpu, &[self.clips], ids)?;
        Ok(())
    }

    /// Set every clip's excitatory adaptive thresholds to `theta` `[n_e]` (mV), keeping the
    /// potentials, conductances and refractory countdowns.
    ///
    /// Recorded in the current batch without a readback: the state's first three columns are
    /// copied (as 32-bit words, bit-exact) next to an uploaded theta column, as in
    /// [`Self::reset_to_rest`].
    pub fn set_theta(&mut self, theta: &[f32]) -> Result<()> {
        if theta.len() != self.n_e {
            return Err(Error::shape(
                "set_theta",
                format!("{} thresholds for {} neurons", theta.len(), self.n_e),
            ));
        }
        let rows = self.clips * self.n_e;
        let column: Vec<f32> = theta.iter().copied().cycle().take(rows).collect();
        let theta = Tensor::from_f32(&self.gpu, &[rows, 1], &column)?;
        let head = slice_cols(&self.exc.state, 0, 3)?;
        let exc = concat_cols(&[&head, &theta])?;
        self.overwrite(&self.exc.state, &exc)?;
        Ok(())
    }

    /// The first clip's excitatory adaptive thresholds `[n_e]` (mV).
    pub fn theta(&self) -> Result<Vec<f32>> {
        let (state, _) = self.exc.to_host()?;
        Ok(state.chunks_exact(4).take(self.n_e).map(|s| s[3]).collect())
    }

    /// Group, clip and in-group index of a recorded event: (`exc_0`, clip, i) etc. The group
    /// is formatted when written, so describing millions of events allocates nothing.
    pub fn describe(&self, e: &SpikeEvent) -> (GroupName, usize, usize) {
        let per = self.cfg.network.neurons_per_modality;
        let local = e.neuron as usize % self.n_e;
        let kind = if e.group == GROUP_EXC { "exc" } else { "inh" };
        (
            GroupName {
                kind,
                modality: local / per,
            },
            e.neuron as usize / self.n_e,
            local % per,
        )
    }
}

/// A neuron group as the spike records name it: `exc_0`, `inh_1`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupName {
    /// `exc` or `inh`.
    pub kind: &'static str,
    /// Modality index.
    pub modality: usize,
}

impl std::fmt::Display for GroupName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.kind, self.modality)
    }
}
