//! Building a network on the GPU: the size check against the device's binding limit, and the
//! buffers of every population, synapse matrix, delay ring and trace, at rest.

use super::{Network, Weights};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::snn::config::Config;
use crate::snn::neurons::{GroupState, LifParams, STATE_VALUES};
use crate::snn::stdp::StdpParams;
use crate::snn::synapses::SpikeLists;
use crate::tensor::{DType, Tensor};

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
}
