//! The network: input batch norm, learnable adjacency, graph inception layers, [max | Ψ | mean]
//! pooling and the classifier; also the fixed-graph GCN baseline. Features are node-major: a
//! batch of b graphs with m nodes and f features is [m · b, f] with row m_i · b + g, so one
//! [m, m] × [m, b · f] product aggregates every graph at once.

use std::collections::HashMap;

use super::config::{AdjacencyInit, LgrinConfig, MaxpoolGraph, ModelKind};
use super::layers::{aggregate, GConv, Linear, Norm};
use crate::autodiff::{ParamId, ParamStore, Tape, Var};
use crate::error::{Error, Result};
use crate::features::FrameMatrix;
use crate::gpu::Gpu;
use crate::kernels::elementwise::{unary, Unary};
use crate::kernels::random;
use crate::kernels::reduce::ReduceOp;
use crate::tensor::Tensor;

/// A named host copy of a tensor: (name, shape, values).
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// A copy of every tensor [`Lgrin::state`] lists, kept on the GPU: taken by
/// [`Lgrin::snapshot`] without reading anything back and put back by [`Lgrin::restore`].
pub struct StateSnapshot {
    params: Vec<Tensor>,
    norms: Vec<(Tensor, Tensor)>,
}

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
    built: LgrinConfig,
    /// Per parameter, in store order: whether the weight decay applies (the linear maps).
    decayed: Vec<bool>,
    gpu: Gpu,
    input_norm: Norm,
    a: Option<ParamId>,
    p: Option<ParamId>,
    fixed_adj: Tensor,
    temporal_mask: Tensor,
    ones_p: Tensor,
    a_d: Tensor,
    layers: Vec<Layer>,
    cls1: Linear,
    slope: ParamId,
    cls2: Linear,
}

/// Binary temporal adjacency of `m` nodes: i ~ j when |i - j| <= 1 (self loops included).
pub fn temporal_adjacency(m: usize) -> Vec<f32> {
    band(m, |d| d <= 1)
}

/// The temporal max-pool's neighbours of `m` nodes: i ~ j when |i - j| = 1. As in the reference
/// code's frame chain, a node is not its own neighbour, so the first and last nodes pool one
/// value each.
pub fn temporal_neighbours(m: usize) -> Vec<f32> {
    band(m, |d| d == 1)
}

/// The `m` x `m` 0/1 matrix with a one where `keep(|i - j|)`.
fn band(m: usize, keep: impl Fn(usize) -> bool) -> Vec<f32> {
    (0..m * m)
        .map(|k| f32::from(u8::from(keep((k / m).abs_diff(k % m)))))
        .collect()
}

/// D^-1/2 T D^-1/2 of the temporal adjacency T (the GCN baseline's graph).
pub fn normalised_temporal(m: usize) -> Vec<f32> {
    let t = temporal_adjacency(m);
    let deg: Vec<f32> = (0..m).map(|i| t[i * m..(i + 1) * m].iter().sum()).collect();
    (0..m * m)
        .map(|k| t[k] / (deg[k / m] * deg[k % m]).sqrt())
        .collect()
}

/// Node-major batch [m · b, f] of clips given as [m, f] matrices.
pub fn node_major(clips: &[&FrameMatrix], m: usize, f: usize) -> Result<Vec<f32>> {
    let b = clips.len();
    let mut out = vec![0.0; m * b * f];
    for (g, c) in clips.iter().enumerate() {
        if c.rows != m || c.cols != f {
            return Err(Error::shape(
                "node_major",
                format!(
                    "clip {g} is [{}, {}], the model needs [{m}, {f}]",
                    c.rows, c.cols
                ),
            ));
        }
        for node in 0..m {
            let dst = (node * b + g) * f;
            out[dst..dst + f].copy_from_slice(c.row(node));
        }
    }
    Ok(out)
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

    /// Refuse a [`Lgrin::config`] changed since the model was built in a setting that shaped
    /// its tensors (the model kind, `nodes`, `in_dims`, `classes`, `g1`, `g2`, `layers`,
    /// `hidden` and the ablation switches): [`Error::Config`] naming the first. Such a model
    /// would read its tensors as the new shape (a class count changed after building gave
    /// probabilities of the wrong classes) or save a checkpoint that does not load. The
    /// training settings may change; see [`Lgrin::apply_weight_decay`].
    pub fn check_built(&self) -> Result<()> {
        let (now, was) = (&self.config, &self.built);
        let shape = |c: &LgrinConfig| {
            (
                c.model,
                c.nodes,
                c.in_dims,
                c.classes,
                c.g1,
                c.g2,
                c.layers,
                c.hidden,
                c.gconv_mlp,
                c.inception,
                c.learned_a,
                c.learned_p,
            )
        };
        if shape(now) == shape(was) {
            return Ok(());
        }
        let fields = [
            (
                "model",
                format!("{:?}", now.model),
                format!("{:?}", was.model),
            ),
            ("nodes", now.nodes.to_string(), was.nodes.to_string()),
            ("in_dims", now.in_dims.to_string(), was.in_dims.to_string()),
            ("classes", now.classes.to_string(), was.classes.to_string()),
            ("g1", now.g1.to_string(), was.g1.to_string()),
            ("g2", now.g2.to_string(), was.g2.to_string()),
            ("layers", now.layers.to_string(), was.layers.to_string()),
            ("hidden", now.hidden.to_string(), was.hidden.to_string()),
            (
                "gconv_mlp",
                now.gconv_mlp.to_string(),
                was.gconv_mlp.to_string(),
            ),
            (
                "inception",
                now.inception.to_string(),
                was.inception.to_string(),
            ),
            (
                "learned_a",
                now.learned_a.to_string(),
                was.learned_a.to_string(),
            ),
            (
                "learned_p",
                now.learned_p.to_string(),
                was.learned_p.to_string(),
            ),
        ];
        match fields.iter().find(|(_, n, w)| n != w) {
            None => Ok(()),
            Some((name, n, w)) => Err(Error::Config(format!(
                "{name} is {n}, but the model was built with {w}: the settings that shape its \
                 tensors cannot change after building (build a new model)"
            ))),
        }
    }

    /// Give the linear maps' weights and biases the L2 weight decay of [`Lgrin::config`]
    /// (`weight_decay`, which may have changed since the model was built; the store carries
    /// the decay per parameter). Values are kept; the gradients are forgotten when the decay
    /// changes.
    pub fn apply_weight_decay(&mut self) {
        let wd = self.config.weight_decay;
        if wd.to_bits() == self.built.weight_decay.to_bits() {
            return;
        }
        let old = std::mem::take(&mut self.store);
        for (id, &decayed) in old.ids().zip(&self.decayed) {
            let added = self.store.add(
                old.name(id),
                old.value(id).clone(),
                if decayed { wd } else { 0.0 },
            );
            debug_assert_eq!(added, id);
        }
        self.built.weight_decay = wd;
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

    /// Cross-entropy against u32 `labels` `[b]` plus the structure terms of the learned A and p,
    /// with (A_d)_ij = (i - j)², λ = `lambda_struct` and λ_p = `lambda_p`:
    ///
    /// * `loss_means` (reference code): λ (mean(ReLU(A) ⊙ A_d) + mean(ReLU(A)²)) + λ_p mean(p²);
    /// * otherwise (paper): λ Σ ReLU(A) ⊙ A_d + λ ‖A‖²_F + λ_p ‖p‖², where the squared
    ///   magnitude is of A itself, so negative entries are penalised too.
    ///
    /// Terms of a part that is not learned (A or p fixed) are left out.
    pub fn loss(&self, tape: &mut Tape, fwd: &Forward, labels: &Tensor) -> Result<Var> {
        let c = &self.config;
        let ce = tape.softmax_cross_entropy(&fwd.logits, labels, None)?;
        let reg = match (&fwd.relu_a, &fwd.a, &fwd.p) {
            (Some(ra), _, p) if c.loss_means => Some(tape.structure_loss(
                ra,
                &self.a_d,
                p.as_ref(),
                c.lambda_struct,
                c.lambda_p,
                true,
            )?),
            (Some(ra), Some(a), p) => {
                // `mul` would broadcast a row vector; every term weighs every entry of A.
                if ra.shape() != self.a_d.shape() || a.shape() != self.a_d.shape() {
                    return Err(Error::shape(
                        "lgrin loss",
                        format!(
                            "A {:?} and ReLU(A) {:?} must be {:?}",
                            a.shape(),
                            ra.shape(),
                            self.a_d.shape()
                        ),
                    ));
                }
                let ad = tape.constant(&self.a_d);
                let weighted = tape.mul(ra, &ad)?;
                let dist = tape.sum_all(&weighted)?;
                let dist = tape.scale(&dist, c.lambda_struct)?;
                let sq = tape.l2_penalty(a, c.lambda_struct)?;
                let mut total = tape.add(&dist, &sq)?;
                if let Some(p) = p {
                    let pen = tape.l2_penalty(p, c.lambda_p)?;
                    total = tape.add(&total, &pen)?;
                }
                Some(total)
            }
            (Some(_), None, _) => {
                return Err(Error::InvalidInput(
                    "lgrin loss: the forward pass has ReLU(A) without A".into(),
                ))
            }
            (None, _, Some(p)) => {
                let k = if c.loss_means { c.nodes as f32 } else { 1.0 };
                Some(tape.l2_penalty(p, c.lambda_p / k)?)
            }
            (None, _, None) => None,
        };
        match reg {
            Some(r) => tape.add(&ce, &r),
            None => Ok(ce),
        }
    }

    /// The adjacency the model aggregates with, [m, m] row-major on the host: ReLU(A) when
    /// learned, else the fixed graph.
    pub fn adjacency(&self) -> Result<Vec<f32>> {
        match self.a {
            Some(a) => unary(self.store.value(a), Unary::Relu)?.to_f32(),
            None => self.fixed_adj.to_f32(),
        }
    }

    fn norms_mut(&mut self) -> Vec<&mut Norm> {
        let mut v = vec![&mut self.input_norm];
        for l in &mut self.layers {
            v.extend(l.g1.norms_mut());
            if let Some(g2) = &mut l.g2 {
                v.extend(g2.norms_mut());
            }
        }
        v
    }

    /// The names [`Lgrin::state`] gives, in the same order, without reading anything back.
    pub fn state_names(&mut self) -> Vec<String> {
        let mut out: Vec<String> = self
            .store
            .ids()
            .map(|id| self.store.name(id).to_string())
            .collect();
        for n in self.norms_mut() {
            out.push(format!("{}.running_mean", n.name));
            out.push(format!("{}.running_var", n.name));
        }
        out
    }

    /// Every tensor needed to restore the model: parameters, then batch-norm running
    /// statistics (`<norm>.running_mean`, `<norm>.running_var`), as (name, shape, values).
    pub fn state(&mut self) -> Result<Vec<NamedTensor>> {
        let mut out = Vec::new();
        for id in self.store.ids() {
            let t = self.store.value(id);
            out.push((
                self.store.name(id).to_string(),
                t.shape().to_vec(),
                t.to_f32()?,
            ));
        }
        for n in self.norms_mut() {
            let s = &n.stats;
            out.push((
                format!("{}.running_mean", n.name),
                s.running_mean.shape().to_vec(),
                s.running_mean.to_f32()?,
            ));
            out.push((
                format!("{}.running_var", n.name),
                s.running_var.shape().to_vec(),
                s.running_var.to_f32()?,
            ));
        }
        Ok(out)
    }

    /// A GPU copy of every tensor listed by [`Lgrin::state`] (parameters and batch-norm running
    /// statistics), made by buffer copies recorded in the current batch: nothing is read back,
    /// and later training steps do not change it.
    pub fn snapshot(&mut self) -> Result<StateSnapshot> {
        let params = self.store.snapshot()?;
        let norms = self
            .norms_mut()
            .into_iter()
            .map(|n| {
                Ok((
                    n.stats.running_mean.contiguous_copy()?,
                    n.stats.running_var.contiguous_copy()?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StateSnapshot { params, norms })
    }

    /// Put back a [`Lgrin::snapshot`] of this model: afterwards [`Lgrin::state`] lists exactly
    /// the values it held when the snapshot was taken.
    pub fn restore(&mut self, snapshot: StateSnapshot) -> Result<()> {
        let StateSnapshot { params, norms } = snapshot;
        let slots = self.norms_mut();
        if norms.len() != slots.len() {
            return Err(Error::shape(
                "restore",
                format!(
                    "{} batch-norm statistics for a model of {}",
                    norms.len(),
                    slots.len()
                ),
            ));
        }
        // Every shape is checked before anything changes, so a bad snapshot leaves the model
        // as it was.
        for (n, (mean, var)) in slots.iter().zip(&norms) {
            mean.expect_same_shape("restore", &n.stats.running_mean)?;
            var.expect_same_shape("restore", &n.stats.running_var)?;
        }
        drop(slots);
        self.store.restore(params)?;
        for (n, (mean, var)) in self.norms_mut().into_iter().zip(norms) {
            n.stats.running_mean = mean;
            n.stats.running_var = var;
        }
        Ok(())
    }

    /// Restore every tensor listed by [`Lgrin::state`] from `tensors` (name -> (shape, values)).
    /// A missing tensor or a shape mismatch is an error naming it, and leaves the model as it
    /// was (every tensor is checked and uploaded before any is replaced).
    pub fn load_state(&mut self, tensors: &HashMap<String, (Vec<usize>, Vec<f32>)>) -> Result<()> {
        let gpu = self.gpu.clone();
        let fetch = |name: &str, shape: &[usize]| -> Result<Tensor> {
            let (s, v) = tensors
                .get(name)
                .ok_or_else(|| Error::Config(format!("checkpoint has no tensor '{name}'")))?;
            if s != shape || v.len() != shape.iter().product::<usize>() {
                return Err(Error::Config(format!(
                    "checkpoint tensor '{name}' is {s:?}, the model needs {shape:?}"
                )));
            }
            Tensor::from_f32(&gpu, shape, v)
        };
        let params = self
            .store
            .ids()
            .map(|id| fetch(self.store.name(id), self.store.value(id).shape()))
            .collect::<Result<Vec<_>>>()?;
        let norms = self
            .norms_mut()
            .into_iter()
            .map(|n| {
                let shape = [n.stats.cols()];
                Ok((
                    fetch(&format!("{}.running_mean", n.name), &shape)?,
                    fetch(&format!("{}.running_var", n.name), &shape)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.restore(StateSnapshot { params, norms })
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
