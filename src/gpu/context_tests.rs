//! Unit tests of the crate-private parts of the device context.

use super::Gpu;
use crate::Tensor;

/// A buffer of the wrong kind handed to the pool never comes back out of it as a tensor's.
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
    assert_eq!(x.to_f32().unwrap(), vec![1.0, -2.0, 3.0]);
}
