//! Dense fp32 matrix products (`shaders/matmul.wgsl`): a tiled, register-blocked GEMM. A
//! workgroup of 256 threads computes a 128x128 output tile (8x8 per thread, K in steps of 8) or,
//! for small outputs, a 64x64 tile (4x4 per thread, K in steps of 16), staging K tiles in
//! workgroup memory with a register prefetch of the next one. Transposed operands are read in
//! place (no transpose pass). Small outputs with a long K are split along K into slices summed
//! afterwards in a fixed order (see [`KSplit`]), so they still fill the GPU. On a CPU adapter
//! (lavapipe) a barrier-free variant reads straight from global memory instead
//! ([`GemmTile::Direct`]). Outputs taller than the grid's y limit of tiles, or wider than its x
//! limit, continue in further z layers, so any output whose layers fit the z limit works.

use bytemuck::{Pod, Zeroable};

use super::reduce::{reduce_cols, ReduceOp};
use super::{check_u32, check_u32_product};
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Output tile of one workgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GemmTile {
    /// 128x128 when that still gives at least [`WIDE_MIN_TILES`] workgroups, else 64x64;
    /// [`GemmTile::Direct`] on a CPU adapter.
    Auto,
    /// 64x64 tiles, 4x4 outputs per thread.
    T64,
    /// 128x128 tiles, 8x8 outputs per thread.
    T128,
    /// 32x32 tiles of 64 threads, 4x4 outputs per thread read straight from global memory
    /// (no workgroup memory, no barriers): what [`GemmTile::Auto`] picks on a CPU adapter.
    Direct,
}

/// Fewest 128x128 tiles for which [`GemmTile::Auto`] picks them (enough workgroups to keep a
/// large GPU busy); smaller outputs use 64x64 tiles for four times the parallelism.
pub const WIDE_MIN_TILES: usize = 256;

/// How the K dimension of a product is shared among workgroups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KSplit {
    /// Split when the output has fewer than [`SPLIT_TARGET_GROUPS`] tiles and K is long (see
    /// [`auto_k_slices`]).
    Auto,
    /// Never split: one workgroup per output tile runs the whole K.
    Off,
    /// At most this many K slices (fewer when K is short); each is a multiple of 16 long.
    Slices(usize),
}

/// Workgroups that [`KSplit::Auto`] aims for when an output has fewer tiles.
pub const SPLIT_TARGET_GROUPS: usize = 256;
/// Shortest K slice [`KSplit::Auto`] makes, so each workgroup still runs 16 K steps.
pub const SPLIT_MIN_K: usize = 256;
/// Most K slices of one product.
pub const MAX_K_SLICES: usize = 64;
/// Most partial-product elements (slices × m × n) a split may allocate: 16 MiB of f32.
const MAX_PARTIAL_ELEMENTS: usize = 1 << 22;
/// K slices are a multiple of this (the K step of either tile, so no step straddles two).
const K_SLICE_ALIGN: usize = 16;

/// K slices [`KSplit::Auto`] gives an output of `tiles` workgroup tiles and `m × n` elements
/// with inner dimension `k`: enough to reach [`SPLIT_TARGET_GROUPS`] workgroups, none shorter
/// than [`SPLIT_MIN_K`], at most [`MAX_K_SLICES`]; 1 means no split.
pub fn auto_k_slices(tiles: usize, m: usize, n: usize, k: usize) -> usize {
    if tiles == 0 || tiles >= SPLIT_TARGET_GROUPS {
        return 1;
    }
    (SPLIT_TARGET_GROUPS / tiles)
        .min(k / SPLIT_MIN_K)
        .min(MAX_K_SLICES)
        .min(MAX_PARTIAL_ELEMENTS / (m * n).max(1))
        .max(1)
}

/// (slice length, slices) covering `k` with at most `want` slices of a multiple of 16.
fn k_slices(k: usize, want: usize) -> (usize, usize) {
    if want <= 1 || k == 0 {
        return (k, 1);
    }
    let chunk = k.div_ceil(want).next_multiple_of(K_SLICE_ALIGN);
    (chunk, k.div_ceil(chunk))
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    m: u32,
    n: u32,
    k: u32,
    kchunk: u32,
    slices: u32,
    rows_per_z: u32,
    cols_per_x: u32,
    col_chunks: u32,
}

/// Floating-point operations of an (m x k) · (k x n) product: 2mkn.
pub fn matmul_flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

fn dims2(op: &str, what: &str, t: &Tensor) -> Result<(usize, usize)> {
    t.expect_dtype(op, DType::F32)?;
    match t.shape() {
        [r, c] => Ok((*r, *c)),
        s => Err(Error::shape(
            op,
            format!("{what} must be a 2-D matrix, got shape {s:?}"),
        )),
    }
}

/// General product op(A) · op(B) with a chosen tile: op(A) is A, or Aᵀ for A stored [k, m] when
/// `trans_a`; op(B) is B, or Bᵀ for B stored [n, k] when `trans_b`. Returns [m, n]. K is split
/// as [`KSplit::Auto`] decides.
pub fn gemm(
    a: &Tensor,
    b: &Tensor,
    trans_a: bool,
    trans_b: bool,
    tile: GemmTile,
) -> Result<Tensor> {
    gemm_split(a, b, trans_a, trans_b, tile, KSplit::Auto)
}

/// [`gemm`] with a chosen split of K. A split writes `slices` partial products and sums them
/// in a fixed order ([`reduce_cols`]: strided lanes, then a tree; not slice by slice), so
/// results are deterministic (they differ from an unsplit product only by the order of the
/// fp32 additions).
pub fn gemm_split(
    a: &Tensor,
    b: &Tensor,
    trans_a: bool,
    trans_b: bool,
    tile: GemmTile,
    split: KSplit,
) -> Result<Tensor> {
    let op = match (trans_a, trans_b) {
        (false, false) => "matmul",
        (true, false) => "matmul_tn",
        (false, true) => "matmul_nt",
        (true, true) => "matmul_tt",
    };
    let (ar, ac) = dims2(op, "a", a)?;
    let (br, bc) = dims2(op, "b", b)?;
    let (m, ka) = if trans_a { (ac, ar) } else { (ar, ac) };
    let (kb, n) = if trans_b { (bc, br) } else { (br, bc) };
    if ka != kb {
        return Err(Error::shape(
            op,
            format!(
                "inner dimensions differ: a {:?} and b {:?} give k = {ka} and {kb}",
                a.shape(),
                b.shape()
            ),
        ));
    }
    // Checked here too: an empty product records no dispatch, where the check would run.
    a.gpu().check_same_device(op, "b", b.gpu())?;
    let k = ka;
    for dims in [[m, k], [k, n], [m, n]] {
        check_u32_product(op, &dims)?;
    }
    let gpu = a.gpu();
    if m == 0 || n == 0 {
        // Nothing to compute, whatever the other dimension (an empty operand may be [2^40, 0]).
        return Tensor::empty(gpu, &[m, n], DType::F32);
    }
    let tile = match tile {
        GemmTile::Auto if gpu.info().adapter.software => GemmTile::Direct,
        GemmTile::Auto if m.div_ceil(128) * n.div_ceil(128) >= WIDE_MIN_TILES => GemmTile::T128,
        GemmTile::Auto => GemmTile::T64,
        t => t,
    };
    let side = match tile {
        GemmTile::T128 => 128,
        GemmTile::Direct => 32,
        _ => 64,
    };
    let groups_m = m.div_ceil(side);
    let groups_n = n.div_ceil(side);
    let max = gpu.limits().max_compute_workgroups_per_dimension as usize;
    // Tile rows beyond the grid's y limit and tile columns beyond its x limit go to further z
    // layers (row chunks x column chunks).
    let rows_per_z = groups_m.clamp(1, max);
    let row_chunks = groups_m.div_ceil(rows_per_z).max(1);
    let cols_per_x = groups_n.clamp(1, max);
    let col_chunks = groups_n.div_ceil(cols_per_x).max(1);
    let layers = row_chunks.saturating_mul(col_chunks);
    let want = match split {
        KSplit::Off => 1,
        KSplit::Slices(s) => s,
        KSplit::Auto => auto_k_slices(groups_m * groups_n, m, n, k),
    };
    let (kchunk, slices) = k_slices(k, want.min(max / layers).max(1));
    if layers.saturating_mul(slices) > max {
        return Err(Error::shape(
            op,
            format!("a {m}x{n} output needs more than {max} layers of {side}x{side} tiles"),
        ));
    }
    if slices > 1 {
        check_u32(op, slices * m * n)?;
    }
    let out = Tensor::empty(gpu, &[slices, m, n], DType::F32)?;
    let params = Params {
        m: m as u32,
        n: n as u32,
        k: k as u32,
        kchunk: kchunk as u32,
        slices: slices as u32,
        rows_per_z: rows_per_z as u32,
        cols_per_x: cols_per_x as u32,
        col_chunks: col_chunks as u32,
    };
    let kernel = match tile {
        GemmTile::Direct => Kernel::new(Shader::Matmul, "gemm_direct"),
        t => Kernel::new(Shader::Matmul, "gemm")
            .with("WIDE", f64::from(u8::from(t == GemmTile::T128))),
    }
    .with("TRANS_A", f64::from(u8::from(trans_a)))
    .with("TRANS_B", f64::from(u8::from(trans_b)));
    gpu.dispatch(
        op,
        &kernel,
        &params,
        &[a.binding()?, b.binding()?, out.binding_mut()?],
        [
            cols_per_x.min(groups_n) as u32,
            rows_per_z.min(groups_m) as u32,
            (layers * slices) as u32,
        ],
    )?;
    if slices == 1 {
        return out.reshape(&[m, n]);
    }
    reduce_cols(&out.reshape(&[slices, m * n])?, ReduceOp::Sum)?.reshape(&[m, n])
}

/// A · B for A [m, k] and B [k, n]; returns [m, n]. Any sizes, including 0 (k = 0 gives zeros).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm(a, b, false, false, GemmTile::Auto)
}

/// Aᵀ · B for A stored [k, m] and B [k, n]; returns [m, n].
pub fn matmul_tn(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm(a, b, true, false, GemmTile::Auto)
}

/// A · Bᵀ for A [m, k] and B stored [n, k]; returns [m, n].
pub fn matmul_nt(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    gemm(a, b, false, true, GemmTile::Auto)
}
