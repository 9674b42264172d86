//! The connectivity of a network on the host: windowed input weights with their mask, the
//! one-to-one, lateral-inhibition and cross-modal matrices.

use crate::snn::config::Config;

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
