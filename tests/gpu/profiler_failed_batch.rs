//! Timestamp profiling of a batch that failed validation: wgpu runs none of its dispatches, so
//! its query slots still hold the previous batch's timestamps. The profiler must not credit
//! those stale times to the failed batch's kernels. Exact counts, no tolerance.

use crate::common;

use common::{profiled_gpu, record_invalid_dispatch};
use synchgraph::kernels::elementwise::{affine, scale};
use synchgraph::Tensor;

#[test]
fn a_failed_batch_adds_no_timestamps_to_the_profile() {
    // A private device: the batch and the profile must be this test's alone.
    let gpu = profiled_gpu();
    assert!(
        gpu.profiling_available(),
        "the test adapter (lavapipe) has TIMESTAMP_QUERY"
    );
    let x = Tensor::from_f32(&gpu, &[1024], &[1.0; 1024]).unwrap();
    // A good batch: its timestamps land in the query set, then in the report.
    let y = affine(&x, 2.0, 1.0).unwrap();
    assert_eq!(y.to_f32().unwrap()[0], 3.0);
    let good = gpu.profile_report().unwrap();
    assert!(good.rows.iter().any(|r| r.name == "affine"), "{good}");

    // A failed batch: `binary` bound with one buffer of three is invalid, so wgpu refuses the
    // whole submit and `scale` does not run either.
    record_invalid_dispatch(&gpu);
    let _z = scale(&x, 3.0).unwrap();
    assert!(gpu.flush().is_err(), "the batch fails validation");
    assert!(gpu.clear_error().is_some());
    let after = gpu.profile_report().unwrap();
    assert!(
        after.rows.is_empty(),
        "nothing ran, so nothing is timed; got:\n{after}"
    );

    // The profiler keeps working for the next good batch.
    let w = affine(&x, 1.0, 1.0).unwrap();
    assert_eq!(w.to_f32().unwrap()[0], 2.0);
    let next = gpu.profile_report().unwrap();
    assert_eq!(next.rows.len(), 1, "{next}");
    assert_eq!(next.rows[0].name, "affine");
    assert_eq!(next.rows[0].dispatches, 1);
}

#[test]
fn switching_profiling_back_on_starts_a_fresh_report() {
    let gpu = profiled_gpu();
    let x = Tensor::from_f32(&gpu, &[256], &[1.0; 256]).unwrap();
    // Timed while on, then switched off before any report: those samples belong to a span
    // that ended.
    let _ = affine(&x, 2.0, 1.0).unwrap().to_f32().unwrap();
    gpu.set_profiling(false).unwrap();
    gpu.set_profiling(true).unwrap();
    let _ = scale(&x, 3.0).unwrap().to_f32().unwrap();
    let _ = scale(&x, 4.0).unwrap().to_f32().unwrap();
    let r = gpu.profile_report().unwrap();
    assert!(r.available);
    assert_eq!(r.rows.len(), 1, "{r}");
    let row = &r.rows[0];
    // `scale` runs the affine kernel: two dispatches of it since profiling came back on.
    assert_eq!((row.name.as_str(), row.dispatches), ("affine", 2));
    // With two dispatches the median is their mean: total / 2 (ms -> us).
    let mean_us = row.total_ms * 1e3 / 2.0;
    assert!(
        (row.median_us - mean_us).abs() <= 1e-9 * mean_us.max(1.0),
        "median {} us of two dispatches is not their mean {} us",
        row.median_us,
        mean_us
    );
}
