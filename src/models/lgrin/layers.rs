//! Building blocks: linear maps, batch norm with affine parameters, and the G*conv block
//! (aggregate with an M × M adjacency over node-major features, then an MLP).

use crate::autodiff::init::xavier_uniform;
use crate::autodiff::{BatchNormStats, ParamId, ParamStore, Tape, Var};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::{DType, Tensor};

/// A linear map x W + b with W `[in, out]` (Xavier uniform) and b `[out]` (zeros).
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    /// Weight id.
    pub w: ParamId,
    /// Bias id.
    pub b: ParamId,
}

impl Linear {
    /// Register the parameters `<name>.weight` and `<name>.bias`.
    pub fn new(
        gpu: &Gpu,
        store: &mut ParamStore,
        name: &str,
        dims: (usize, usize),
        seed: u64,
        wd: f32,
    ) -> Result<Self> {
        let w = store.add(
            &format!("{name}.weight"),
            xavier_uniform(gpu, &[dims.0, dims.1], seed)?,
            wd,
        );
        let b = store.add(
            &format!("{name}.bias"),
            Tensor::zeros(gpu, &[dims.1], DType::F32)?,
            wd,
        );
        Ok(Linear { w, b })
    }

    /// x [n, in] -> [n, out].
    pub fn forward(&self, tape: &mut Tape, store: &ParamStore, x: &Var) -> Result<Var> {
        let w = tape.param(store, self.w);
        let b = tape.param(store, self.b);
        let y = tape.matmul(x, &w)?;
        tape.add(&y, &b)
    }
}

/// Batch norm over rows with affine parameters γ (ones) and β (zeros) and running statistics.
#[derive(Debug, Clone)]
pub struct Norm {
    /// Name prefix of the parameters and statistics.
    pub name: String,
    /// γ id (None without affine parameters).
    pub affine: Option<(ParamId, ParamId)>,
    /// Running statistics.
    pub stats: BatchNormStats,
}

impl Norm {
    /// A batch norm over `cols` columns, with `<name>.weight` / `<name>.bias` when `affine`.
    pub fn new(
        gpu: &Gpu,
        store: &mut ParamStore,
        name: &str,
        cols: usize,
        affine: bool,
    ) -> Result<Self> {
        let affine = if affine {
            Some((
                store.add(
                    &format!("{name}.weight"),
                    Tensor::from_f32(gpu, &[cols], &vec![1.0; cols])?,
                    0.0,
                ),
                store.add(
                    &format!("{name}.bias"),
                    Tensor::zeros(gpu, &[cols], DType::F32)?,
                    0.0,
                ),
            ))
        } else {
            None
        };
        Ok(Norm {
            name: name.to_string(),
            affine,
            stats: BatchNormStats::new(gpu, cols)?,
        })
    }

    /// Normalise the rows of x (batch statistics on a training tape, running ones otherwise).
    pub fn forward(&mut self, tape: &mut Tape, store: &ParamStore, x: &Var) -> Result<Var> {
        match self.affine {
            Some((g, b)) => {
                let g = tape.param(store, g);
                let b = tape.param(store, b);
                tape.batch_norm_affine(x, &mut self.stats, &g, &b)
            }
            None => tape.batch_norm(x, &mut self.stats),
        }
    }
}

/// G*conv: ReLU(BN(MLP(Adj · H))) where the MLP is Linear → BN → ReLU → Linear with hidden width
/// (in + out) / 4, or a single Linear when the MLP is switched off (also the GCN layer).
#[derive(Debug, Clone)]
pub struct GConv {
    /// First linear map.
    pub lin1: Linear,
    /// Hidden batch norm and second linear map (MLP only).
    pub mlp: Option<(Norm, Linear)>,
    /// Output batch norm.
    pub out_norm: Norm,
    /// Output width.
    pub out: usize,
}

impl GConv {
    /// Register a G*conv `name` from `inp` to `out` features.
    pub fn new(
        gpu: &Gpu,
        store: &mut ParamStore,
        name: &str,
        dims: (usize, usize),
        mlp: bool,
        seed: u64,
        wd: f32,
    ) -> Result<Self> {
        let (inp, out) = dims;
        let hidden = ((inp + out) / 4).max(1);
        let (lin1, mlp) = if mlp {
            let l1 = Linear::new(gpu, store, &format!("{name}.mlp0"), (inp, hidden), seed, wd)?;
            let n = Norm::new(gpu, store, &format!("{name}.mlp_bn"), hidden, true)?;
            let l2 = Linear::new(
                gpu,
                store,
                &format!("{name}.mlp1"),
                (hidden, out),
                seed ^ 0x51,
                wd,
            )?;
            (l1, Some((n, l2)))
        } else {
            (
                Linear::new(gpu, store, &format!("{name}.lin"), (inp, out), seed, wd)?,
                None,
            )
        };
        let out_norm = Norm::new(gpu, store, &format!("{name}.bn"), out, true)?;
        Ok(GConv {
            lin1,
            mlp,
            out_norm,
            out,
        })
    }

    /// The block from agg = adj · h (see [`aggregate`]); branches that share one adjacency and
    /// input share one aggregation.
    pub fn forward_aggregated(
        &mut self,
        tape: &mut Tape,
        store: &ParamStore,
        agg: &Var,
    ) -> Result<Var> {
        let mut t = self.lin1.forward(tape, store, agg)?;
        if let Some((norm, lin2)) = &mut self.mlp {
            t = norm.forward(tape, store, &t)?;
            t = tape.relu(&t)?;
            t = lin2.forward(tape, store, &t)?;
        }
        let t = self.out_norm.forward(tape, store, &t)?;
        tape.relu(&t)
    }

    /// Every batch norm of the block.
    pub fn norms_mut(&mut self) -> Vec<&mut Norm> {
        let mut v: Vec<&mut Norm> = Vec::new();
        if let Some((n, _)) = &mut self.mlp {
            v.push(n);
        }
        v.push(&mut self.out_norm);
        v
    }
}

/// adj · h for node-major features h [m · b, f] and adj [m, m]: one [m, m] × [m, b · f] product
/// aggregates every graph of the batch at once. Returns [m · b, f]. [`Error::Shape`] when `m`
/// is 0 or does not divide the rows of h.
pub fn aggregate(tape: &mut Tape, adj: &Var, h: &Var, m: usize) -> Result<Var> {
    let (rows, f) = h.value().matrix_dims();
    if m == 0 || rows % m != 0 {
        return Err(Error::shape(
            "aggregate",
            format!("{rows} feature rows are not a whole number of graphs of {m} nodes"),
        ));
    }
    let wide = tape.reshape(h, &[m, rows / m * f])?;
    let agg = tape.matmul(adj, &wide)?;
    tape.reshape(&agg, &[rows, f])
}
