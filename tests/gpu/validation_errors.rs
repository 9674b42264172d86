//! wgpu validation errors come back as typed `Error::Validation` values, never panics; a failed
//! batch's error stands until `Gpu::clear_error`; a lost device or a wait past its bound is an
//! `Error::Device`, never a panic or a hang. Also the device counters and the binding of an
//! empty view these fixes touch. Each test opens its own device so a poisoned batch (or a lost
//! device) cannot affect other tests.

use crate::common;

use std::time::Duration;

use common::{profiled_gpu, record_invalid_dispatch};
use half::f16;
use synchgraph::gpu::{Kernel, Shader};
use synchgraph::kernels::elementwise::scale;
use synchgraph::kernels::matmul::matmul;
use synchgraph::kernels::reduce::{reduce_cols, reduce_rows, ReduceOp};
use synchgraph::{DType, Error, Gpu, Tensor};

#[test]
fn a_missing_entry_point_is_a_validation_error_naming_the_kernel() {
    let gpu = Gpu::open_default().unwrap();
    let t = Tensor::zeros(&gpu, &[4], DType::F32).unwrap();
    let err = gpu
        .dispatch(
            "bogus",
            &Kernel::new(Shader::Elementwise, "no_such_entry"),
            &[4u32; 8],
            &[t.binding().unwrap()],
            [1, 1, 1],
        )
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    assert!(
        err.to_string().contains("elementwise.wgsl::no_such_entry"),
        "{err}"
    );
}

#[test]
fn wrong_bindings_are_reported_at_submit_and_the_device_keeps_working() {
    let gpu = Gpu::open_default().unwrap();
    record_invalid_dispatch(&gpu);
    let err = gpu.flush().unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    // The error stands until acknowledged; then the next batch is fresh and works.
    assert!(gpu.clear_error().is_some());
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    let y = synchgraph::kernels::elementwise::scale(&x, 2.0).unwrap();
    assert_eq!(y.to_f32().unwrap(), vec![2.0, -4.0, 6.0]);
}

#[test]
fn a_failed_batch_fails_every_later_read_until_clear_error() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    record_invalid_dispatch(&gpu);
    // Two results of the same (failing) batch.
    let y = scale(&x, 2.0).unwrap();
    let z = scale(&x, 3.0).unwrap();
    let first = y.to_f32().unwrap_err();
    assert!(matches!(first, Error::Validation { .. }), "{first}");
    // Before the fix the error went to the first caller only, and this read returned stale data.
    let again = z.to_f32().unwrap_err();
    assert!(matches!(again, Error::Validation { .. }), "{again}");
    assert!(again.to_string().contains("clear_error"), "{again}");
    for err in [gpu.synchronize().unwrap_err(), gpu.flush().unwrap_err()] {
        assert!(matches!(err, Error::Validation { .. }), "{err}");
    }
    let cleared = gpu.clear_error().expect("a standing error");
    assert!(matches!(cleared, Error::Validation { .. }), "{cleared}");
    assert!(gpu.clear_error().is_none(), "acknowledged once");
    gpu.synchronize().unwrap();
    assert_eq!(
        scale(&x, 2.0).unwrap().to_f32().unwrap(),
        vec![2.0, -4.0, 6.0]
    );
}

/// Every way of using a lost device returns `Error::Device`.
fn assert_all_device_errors(gpu: &Gpu, recorded: &Tensor) {
    let is_device = |what: &str, r: Result<(), Error>| match r {
        Err(Error::Device(m)) => assert!(m.contains("lost"), "{what}: {m}"),
        other => panic!("{what}: expected Error::Device, got {other:?}"),
    };
    is_device("read", recorded.to_f32().map(drop));
    is_device("synchronize", gpu.synchronize());
    is_device("flush", gpu.flush());
    is_device(
        "new tensor",
        Tensor::from_f32(gpu, &[2], &[1.0, 2.0]).map(drop),
    );
    is_device("zeros", Tensor::zeros(gpu, &[2], DType::F32).map(drop));
    is_device("dispatch", scale(recorded, 2.0).map(drop));
    is_device("write", recorded.write_f32(&[0.0; 3]));
    assert!(gpu.is_lost());
    // Acknowledging errors does not bring a lost device back.
    let _ = gpu.clear_error();
    is_device("read after clear_error", recorded.to_f32().map(drop));
}

#[test]
fn a_lost_device_returns_device_errors_not_panics_or_hangs() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    let y = scale(&x, 2.0).unwrap();
    assert!(!gpu.is_lost());
    gpu.lose_device();
    assert_all_device_errors(&gpu, &y);
}

#[test]
fn a_device_destroyed_outside_the_engine_fails_the_next_read_naming_the_reason() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    let y = scale(&x, 2.0).unwrap();
    // Straight through wgpu: only its device-lost callback tells the engine.
    gpu.device().destroy();
    match y.to_f32() {
        Err(Error::Device(m)) => assert!(m.contains("Destroyed"), "{m}"),
        other => panic!("expected Error::Device, got {other:?}"),
    }
    assert_all_device_errors(&gpu, &y);
}

#[test]
fn a_wait_past_its_bound_is_a_device_error_and_the_device_recovers() {
    let gpu = Gpu::open_default().unwrap();
    assert_eq!(gpu.wait_timeout(), Duration::from_secs(30 * 60));
    let n = 256;
    let a = Tensor::from_f32(&gpu, &[n, n], &vec![0.5; n * n]).unwrap();
    let mut timed_out = None;
    for round in 0..4 {
        // Enough work that the GPU cannot be done a nanosecond after the submit.
        let mut c = a.clone();
        for _ in 0..(4 << round) {
            c = matmul(&c, &a).unwrap();
        }
        gpu.set_wait_timeout(Duration::from_nanos(1));
        let waited = gpu.synchronize();
        gpu.set_wait_timeout(Duration::from_secs(600));
        if let Err(e) = waited {
            timed_out = Some(e);
            break;
        }
    }
    let err = timed_out.expect("no wait timed out at a 1 ns bound");
    match &err {
        Error::Device(m) => assert!(
            m.contains("did not finish") && m.contains("SYNCHGRAPH_WAIT_TIMEOUT_S"),
            "{m}"
        ),
        other => panic!("expected Error::Device, got {other:?}"),
    }
    // A timeout is no failure of the work: with a longer bound everything completes.
    gpu.synchronize().unwrap();
    assert!(gpu.clear_error().is_none());
    let x = Tensor::from_f32(&gpu, &[2], &[1.0, 2.0]).unwrap();
    assert_eq!(scale(&x, 2.0).unwrap().to_f32().unwrap(), vec![2.0, 4.0]);
}

#[test]
fn an_empty_row_view_at_the_end_of_a_full_buffer_binds_and_reduces() {
    let gpu = Gpu::open_default().unwrap();
    let data: Vec<f32> = (0..4 * 64).map(|i| i as f32).collect();
    let x = Tensor::from_f32(&gpu, &[4, 64], &data).unwrap();
    assert_eq!(x.buffer().size(), 1024, "the tensor fills its buffer");
    let empty = x.rows(4, 4).unwrap();
    assert_eq!(empty.byte_offset(), 1024);
    assert_eq!(empty.shape(), &[0, 64]);
    assert_eq!(
        reduce_cols(&empty, ReduceOp::Sum)
            .unwrap()
            .to_f32()
            .unwrap(),
        vec![0.0; 64]
    );
    assert_eq!(
        reduce_cols(&empty, ReduceOp::Max)
            .unwrap()
            .to_f32()
            .unwrap(),
        vec![f32::NEG_INFINITY; 64]
    );
    assert!(reduce_rows(&empty, ReduceOp::Sum)
        .unwrap()
        .to_f32()
        .unwrap()
        .is_empty());
    assert!(empty.binding_mut().is_ok());
    // The batch did not fail: the parent still reads back and the device works on.
    gpu.synchronize().unwrap();
    assert_eq!(x.to_f32().unwrap(), data);
}

#[test]
fn profiled_batches_count_their_timestamp_wait() {
    let gpu = profiled_gpu();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    gpu.synchronize().unwrap();
    let before = gpu.host_waits();
    let y = scale(&x, 2.0).unwrap();
    gpu.flush().unwrap();
    // A timed batch blocks once to read its timestamps back; without TIMESTAMP_QUERY nothing
    // is timed and nothing waits.
    let timed = u64::from(gpu.profiling_available());
    assert_eq!(gpu.host_waits(), before + timed);
    assert_eq!(y.to_f32().unwrap(), vec![2.0, -4.0, 6.0]);
    assert_eq!(gpu.host_waits(), before + timed + 1, "plus one readback");
    let report = gpu.profile_report().unwrap();
    assert_eq!(report.available, gpu.profiling_available());
}

#[test]
fn f16_uploads_count_two_bytes_per_value() {
    let gpu = Gpu::open_default().unwrap();
    let values: Vec<f16> = [1.0f32, -2.5, 3.25]
        .iter()
        .map(|&v| f16::from_f32(v))
        .collect();
    let before = gpu.uploaded_bytes();
    let t = Tensor::from_f16(&gpu, &[3], &values).unwrap();
    assert_eq!(
        gpu.uploaded_bytes(),
        before + 6,
        "three values, not a padded four"
    );
    let u = Tensor::from_f16(&gpu, &[2], &values[..2]).unwrap();
    assert_eq!(gpu.uploaded_bytes(), before + 10);
    assert_eq!(t.to_f16().unwrap(), values);
    assert_eq!(u.to_f16().unwrap(), &values[..2]);
}
