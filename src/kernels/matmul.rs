//! Dense fp32 matrix products (`shaders/matmul.wgsl`): a tiled, register-blocked GEMM. A
//! workgroup of 256 threads computes a 128x128 output tile (8x8 per thread, K in steps of 8) or,
//! for small outputs, a 64x64 tile (4x4 per thread, K in steps of 16), staging K tiles in
//! workgroup memory with a register prefetch of the next one. Transposed operands are read in
//! place (no transpose pass).

use bytemuck::{Pod, Zeroable};

use super::check_u32;
use crate::error::{Error, Result};
use crate::gpu::{Kernel, Shader};
use crate::tensor::{DType, Tensor};

/// Output tile of one workgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GemmTile {
    /// 128x128 when that still gives at least [`WIDE_MIN_TILES`] workgroups, else 64x64.
    Auto,
    /// 64x64 tiles, 4x4 outputs per thread.
    T64,
    /// 128x128 tiles, 8x8 outputs per thread.
    T128,
}

/// Fewest 128x128 tiles for which [`GemmTile::Auto`] picks them (enough workgroups to keep a
/// large GPU busy); smaller outputs use 64x64 tiles for four times the parallelism.
pub const WIDE_MIN_TILES: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    m: u32,
    n: u32,
    k: u32,
    pad: u32,
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
/// `trans_a`; op(B) is B, or Bᵀ for B stored [n, k] when `trans_b`. Returns [m, n].
pub fn gemm(
    a: &Tensor,
    b: &Tensor,
    trans_a: bool,
    trans_b: bool,
    tile: GemmTile,
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
    let k = ka;
    for count in [m * k, k * n, m * n] {
        check_u32(op, count)?;
    }
    let gpu = a.gpu();
    let out = Tensor::empty(gpu, &[m, n], DType::F32)?;
    let wide = match tile {
        GemmTile::T64 => false,
        GemmTile::T128 => true,
        GemmTile::Auto => m.div_ceil(128) * n.div_ceil(128) >= WIDE_MIN_TILES,
    };
    let side = if wide { 128 } else { 64 };
    let groups_m = m.div_ceil(side);
    let groups_n = n.div_ceil(side);
    let max = gpu.limits().max_compute_workgroups_per_dimension as usize;
    if groups_m > max || groups_n > max {
        return Err(Error::shape(
            op,
            format!("a {m}x{n} output needs more than {max} tiles of {side} along one side"),
        ));
    }
    let params = Params {
        m: m as u32,
        n: n as u32,
        k: k as u32,
        pad: 0,
    };
    let kernel = Kernel::new(Shader::Matmul, "gemm")
        .with("TRANS_A", f64::from(u8::from(trans_a)))
        .with("TRANS_B", f64::from(u8::from(trans_b)))
        .with("WIDE", f64::from(u8::from(wide)));
    gpu.dispatch(
        op,
        &kernel,
        &params,
        &[a.binding()?, b.binding()?, out.binding()?],
        [groups_n as u32, groups_m as u32, 1],
    )?;
    Ok(out)
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
