//! Transfers handed a buffer of another device. Two separately opened devices used to live in
//! separate wgpu instances, whose buffer ids overlap: the raw-buffer transfers of one device
//! then took a buffer of the other for the one of its own that shares its id, and read, wrote
//! or cleared that unrelated buffer without a word. Exact comparisons.

use synchgraph::{Error, Gpu, Tensor};

/// Two fresh devices, each with one tensor made the same way (so that, in two instances, the
/// tensors' buffers got the same id).
fn two_devices() -> (Gpu, Tensor, Gpu, Tensor) {
    let a = Gpu::open_default().unwrap();
    let b = Gpu::open_default().unwrap();
    let ta = Tensor::from_f32(&a, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let tb = Tensor::from_f32(&b, &[4], &[5.0, 6.0, 7.0, 8.0]).unwrap();
    a.synchronize().unwrap();
    b.synchronize().unwrap();
    (a, ta, b, tb)
}

#[test]
fn a_foreign_buffer_is_never_taken_for_one_of_this_device() {
    let (a, ta, b, tb) = two_devices();
    let want_a = vec![1.0, 2.0, 3.0, 4.0];
    let want_b = vec![5.0, 6.0, 7.0, 8.0];

    // A read of b's buffer through a: an error, never a's data.
    match a.read_bytes(tb.buffer(), 0, 16) {
        Ok(bytes) => assert_eq!(
            bytemuck::pod_collect_to_vec::<u8, f32>(&bytes),
            want_b,
            "read_bytes of another device's buffer returned this device's data"
        ),
        Err(e) => assert!(matches!(e, Error::Validation { .. }), "{e}"),
    }
    let _ = a.clear_error();

    // A write and a clear of b's buffer through a leave a's tensor alone.
    let written = a.write_bytes(tb.buffer(), 0, bytemuck::cast_slice(&[0.0f32; 4]));
    if let Err(e) = &written {
        assert!(matches!(e, Error::Validation { .. }), "{e}");
    }
    let _ = a.clear(tb.buffer(), 0, 16);
    let _ = a.flush();
    let _ = a.clear_error();
    assert_eq!(ta.to_f32().unwrap(), want_a, "a's tensor was overwritten");

    // A copy between a buffer of each device is no copy within one buffer.
    if let Err(e) = a.copy(ta.buffer(), 0, tb.buffer(), 0, 16) {
        assert!(!e.to_string().contains("one buffer"), "{e}");
    }
    let _ = a.flush();
    let _ = a.clear_error();
    assert_eq!(ta.to_f32().unwrap(), want_a);
    assert!(b.clear_error().is_none());
    assert_eq!(tb.to_f32().unwrap(), want_b, "b's tensor was changed");
}

#[test]
fn a_write_to_a_foreign_buffer_is_refused_at_once() {
    let (a, ta, _b, tb) = two_devices();
    match a.write_bytes(tb.buffer(), 0, &[0; 16]) {
        Err(Error::Validation { context, .. }) => assert!(context.contains("write_bytes")),
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Refused before it reached a batch: nothing stands against the next read.
    assert!(a.clear_error().is_none());
    assert_eq!(ta.to_f32().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
}
