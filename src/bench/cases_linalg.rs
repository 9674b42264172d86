//! Matmul (the compute ceiling), reductions and softmax cases.
//!
//! FLOP counts: a matmul is 2mkn; a sum reduction one add per input element; softmax counts 5 per
//! element (max, subtract, exp, sum, divide) and cross-entropy 6 (softmax plus the gradient's
//! subtract). Bytes are compulsory traffic: inputs read once, outputs written once.

use super::case::{count_text, BenchCase, RunFn, Sizes, INPUT_SETS};
use super::cases::normal_sets;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::kernels::matmul::{matmul, matmul_flops, matmul_nt, matmul_tn};
use crate::kernels::reduce::{reduce_cols, reduce_rows, ReduceOp};
use crate::kernels::softmax::{softmax_cross_entropy, softmax_rows};
use crate::tensor::Tensor;

/// Row length of the reduction and softmax workloads.
pub const ROW_LEN: usize = 1024;

/// Square matmuls at every size of `sizes.matmul`, as A·B, Aᵀ·B and A·Bᵀ.
pub fn matmuls(sizes: &Sizes) -> Vec<BenchCase> {
    let mut cases = Vec::new();
    for &s in sizes.matmul {
        type Product = fn(&Tensor, &Tensor) -> Result<Tensor>;
        let variants: [(&str, Product); 3] = [
            ("matmul_nn", matmul),
            ("matmul_tn", matmul_tn),
            ("matmul_nt", matmul_nt),
        ];
        for (name, product) in variants {
            cases.push(BenchCase::compute(
                name,
                "matmul",
                format!("{s}x{s}x{s}"),
                3 * (s * s) as u64 * 4,
                matmul_flops(s, s, s) as u64,
                Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                    let a = normal_sets(gpu, &[s, s], 71)?;
                    let b = normal_sets(gpu, &[s, s], 81)?;
                    Ok(Box::new(move |i| {
                        let k = i % INPUT_SETS;
                        product(&a[k], &b[k])?;
                        Ok(None)
                    }))
                }),
            ));
        }
    }
    cases
}

/// Gradient-shaped products Aᵀ·B (A stored [k, m]): a small output over a long K, the shape
/// the split-K path is for. `(name, m, k, n)` at full size: L-GrIN's adjacency gradient
/// (90 nodes, K = 128 graphs x 520 features) and the weight gradient of its second layer's G1
/// MLP (328 -> 114 over K = 90 nodes x 128 graphs); `--quick`: the same at 40 nodes, 32 graphs
/// and 32 input features.
pub fn gradient_shapes(quick: bool) -> [(&'static str, usize, usize, usize); 2] {
    if quick {
        [
            ("matmul_tn_adjacency_grad", 40, 32 * 224, 40),
            ("matmul_tn_weight_grad", 224, 40 * 32, 88),
        ]
    } else {
        [
            ("matmul_tn_adjacency_grad", 90, 128 * 520, 90),
            ("matmul_tn_weight_grad", 328, 90 * 128, 114),
        ]
    }
}

/// The [`gradient_shapes`] products, timed like the square ones.
pub fn gradient_matmuls(sizes: &Sizes) -> Vec<BenchCase> {
    gradient_shapes(sizes.quick)
        .into_iter()
        .map(|(name, m, k, n)| {
            BenchCase::compute(
                name,
                "matmul",
                format!("{m}x{k}x{n}"),
                4 * (m * k + k * n + m * n) as u64,
                matmul_flops(m, k, n) as u64,
                Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                    let a = normal_sets(gpu, &[k, m], 73)?;
                    let b = normal_sets(gpu, &[k, n], 83)?;
                    Ok(Box::new(move |i| {
                        let s = i % INPUT_SETS;
                        matmul_tn(&a[s], &b[s])?;
                        Ok(None)
                    }))
                }),
            )
        })
        .collect()
}

/// Row and column sums, row softmax and softmax cross-entropy over [elements / 1024, 1024].
pub fn reductions(sizes: &Sizes) -> Vec<BenchCase> {
    let cols = ROW_LEN.min(sizes.elements);
    let rows = sizes.elements / cols;
    let n = (rows * cols) as u64;
    let size = format!("{}x{cols}", count_text(rows));
    let unary = |name: &'static str,
                 family: &'static str,
                 bytes: u64,
                 flops: u64,
                 f: fn(&Tensor) -> Result<()>| {
        BenchCase::memory(
            name,
            family,
            size.clone(),
            bytes,
            flops,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[rows, cols], 91)?;
                Ok(Box::new(move |i| {
                    f(&x[i % INPUT_SETS])?;
                    Ok(None)
                }))
            }),
        )
    };
    let mut cases = vec![
        unary("reduce_rows", "reduce", 4 * (n + rows as u64), n, |x| {
            reduce_rows(x, ReduceOp::Sum).map(drop)
        }),
        unary("reduce_cols", "reduce", 4 * (n + cols as u64), n, |x| {
            reduce_cols(x, ReduceOp::Sum).map(drop)
        }),
        unary("softmax_rows", "softmax", 8 * n, 5 * n, |x| {
            softmax_rows(x).map(drop)
        }),
    ];
    cases.push(BenchCase::memory(
        "softmax_xent",
        "softmax",
        size,
        8 * n + 4 * rows as u64,
        6 * n,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let x = normal_sets(gpu, &[rows, cols], 101)?;
            let labels: Vec<u32> = (0..rows).map(|r| (r * 7919 % cols) as u32).collect();
            let labels = Tensor::from_u32(gpu, &[rows], &labels)?;
            Ok(Box::new(move |i| {
                softmax_cross_entropy(&x[i % INPUT_SETS], &labels, None)?;
                Ok(None)
            }))
        }),
    ));
    cases
}
