//! Event-driven synapses (`shaders/synapse.wgsl`). Each step and population: `compact` appends
//! the neurons whose (possibly delayed, through the input ring buffer) spike flag is set to a
//! per-clip list with an atomic counter, `sort_lists` orders each list so that accumulation is
//! deterministic, and `propagate` (one thread per post-synaptic neuron) adds the weight rows of
//! the listed neurons to ge or gi. All connections are dense [n_pre, n_post] f32 matrices with
//! zeros where no synapse exists (locally-connected windows, one-to-one, all-but-partner).

use bytemuck::{Pod, Zeroable};

use super::neurons::{GroupState, SPIKE_BIT};
use super::record::Recorder;
use crate::error::{Error, Result};
use crate::gpu::grid::WORKGROUP_1D;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SynParams {
    n: u32,
    clips: u32,
    n_post: u32,
    step: u32,
    slots: u32,
    channel: u32,
    record: u32,
    group: u32,
    cap: u32,
    pad: [u32; 3],
}

/// Which conductance a connection drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Excitatory (ge).
    Exc,
    /// Inhibitory (gi).
    Inh,
}

/// Per-step spike lists of one population: `counts` `[clips]`, `list` `[clips * n]` (local indices,
/// sorted after [`sort`]) and `spk` [clips * n] (1 where the neuron's spike arrived this step).
pub struct SpikeLists {
    /// Spikes per clip.
    pub counts: Tensor,
    /// Local indices of the spiking neurons, per clip.
    pub list: Tensor,
    /// Dense 0/1 arrival flags.
    pub spk: Tensor,
    /// Neurons per clip.
    pub n: u32,
    /// Clips.
    pub clips: u32,
}

impl SpikeLists {
    /// Lists for `clips` clips of `n` neurons.
    pub fn new(gpu: &Gpu, n: usize, clips: usize) -> Result<Self> {
        let total = n * clips;
        Ok(SpikeLists {
            counts: Tensor::zeros(gpu, &[clips], DType::U32)?,
            list: Tensor::zeros(gpu, &[total], DType::U32)?,
            spk: Tensor::zeros(gpu, &[total], DType::U32)?,
            n: super::check_len("spike lists", n)?,
            clips: super::check_len("spike lists", clips)?,
        })
    }
}

fn params(n: u32, clips: u32) -> SynParams {
    SynParams {
        n,
        clips,
        n_post: 0,
        step: 0,
        slots: 1,
        channel: 0,
        record: 0,
        group: 0,
        cap: 0,
        pad: [0; 3],
    }
}

/// Compact population spikes of `step`. `flags` holds `slots` ring slots of [clips * n] flags
/// (bit 31 = spike); neuron i reads slot `(step - delays[i]) mod slots` (`delays` `[n]`, steps).
/// The ring holds `slots` steps, so every delay must be below `slots`: a longer one reads the
/// slot of a more recent step ([`crate::snn::network::Network`] sizes its ring this way).
/// With `group = Some(id)` the spikes are also appended to the record `r` under that id.
#[allow(clippy::too_many_arguments)]
pub fn compact(
    gpu: &Gpu,
    l: &SpikeLists,
    flags: &Tensor,
    delays: &Tensor,
    slots: u32,
    step: u32,
    r: &Recorder,
    group: Option<u32>,
) -> Result<()> {
    let total = u64::from(l.n) * u64::from(l.clips);
    if flags.numel() as u64 != total * u64::from(slots) || delays.numel() != l.n as usize {
        return Err(Error::shape(
            "compact",
            format!(
                "flags {:?} / delays {:?} do not fit {} x {} x {slots}",
                flags.shape(),
                delays.shape(),
                l.clips,
                l.n
            ),
        ));
    }
    gpu.clear(
        l.counts.buffer(),
        l.counts.byte_offset(),
        l.counts.byte_len(),
    )?;
    let mut p = params(l.n, l.clips);
    p.step = step;
    p.slots = slots;
    if let Some(group) = group {
        p.record = 1;
        p.group = group;
        p.cap = r.capacity;
    }
    let b = [
        flags.binding()?,
        delays.binding()?,
        l.counts.binding_mut()?,
        l.list.binding_mut()?,
        l.spk.binding_mut()?,
        r.meta.binding_mut()?,
        r.events.binding_mut()?,
    ];
    gpu.dispatch(
        "compact",
        &Kernel::new(Shader::Synapse, "compact"),
        &p,
        &b,
        gpu.grid(total, WORKGROUP_1D)?,
    )
}

/// Sort each clip's list ascending (one thread per clip).
pub fn sort(gpu: &Gpu, l: &SpikeLists) -> Result<()> {
    let p = params(l.n, l.clips);
    gpu.dispatch(
        "sort_lists",
        &Kernel::new(Shader::Synapse, "sort_lists"),
        &p,
        &[l.counts.binding()?, l.list.binding_mut()?],
        gpu.grid(u64::from(l.clips), 64)?,
    )
}

/// Add `w` [n_pre, n_post] rows of the listed spikes to `target`'s ge or gi.
pub fn propagate(
    gpu: &Gpu,
    l: &SpikeLists,
    w: &Tensor,
    target: &GroupState,
    channel: Channel,
) -> Result<()> {
    target.check("propagate")?;
    let n_post = target.len() / l.clips.max(1) as usize;
    if w.numel() != l.n as usize * n_post || target.len() != n_post * l.clips as usize {
        return Err(Error::shape(
            "propagate",
            format!(
                "weights {:?} do not connect {} to {n_post} neurons",
                w.shape(),
                l.n
            ),
        ));
    }
    let mut p = params(l.n, l.clips);
    p.n_post = super::check_len("propagate", n_post)?;
    p.channel = u32::from(channel == Channel::Inh);
    let b = [
        l.counts.binding()?,
        l.list.binding()?,
        w.binding()?,
        target.state.binding_mut()?,
    ];
    gpu.dispatch(
        "propagate",
        &Kernel::new(Shader::Synapse, "propagate"),
        &p,
        &b,
        gpu.grid(target.len() as u64, WORKGROUP_1D)?,
    )
}

/// CPU reference of compact + sort for one clip: ascending indices whose flag has [`SPIKE_BIT`].
pub fn compact_reference(flags: &[u32]) -> Vec<u32> {
    (0..flags.len() as u32)
        .filter(|&i| flags[i as usize] & SPIKE_BIT != 0)
        .collect()
}

/// CPU reference of propagate for one clip: `g[j] += sum over listed i (ascending) of w[i, j]`.
pub fn propagate_reference(list: &[u32], w: &[f64], n_post: usize, g: &mut [f64]) {
    if list.is_empty() {
        return;
    }
    for (j, gj) in g.iter_mut().enumerate() {
        let acc: f64 = list.iter().map(|&i| w[i as usize * n_post + j]).sum();
        *gj += acc;
    }
}
