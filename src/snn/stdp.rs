//! STDP (`shaders/stdp.wgsl`) on a plastic [n_pre, n_post] weight matrix with a 0/1 mask:
//! trace decay and reset-to-1 on spikes (pre trace; post1 and post2 traces), the weight update of
//! either rule with clipping to [0, w_max], and per-post-neuron normalisation of the incoming sum.
//! Plasticity needs one clip (the weights are shared by all clips).

use bytemuck::{Pod, Zeroable};

use super::config::{StdpConfig, StdpRule};
use crate::error::{Error, Result};
use crate::gpu::grid::WORKGROUP_1D;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::Tensor;

/// Per-step STDP constants (uniform block of the kernels).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct StdpParams {
    /// Presynaptic neurons.
    pub n_pre: u32,
    /// Postsynaptic neurons.
    pub n_post: u32,
    /// 0 = pre_post, 1 = power_law.
    pub rule: u32,
    /// Neurons of a trace dispatch.
    pub n: u32,
    /// Depression rate on pre spikes.
    pub nu_pre: f32,
    /// Potentiation rate on post spikes.
    pub nu_post: f32,
    /// Upper weight bound.
    pub w_max: f32,
    /// Power-law target trace.
    pub x_tar: f32,
    /// Power-law exponent.
    pub mu: f32,
    /// dt / tau_pre.
    pub k_pre: f32,
    /// dt / tau_post1.
    pub k_post1: f32,
    /// dt / tau_post2.
    pub k_post2: f32,
    /// Normalisation target sum.
    pub total: f32,
    pad: [f32; 3],
}

impl StdpParams {
    /// Constants for an [n_pre, n_post] matrix at step `dt_ms` (ms).
    pub fn new(c: &StdpConfig, dt_ms: f64, n_pre: u32, n_post: u32) -> Self {
        StdpParams {
            n_pre,
            n_post,
            rule: u32::from(c.rule == StdpRule::PowerLaw),
            n: 0,
            nu_pre: c.nu_pre as f32,
            nu_post: c.nu_post as f32,
            w_max: c.w_max as f32,
            x_tar: c.x_tar as f32,
            mu: c.mu as f32,
            k_pre: (dt_ms / c.tau_pre_ms) as f32,
            k_post1: (dt_ms / c.tau_post1_ms) as f32,
            k_post2: (dt_ms / c.tau_post2_ms) as f32,
            total: c.norm_total as f32,
            pad: [0.0; 3],
        }
    }
}

fn grid(gpu: &Gpu, n: u64) -> Result<[u32; 3]> {
    gpu.grid(n, WORKGROUP_1D)
}

/// Weight update for one step, then trace decay/reset. `spk_pre` `[n_pre]`, `spk_post` `[n_post]`
/// are 0/1 arrival flags; `tr_pre` `[n_pre]` f32, `tr_post` `[n_post, 2]` f32 (post1, post2).
#[allow(clippy::too_many_arguments)]
pub fn stdp_step(
    gpu: &Gpu,
    p: &StdpParams,
    w: &Tensor,
    mask: &Tensor,
    spk_pre: &Tensor,
    spk_post: &Tensor,
    tr_pre: &Tensor,
    tr_post: &Tensor,
) -> Result<()> {
    let (np, nq) = (p.n_pre as usize, p.n_post as usize);
    if w.numel() != np * nq
        || mask.numel() != np * nq
        || spk_pre.numel() != np
        || tr_pre.numel() != np
        || spk_post.numel() != nq
        || tr_post.numel() != 2 * nq
    {
        return Err(Error::shape(
            "stdp_step",
            format!("buffers do not fit a {np} x {nq} connection"),
        ));
    }
    let b = [
        w.binding_mut()?,
        mask.binding()?,
        spk_pre.binding()?,
        spk_post.binding()?,
        tr_pre.binding()?,
        tr_post.binding()?,
    ];
    gpu.dispatch(
        "stdp_weights",
        &Kernel::new(Shader::Stdp, "stdp_weights"),
        p,
        &b,
        grid(gpu, (np * nq) as u64)?,
    )?;
    let mut q = *p;
    q.n = p.n_pre;
    gpu.dispatch(
        "trace_pre",
        &Kernel::new(Shader::Stdp, "trace_pre"),
        &q,
        &[spk_pre.binding()?, tr_pre.binding_mut()?],
        grid(gpu, np as u64)?,
    )?;
    q.n = p.n_post;
    gpu.dispatch(
        "trace_post",
        &Kernel::new(Shader::Stdp, "trace_post"),
        &q,
        &[spk_post.binding()?, tr_post.binding_mut()?],
        grid(gpu, nq as u64)?,
    )
}

/// Scale each post neuron's incoming weights (column of `w`) to sum to `p.total`.
pub fn normalize(gpu: &Gpu, p: &StdpParams, w: &Tensor) -> Result<()> {
    if w.numel() != p.n_pre as usize * p.n_post as usize {
        return Err(Error::shape(
            "normalize",
            format!("weights {:?}", w.shape()),
        ));
    }
    gpu.dispatch(
        "normalize",
        &Kernel::new(Shader::Stdp, "normalize"),
        p,
        &[w.binding_mut()?],
        gpu.grid(u64::from(p.n_post), 64)?,
    )
}

/// f64 reference of [`stdp_step`] on host arrays (same phases: update with decayed traces, then
/// decay and reset the traces). Under the pre_post rule the weight is clipped to [0, w_max]
/// after the depression of a pre spike and again after the potentiation of a post spike, as
/// Diehl & Cook's code clips in each event.
#[allow(clippy::too_many_arguments)]
pub fn stdp_reference(
    p: &StdpParams,
    w: &mut [f64],
    mask: &[f64],
    spk_pre: &[bool],
    spk_post: &[bool],
    tr_pre: &mut [f64],
    tr_post: &mut [f64],
) {
    let f = |x: f32| f64::from(x);
    let (np, nq) = (p.n_pre as usize, p.n_post as usize);
    for i in 0..np {
        let pre = if spk_pre[i] {
            1.0
        } else {
            tr_pre[i] - f(p.k_pre) * tr_pre[i]
        };
        for j in 0..nq {
            let e = i * nq + j;
            if mask[e] == 0.0 || !(spk_pre[i] || spk_post[j]) {
                continue;
            }
            let post1 = tr_post[2 * j] - f(p.k_post1) * tr_post[2 * j];
            let post2 = tr_post[2 * j + 1] - f(p.k_post2) * tr_post[2 * j + 1];
            let mut x = w[e];
            if spk_pre[i] && p.rule == 0 {
                x = (x - f(p.nu_pre) * post1).clamp(0.0, f(p.w_max));
            }
            if spk_post[j] {
                x += if p.rule == 0 {
                    f(p.nu_post) * pre * post2
                } else {
                    f(p.nu_post) * (pre - f(p.x_tar)) * (f(p.w_max) - x).max(0.0).powf(f(p.mu))
                };
            }
            w[e] = x.clamp(0.0, f(p.w_max));
        }
    }
    for i in 0..np {
        tr_pre[i] = if spk_pre[i] {
            1.0
        } else {
            tr_pre[i] - f(p.k_pre) * tr_pre[i]
        };
    }
    for j in 0..nq {
        let (a, b) = (tr_post[2 * j], tr_post[2 * j + 1]);
        let on = spk_post[j];
        tr_post[2 * j] = if on { 1.0 } else { a - f(p.k_post1) * a };
        tr_post[2 * j + 1] = if on { 1.0 } else { b - f(p.k_post2) * b };
    }
}

/// f64 reference of [`normalize`].
pub fn normalize_reference(p: &StdpParams, w: &mut [f64]) {
    let (np, nq) = (p.n_pre as usize, p.n_post as usize);
    for j in 0..nq {
        let sum: f64 = (0..np).map(|i| w[i * nq + j]).sum();
        if sum > 0.0 {
            let s = f64::from(p.total) / sum;
            (0..np).for_each(|i| w[i * nq + j] *= s);
        }
    }
}
