//! Device-layer refusals: a readback range too large to count is a typed error, not a panic.

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
