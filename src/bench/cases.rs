//! The memory-bound cases of the engine core: the copy ceiling, elementwise maps, random fill and
//! f16 casts. Byte counts are compulsory traffic: every input read once, every output written once.

use super::case::{count_text, BenchCase, RunFn, Sizes, INPUT_SETS};
use super::measure::Stopwatch;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::kernels::{cast, elementwise as ew, random};
use crate::tensor::Tensor;

/// Columns of the row-broadcast multiply (`b` is a row vector of this length).
pub const BROADCAST_COLS: usize = 1024;

/// `INPUT_SETS` seeded normal tensors of `shape`, seeds starting at `seed`.
pub fn normal_sets(gpu: &Gpu, shape: &[usize], seed: u64) -> Result<Vec<Tensor>> {
    (0..INPUT_SETS)
        .map(|s| random::normal(gpu, shape, 0.0, 1.0, seed + s as u64))
        .collect()
}

/// The bandwidth ceiling: one large `copy_buffer_to_buffer`, counted as bytes read plus written.
pub fn copy_ceiling(sizes: &Sizes) -> BenchCase {
    let n = sizes.copy_bytes;
    let timestamps = sizes.timestamps;
    let mut case = BenchCase::memory(
        "copy",
        "ceiling",
        format!("{} MiB", n >> 20),
        2 * n,
        0,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let srcs = (0..INPUT_SETS)
                .map(|s| gpu.alloc(n, &format!("copy source {s}")))
                .collect::<Result<Vec<_>>>()?;
            let dst = gpu.alloc(n, "copy destination")?;
            let watch = Stopwatch::new(gpu, timestamps);
            let gpu = gpu.clone();
            Ok(Box::new(move |i| {
                let src = &srcs[i % INPUT_SETS];
                let ns = watch.time(&gpu, |enc| enc.copy_buffer_to_buffer(src, 0, &dst, 0, n))?;
                Ok(Some(ns))
            }))
        }),
    );
    case.is_ceiling = true;
    case
}

/// Elementwise add, relu and row-broadcast multiply over `sizes.elements` f32 values.
pub fn elementwise(sizes: &Sizes) -> Vec<BenchCase> {
    let n = sizes.elements;
    let b = n as u64 * 4;
    let size = format!("{} f32", count_text(n));
    let cols = BROADCAST_COLS.min(n);
    let rows = n / cols;
    vec![
        BenchCase::memory(
            "add",
            "elementwise",
            size.clone(),
            3 * b,
            n as u64,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let a = normal_sets(gpu, &[n], 1)?;
                let c = normal_sets(gpu, &[n], 11)?;
                Ok(Box::new(move |i| {
                    let k = i % INPUT_SETS;
                    ew::add(&a[k], &c[k])?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "relu",
            "elementwise",
            size,
            2 * b,
            n as u64,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[n], 21)?;
                Ok(Box::new(move |i| {
                    ew::unary(&x[i % INPUT_SETS], ew::Unary::Relu)?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "mul_broadcast",
            "elementwise",
            format!("{}x{cols} * {cols}", count_text(rows)),
            (2 * rows * cols + cols) as u64 * 4,
            (rows * cols) as u64,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let a = normal_sets(gpu, &[rows, cols], 31)?;
                let v = normal_sets(gpu, &[cols], 41)?;
                Ok(Box::new(move |i| {
                    let k = i % INPUT_SETS;
                    ew::mul(&a[k], &v[k])?;
                    Ok(None)
                }))
            }),
        ),
    ]
}

/// Seeded normal fill (write-only) and f32 <-> f16 casts.
pub fn random_and_cast(sizes: &Sizes) -> Vec<BenchCase> {
    let n = sizes.elements;
    let b = n as u64 * 4;
    let count = count_text(n);
    vec![
        BenchCase::memory(
            "normal_fill",
            "random",
            format!("{count} f32"),
            b,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let gpu = gpu.clone();
                Ok(Box::new(move |i| {
                    random::normal(&gpu, &[n], 0.0, 1.0, i as u64)?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "f32_to_f16",
            "cast",
            format!("{count} f32"),
            b + b / 2,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let x = normal_sets(gpu, &[n], 51)?;
                Ok(Box::new(move |i| {
                    cast::to_f16(&x[i % INPUT_SETS])?;
                    Ok(None)
                }))
            }),
        ),
        BenchCase::memory(
            "f16_to_f32",
            "cast",
            format!("{count} f16"),
            b / 2 + b,
            0,
            Box::new(move |gpu: &Gpu| -> Result<RunFn> {
                let h = normal_sets(gpu, &[n], 61)?
                    .iter()
                    .map(cast::to_f16)
                    .collect::<Result<Vec<_>>>()?;
                Ok(Box::new(move |i| {
                    cast::to_f32(&h[i % INPUT_SETS])?;
                    Ok(None)
                }))
            }),
        ),
    ]
}
