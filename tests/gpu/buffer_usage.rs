//! `Gpu::copy`, `Gpu::clear`, `Gpu::read_bytes` and `Gpu::write_bytes` refuse a buffer whose
//! usage does not allow the transfer (a copy from a buffer without COPY_SRC, into or over one
//! without COPY_DST) with `InvalidInput` before anything is recorded or written, as they refuse
//! a bad range: wgpu would refuse it only at the submit, and its error would then stand against
//! the next unrelated read.

use synchgraph::{Error, Gpu, Tensor};

fn refused<T: std::fmt::Debug>(r: synchgraph::Result<T>, what: &str, case: &str) {
    match r {
        Err(Error::InvalidInput(m)) => {
            assert!(m.contains(what) && m.contains("usage"), "{case}: {m}")
        }
        other => panic!("{case}: expected InvalidInput, got {other:?}"),
    }
}

fn buffer(gpu: &Gpu, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    gpu.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("caller's buffer"),
        size: 16,
        usage,
        mapped_at_creation: false,
    })
}

#[test]
fn buffers_without_the_transfer_usage_are_refused_and_leave_no_standing_error() {
    // A private device: a standing error must not leak into other tests.
    let g = Gpu::open_default().unwrap();
    let a = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let no_src = buffer(
        &g,
        wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
    );
    let no_dst = buffer(
        &g,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    refused(
        g.copy(&no_src, 0, a.buffer(), 0, 16),
        "copy source",
        "copy from",
    );
    refused(
        g.copy(a.buffer(), 0, &no_dst, 0, 16),
        "copy destination",
        "copy into",
    );
    refused(g.clear(&no_dst, 0, 16), "clear", "clear");
    refused(g.read_bytes(&no_src, 0, 16), "read_bytes", "read");
    refused(g.write_bytes(&no_dst, 0, &[0; 16]), "write_bytes", "write");
    // Nothing failed on the device: the tensor is unchanged and later reads work.
    assert_eq!(a.to_u32().unwrap(), [1, 2, 3, 4]);
    assert!(g.clear_error().is_none());
    // Buffers with the usage still transfer.
    let both = buffer(
        &g,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
    );
    g.copy(a.buffer(), 0, &both, 0, 16).unwrap();
    assert_eq!(
        g.read_bytes(&both, 4, 8).unwrap(),
        [2u32, 3]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<_>>()
    );
}
