//! Device-layer refusals: a readback range too large to count is a typed error, not a panic, and
//! a buffer of the wrong kind handed to the pool never comes back out of it as a tensor's.

use synchgraph::kernels::elementwise::scale;
use synchgraph::{Error, Gpu, Tensor};

#[test]
fn a_readback_range_too_large_to_count_is_refused_not_a_panic() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    for bytes in [u64::MAX, u64::MAX - 2] {
        match gpu.read_bytes(x.buffer(), 0, bytes) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("read_bytes"), "{m}"),
            other => panic!("{bytes} bytes: expected InvalidInput, got {other:?}"),
        }
    }
    assert!(gpu.clear_error().is_none());
    assert_eq!(x.to_f32().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn a_buffer_that_is_no_storage_buffer_is_not_pooled() {
    let gpu = Gpu::open_default().unwrap();
    // A readback buffer of a bucket size the pool hands out for 3 to 4 values.
    let foreign = gpu.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("map buffer"),
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    gpu.release(foreign.clone());
    gpu.flush().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    assert!(
        x.buffer() != &foreign,
        "the pool handed out a MAP_READ buffer"
    );
    assert_eq!(
        scale(&x, 2.0).unwrap().to_f32().unwrap(),
        vec![2.0, -4.0, 6.0]
    );
}
