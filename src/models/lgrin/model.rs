//! The network: input batch norm, learnable adjacency, graph inception layers, [max | Ψ | mean]
//! pooling and the classifier; also the fixed-graph GCN baseline. Features are node-major: a
//! batch of b graphs with m nodes and f features is [m · b, f] with row m_i · b + g, so one
//! [m, m] × [m, b · f] product aggregates every graph at once.

use super::config::{AdjacencyInit, LgrinConfig, MaxpoolGraph, ModelKind};
use super::layers::{aggregate, GConv, Linear, Norm};
use crate::autodiff::{ParamId, ParamStore, Tape, Var};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::elementwise::{unary, Unary};
use crate::kernels::random;
use crate::kernels::reduce::ReduceOp;
use crate::tensor::Tensor;

pub use super::state::{NamedTensor, StateSnapshot};
pub use super::temporal::{
    node_major, normalised_temporal, temporal_adjacency, temporal_neighbours,
};

/// One inception layer (or one GCN layer: `g1` only).
#[derive(Debug, Clone)]
struct Layer {
    g1: GConv,
    g2: Option<GConv>,
    maxpool: bool,
}

/// The outputs of one forward pass.
pub struct Forward {
    /// Class scores [b, classes].
    pub logits: Var,
    /// ReLU(A) when A is learned.
    pub relu_a: Option<Var>,
    /// A itself when learned (the paper's loss penalises ‖A‖²_F).
    pub a: Option<Var>,
    /// The Ψ weights p when learned.
    pub p: Option<Var>,
}

/// An L-GrIN (or GCN baseline) model with its parameters and batch-norm statistics.
pub struct Lgrin {
    /// The settings it was built with.
    pub config: LgrinConfig,
    /// Trainable parameters.
    pub store: ParamStore,
    /// The configuration the tensors were built for, with the weight decay the store carries
    /// (see [`Lgrin::check_built`] and [`Lgrin::apply_weight_decay`]).
    pub(super) built: LgrinConfig,
    /// Per parameter, in store order: whether the weight decay applies (the linear maps).
    pub(super) decayed: Vec<bool>,
    gpu: Gpu,
    input_norm: Norm,
    a: Option<ParamId>,
    p: Option<ParamId>,
    fixed_adj: Tensor,
    temporal_mask: Tensor,
    ones_p: Tensor,
    /// (A_d)_ij = (i - j)², the distance weights of the structure loss.
    pub(super) a_d: Tensor,
    layers: Vec<Layer>,
    cls1: Linear,
    slope: ParamId,
    cls2: Linear,
}

impl Lgrin {
    /// Build the model of `config` with seeded initialisation.
    pub fn new(gpu: &Gpu, config: LgrinConfig) -> Result<Self> {
        config.validate()?;
        let c = &config;
        let m = c.nodes;
        let seed = c.seed.wrapping_mul(1000);
        let wd = c.weight_decay;
        let mut store = ParamStore::new();
        let input_norm = Norm::new(gpu, &mut store, "input_bn", c.in_dims, false)?;
        let lgrin = c.model == ModelKind::Lgrin;
        let a = if lgrin && c.learned_a {
            let init = match c.a_init {
                AdjacencyInit::Uniform => {
                    random::uniform(gpu, &[m, m], 0.0, 1.0, seed.wrapping_add(1))?
                }
                AdjacencyInit::Normal => {
                    random::normal(gpu, &[m, m], 0.0, 1.0, seed.wrapping_add(1))?
                }
            };
            Some(store.add("adjacency", init, 0.0))
        } else {
            None
        };
        let ones = vec![1.0; m];
        let p = if lgrin && c.learned_p {
            Some(store.add("psi_p", Tensor::from_f32(gpu, &[m], &ones)?, 0.0))
        } else {
            None
        };
        let mut layers = Vec::new();
        let mut width = c.in_dims;
        for l in 0..c.layers {
            let s = seed.wrapping_add(10 * (l as u64 + 1));
            let layer = match c.model {
                ModelKind::GcnBaseline => Layer {
                    g1: GConv::new(
                        gpu,
                        &mut store,
                        &format!("gcn{l}"),
                        (width, c.g1),
                        false,
                        s,
                        wd,
                    )?,
                    g2: None,
                    maxpool: false,
                },
                ModelKind::Lgrin => {
                    let name = format!("inception{l}");
                    let g1 = GConv::new(
                        gpu,
                        &mut store,
                        &format!("{name}.g1"),
                        (width, c.g1),
                        c.gconv_mlp,
                        s,
                        wd,
                    )?;
                    let g2 = if c.inception {
                        Some(GConv::new(
                            gpu,
                            &mut store,
                            &format!("{name}.g2"),
                            (width, c.g2),
                            c.gconv_mlp,
                            s.wrapping_add(5),
                            wd,
                        )?)
                    } else {
                        None
                    };
                    Layer {
                        g1,
                        g2,
                        maxpool: c.inception,
                    }
                }
            };
            width = match (&layer.g2, layer.maxpool) {
                (Some(g2), true) => width + c.g1 + g2.out,
                _ => c.g1,
            };
            layers.push(layer);
        }
        debug_assert_eq!(width, c.final_width());
        let pooled = width * c.readouts();
        let cls1 = Linear::new(
            gpu,
            &mut store,
            "classifier0",
            (pooled, c.hidden),
            seed.wrapping_add(7),
            wd,
        )?;
        let slope = store.add(
            "prelu.weight",
            Tensor::from_f32(gpu, &[c.hidden], &vec![0.25; c.hidden])?,
            0.0,
        );
        let cls2 = Linear::new(
            gpu,
            &mut store,
            "classifier1",
            (c.hidden, c.classes),
            seed.wrapping_add(8),
            wd,
        )?;
        let fixed = match c.model {
            ModelKind::GcnBaseline => normalised_temporal(m),
            ModelKind::Lgrin => temporal_adjacency(m),
        };
        let a_d: Vec<f32> = (0..m * m)
            .map(|k| ((k / m) as f32 - (k % m) as f32).powi(2))
            .collect();
        let mut decayed = vec![false; store.len()];
        let mut linears = vec![cls1, cls2];
        for layer in &layers {
            for g in std::iter::once(&layer.g1).chain(&layer.g2) {
                linears.push(g.lin1);
                linears.extend(g.mlp.as_ref().map(|(_, l)| *l));
            }
        }
        for l in linears {
            decayed[l.w.0] = true;
            decayed[l.b.0] = true;
        }
        Ok(Lgrin {
            gpu: gpu.clone(),
            built: config.clone(),
            decayed,
            input_norm,
            a,
            p,
            fixed_adj: Tensor::from_f32(gpu, &[m, m], &fixed)?,
            temporal_mask: Tensor::from_f32(gpu, &[m, m], &temporal_neighbours(m))?,
            ones_p: Tensor::from_f32(gpu, &[m], &ones)?,
            a_d: Tensor::from_f32(gpu, &[m, m], &a_d)?,
            layers,
            cls1,
            slope,
            cls2,
            store,
            config,
        })
    }

    /// The device the model lives on.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// Total number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.store.numel()
    }

    /// (name, shape) of every trainable parameter in creation order.
    pub fn parameter_shapes(&self) -> Vec<(String, Vec<usize>)> {
        self.store
            .ids()
            .map(|id| {
                (
                    self.store.name(id).to_string(),
                    self.store.value(id).shape().to_vec(),
                )
            })
            .collect()
    }

    /// Forward pass of `b` graphs given as a node-major batch x [m · b, in_dims].
    /// A configuration changed since building in a setting that shaped the tensors is refused
    /// ([`Lgrin::check_built`]).
    pub fn forward(&mut self, tape: &mut Tape, x: &Tensor, b: usize) -> Result<Forward> {
        self.check_built()?;
        let c = self.config.clone();
        let m = c.nodes;
        if x.shape() != [m * b, c.in_dims] {
            return Err(Error::shape(
                "lgrin forward",
                format!(
                    "input {:?} must be [{} x {b} graphs, {}]",
                    x.shape(),
                    m,
                    c.in_dims
                ),
            ));
        }
        let store = &self.store;
        let xv = tape.constant(x);
        let mut h = self.input_norm.forward(tape, store, &xv)?;
        let (adj, relu_a, a_var) = match self.a {
            Some(a) => {
                let av = tape.param(store, a);
                let r = tape.relu(&av)?;
                (r.clone(), Some(r), Some(av))
            }
            None => (tape.constant(&self.fixed_adj), None, None),
        };
        let mask = match c.maxpool_graph {
            MaxpoolGraph::Temporal => self.temporal_mask.clone(),
            MaxpoolGraph::Learned => adj.value().clone(),
        };
        for layer in &mut self.layers {
            let mut parts = Vec::new();
            if layer.maxpool {
                let f = h.value().matrix_dims().1;
                let wide = tape.reshape(&h, &[m, b * f])?;
                let mp = tape.neighbor_max(&mask, &wide)?;
                parts.push(tape.reshape(&mp, &[m * b, f])?);
            }
            // G1 and G2 read the same ReLU(A) · H: aggregate once.
            let agg = aggregate(tape, &adj, &h, m)?;
            parts.push(layer.g1.forward_aggregated(tape, store, &agg)?);
            if let Some(g2) = &mut layer.g2 {
                parts.push(g2.forward_aggregated(tape, store, &agg)?);
            }
            h = if parts.len() == 1 {
                parts.pop().unwrap_or(h)
            } else {
                let refs: Vec<&Var> = parts.iter().collect();
                tape.concat_cols(&refs)?
            };
        }
        let w = h.value().matrix_dims().1;
        let wide = tape.reshape(&h, &[m, b * w])?;
        let mx = tape.pool_rows(&wide, ReduceOp::Max)?;
        let mx = tape.reshape(&mx, &[b, w])?;
        let mean = tape.pool_rows(&wide, ReduceOp::Mean)?;
        let mean = tape.reshape(&mean, &[b, w])?;
        let mut p_var = None;
        let pooled = match c.model {
            ModelKind::GcnBaseline => tape.concat_cols(&[&mx, &mean])?,
            ModelKind::Lgrin => {
                let p = match self.p {
                    Some(p) => {
                        let v = tape.param(store, p);
                        p_var = Some(v.clone());
                        v
                    }
                    None => tape.constant(&self.ones_p),
                };
                let psi = tape.psi_pool(&wide, &p)?;
                let psi = tape.reshape(&psi, &[b, w])?;
                tape.concat_cols(&[&mx, &psi, &mean])?
            }
        };
        let z = self.cls1.forward(tape, store, &pooled)?;
        let z = tape.dropout(&z, c.dropout)?;
        let slope = tape.param(store, self.slope);
        let z = tape.prelu(&z, &slope)?;
        let logits = self.cls2.forward(tape, store, &z)?;
        Ok(Forward {
            logits,
            relu_a,
            a: a_var,
            p: p_var,
        })
    }

    /// The adjacency the model aggregates with, [m, m] row-major on the host: ReLU(A) when
    /// learned, else the fixed graph.
    pub fn adjacency(&self) -> Result<Vec<f32>> {
        match self.a {
            Some(a) => unary(self.store.value(a), Unary::Relu)?.to_f32(),
            None => self.fixed_adj.to_f32(),
        }
    }

    /// Every batch norm of the model, the input norm first, then each layer's in order.
    pub(super) fn norms_mut(&mut self) -> Vec<&mut Norm> {
        let mut v = vec![&mut self.input_norm];
        for l in &mut self.layers {
            v.extend(l.g1.norms_mut());
            if let Some(g2) = &mut l.g2 {
                v.extend(g2.norms_mut());
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_max_pool_takes_the_two_neighbours_not_the_node_itself() -> Result<()> {
        let chain: Vec<f32> = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0]
            .map(|v: u8| f32::from(v))
            .to_vec();
        assert_eq!(temporal_neighbours(4), chain);
        let with_self: Vec<f32> = (0..16)
            .map(|k| chain[k] + f32::from(u8::from(k % 5 == 0)))
            .collect();
        assert_eq!(temporal_adjacency(4), with_self);
        // The model's temporal max-pool mask is the chain; its fixed graph keeps the self loops.
        let gpu = Gpu::open_default()?;
        let config = LgrinConfig {
            nodes: 4,
            learned_a: false,
            ..LgrinConfig::reference(3, 2)
        };
        let model = Lgrin::new(&gpu, config)?;
        assert_eq!(model.temporal_mask.to_f32()?, chain);
        assert_eq!(model.fixed_adj.to_f32()?, with_self);
        Ok(())
    }
}
