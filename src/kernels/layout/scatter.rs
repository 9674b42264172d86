//! Deterministic row scatter-add through a GPU counting sort (`shaders/layout.wgsl`, the
//! `scatter_*` entry points). Only integer atomics are used, and every output row adds its
//! sources in ascending source order, so results are bitwise reproducible.

use super::{u32s, Params};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::kernels::{check_u32, check_u32_product, grid_for};
use crate::tensor::{DType, Tensor};

/// Most per-group counters a plan allocates (`G n`, 16 MiB of u32): the fill runs in as many
/// workgroups G as this allows for n destinations.
pub const FILL_COUNTERS: usize = 1 << 22;

/// Sources per chunk of the fill (its workgroup size).
const FILL_CHUNK: usize = 256;

/// The rows of a scatter grouped by destination, in CSR form, built once on the GPU and reusable
/// for every scatter with the same indices (for example a graph's edge list across epochs).
///
/// Building cuts the m sources into G groups of consecutive chunks of 256 and runs a histogram
/// per group (atomic u32 counts, `[G, n]`), a prefix over the groups of each destination, an
/// exclusive scan of the totals (one workgroup) and a stable fill with one workgroup per group.
/// G is as large as [`FILL_COUNTERS`] counters allow (up to one group per chunk), so building
/// costs O(m / (256 G) + G + n / 1024) sequential steps; applying the plan is fully parallel.
#[derive(Debug, Clone)]
pub struct ScatterPlan {
    n: usize,
    m: usize,
    offsets: Tensor,
    perm: Tensor,
}

impl ScatterPlan {
    /// Group the sources `0..m` by destination `idx[i]` (u32 `[m]`) over `n` destinations.
    /// Sources with `idx[i] >= n` are dropped.
    pub fn new(idx: &Tensor, n: usize) -> Result<ScatterPlan> {
        const OP: &str = "scatter_add_rows";
        idx.expect_dtype(OP, DType::U32)?;
        let m = match idx.shape() {
            [m] => *m,
            s => return Err(Error::shape(OP, format!("idx must be 1-D [m], got {s:?}"))),
        };
        // n first: the sizes below add to it and multiply it.
        check_u32(OP, n)?;
        let gpu = idx.gpu();
        // G groups of `per_group` chunks: as many groups as the counter budget (and the
        // largest binding) allows, at most one per chunk.
        let chunks = m.div_ceil(FILL_CHUNK).max(1);
        let budget = FILL_COUNTERS.min((gpu.max_binding_bytes() / 4) as usize);
        let most = (budget / n.max(1)).max(1);
        let per_group = chunks.div_ceil(chunks.min(most));
        let groups = chunks.div_ceil(per_group);
        let group_len = per_group * FILL_CHUNK;
        let v = u32s(OP, &[n, m, n + 1, groups * n.max(1), group_len, groups])?;
        let offsets = Tensor::empty(gpu, &[n + 1], DType::U32)?;
        let perm = Tensor::empty(gpu, &[m], DType::U32)?;
        let params = Params {
            a: v[0],
            b: v[1],
            c: v[4],
            d: v[5],
            ..Params::default()
        };
        let counts = Tensor::zeros(gpu, &[groups * n.max(1)], DType::U32)?;
        let totals = Tensor::empty(gpu, &[n.max(1)], DType::U32)?;
        let kernel = |entry| Kernel::new(Shader::Layout, entry);
        gpu.dispatch(
            "scatter_hist",
            &kernel("scatter_hist"),
            &params,
            &[idx.binding()?, counts.binding_mut()?],
            grid_for(gpu, m)?,
        )?;
        gpu.dispatch(
            "scatter_group_prefix",
            &kernel("scatter_group_prefix"),
            &params,
            &[counts.binding_mut()?, totals.binding_mut()?],
            grid_for(gpu, n)?,
        )?;
        gpu.dispatch(
            "scatter_scan",
            &kernel("scatter_scan"),
            &params,
            &[totals.binding()?, offsets.binding_mut()?],
            [1, 1, 1],
        )?;
        if m > 0 && n > 0 {
            gpu.dispatch(
                "scatter_fill",
                &kernel("scatter_fill"),
                &params,
                &[
                    idx.binding()?,
                    offsets.binding()?,
                    counts.binding_mut()?,
                    perm.binding_mut()?,
                ],
                gpu.grid(groups as u64, 1)?,
            )?;
        }
        Ok(ScatterPlan {
            n,
            m,
            offsets,
            perm,
        })
    }

    /// Number of destinations n.
    pub fn destinations(&self) -> usize {
        self.n
    }

    /// Number of sources m.
    pub fn sources(&self) -> usize {
        self.m
    }

    /// Bucket boundaries, u32 [n + 1]: destination r receives the sources
    /// `perm[offsets[r]..offsets[r + 1]]`; `offsets[n]` counts the sources kept.
    pub fn offsets(&self) -> &Tensor {
        &self.offsets
    }

    /// Source indices grouped by destination, ascending within each bucket, u32 `[m]` (entries
    /// past `offsets[n]` are unused).
    pub fn perm(&self) -> &Tensor {
        &self.perm
    }

    /// out `[n, f]` with `out[r]` = Σ `src[i]` over the sources i of destination r, in ascending i.
    pub fn scatter_add(&self, src: &Tensor) -> Result<Tensor> {
        const OP: &str = "scatter_add_rows";
        src.expect_dtype(OP, DType::F32)?;
        let f = match src.shape() {
            [m, f] if *m == self.m => *f,
            s => {
                return Err(Error::shape(
                    OP,
                    format!("src must be [{}, f] for this plan, got {s:?}", self.m),
                ))
            }
        };
        let n = self.n;
        let v = u32s(OP, &[n, self.m, f])?;
        check_u32_product(OP, &[n, f])?;
        check_u32_product(OP, &[self.m, f])?;
        let gpu = src.gpu();
        let out = Tensor::empty(gpu, &[n, f], DType::F32)?;
        let params = Params {
            a: v[0],
            b: v[1],
            c: v[2],
            ..Params::default()
        };
        gpu.dispatch(
            "scatter_sum",
            &Kernel::new(Shader::Layout, "scatter_sum"),
            &params,
            &[
                src.binding()?,
                self.offsets.binding()?,
                self.perm.binding()?,
                out.binding_mut()?,
            ],
            grid_for(gpu, n * f)?,
        )?;
        Ok(out)
    }
}

/// Deterministic scatter-add of rows: `src` `[m, f]` and `idx` (u32 `[m]`) give out `[n, f]` with
/// `out[r]` = Σ `src[i]` over i with `idx[i]` == r, added in ascending i (so results are bitwise
/// reproducible). Rows with an index >= n are dropped. Builds a [`ScatterPlan`] (a GPU counting
/// sort of `idx`) and applies it; build the plan once to reuse it for fixed indices.
pub fn scatter_add_rows(src: &Tensor, idx: &Tensor, n: usize) -> Result<Tensor> {
    const OP: &str = "scatter_add_rows";
    src.expect_dtype(OP, DType::F32)?;
    idx.expect_dtype(OP, DType::U32)?;
    match (src.shape(), idx.shape()) {
        ([m, _], [k]) if m == k => {}
        (s, i) => {
            return Err(Error::shape(
                OP,
                format!("needs src [m, f] and idx [m], got {s:?} and {i:?}"),
            ))
        }
    }
    ScatterPlan::new(idx, n)?.scatter_add(src)
}
