//! Data-movement cases: segment pooling, transpose, row gather, deterministic scatter-add and
//! column concatenation, over rows of [`FEATURES`] f32 values. Bytes are compulsory traffic:
//! inputs (values and indices) read once, outputs written once.

use super::case::{count_text, BenchCase, RunFn, Sizes, INPUT_SETS};
use super::cases::normal_sets;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::kernels::layout::{concat_cols, gather_rows, scatter_add_rows, transpose, ScatterPlan};
use crate::kernels::reduce::ReduceOp;
use crate::kernels::segment::segment_reduce;
use crate::tensor::Tensor;

/// Features per row of the gather, scatter and segment workloads.
pub const FEATURES: usize = 64;
/// Rows per segment of the segment-pooling workload (like graphs of 32 nodes).
pub const SEGMENT_ROWS: usize = 32;
/// Source rows per destination row of the scatter-add workload (mean in-degree).
pub const SCATTER_FAN_IN: usize = 8;

/// `count` pseudo-random indices below `below` (SplitMix64, fixed seed).
pub fn random_indices(count: usize, below: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % below.max(1) as u64) as u32
        })
        .collect()
}

/// The layout and pooling cases.
pub fn layout(sizes: &Sizes) -> Vec<BenchCase> {
    let rows = (sizes.elements / FEATURES).max(1);
    let n = (rows * FEATURES) as u64;
    let size = format!("{}x{FEATURES}", count_text(rows));
    let segments = rows.div_ceil(SEGMENT_ROWS);
    let dests = rows.div_ceil(SCATTER_FAN_IN);
    let tcols = 1024.min(sizes.elements);
    let trows = sizes.elements / tcols;
    vec![
        BenchCase::memory(
            "segment_sum",
            "segment",
            format!("{size} / {} segs", count_text(segments)),
            4 * (n + segments as u64 * (FEATURES as u64 + 1) + 1),
            n,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[rows, FEATURES], 111)?;
                let offsets: Vec<u32> = (0..=segments)
                    .map(|s| (s * SEGMENT_ROWS).min(rows) as u32)
                    .collect();
                let offsets = Tensor::from_u32(gpu, &[segments + 1], &offsets)?;
                Ok(Box::new(move |i| {
                    segment_reduce(&x[i % INPUT_SETS], &offsets, ReduceOp::Sum)?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "transpose",
            "layout",
            format!("{}x{tcols}", count_text(trows)),
            8 * (trows * tcols) as u64,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[trows, tcols], 121)?;
                Ok(Box::new(move |i| {
                    transpose(&x[i % INPUT_SETS])?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "gather_rows",
            "layout",
            size.clone(),
            8 * n + 4 * rows as u64,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[rows, FEATURES], 131)?;
                let idx = Tensor::from_u32(gpu, &[rows], &random_indices(rows, rows, 7))?;
                Ok(Box::new(move |i| {
                    gather_rows(&x[i % INPUT_SETS], &idx)?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "scatter_add_rows",
            "layout",
            format!("{size} -> {}", count_text(dests)),
            4 * (n + rows as u64 + (dests * FEATURES) as u64),
            n,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let src = normal_sets(gpu, &[rows, FEATURES], 141)?;
                let idx = Tensor::from_u32(gpu, &[rows], &random_indices(rows, dests, 11))?;
                Ok(Box::new(move |i| {
                    scatter_add_rows(&src[i % INPUT_SETS], &idx, dests)?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "scatter_add_planned",
            "layout",
            format!("{size} -> {}", count_text(dests)),
            4 * (n + rows as u64 + (dests + 1) as u64 + (dests * FEATURES) as u64),
            n,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let src = normal_sets(gpu, &[rows, FEATURES], 143)?;
                let idx = Tensor::from_u32(gpu, &[rows], &random_indices(rows, dests, 13))?;
                // The plan (a counting sort of the indices) is built once, as for a fixed
                // graph; the row times only the summation it drives.
                let plan = ScatterPlan::new(&idx, dests)?;
                Ok(Box::new(move |i| {
                    plan.scatter_add(&src[i % INPUT_SETS])?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "concat_cols",
            "layout",
            format!("2 x {}x{}", count_text(rows), FEATURES / 2),
            8 * n,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let a = normal_sets(gpu, &[rows, FEATURES / 2], 151)?;
                let b = normal_sets(gpu, &[rows, FEATURES / 2], 161)?;
                Ok(Box::new(move |i| {
                    let k = i % INPUT_SETS;
                    concat_cols(&[&a[k], &b[k]])?;
                    Ok(None)
                }))
            }),
        ),
    ]
}
