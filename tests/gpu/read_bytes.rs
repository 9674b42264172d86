//! `Gpu::read_bytes` refuses a misaligned offset or a range past the buffer's end with
//! `InvalidInput` before recording anything; such a copy used to be recorded into the shared
//! batch, fail it, and leave a standing error for the next unrelated call.
use crate::common;

use common::gpu;
use synchgraph::{Error, Tensor};

#[test]
fn a_bad_readback_range_is_refused_and_leaves_no_standing_error() {
    let g = gpu();
    let t = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let size = t.buffer().size();
    for (offset, bytes) in [(2, 4), (size, 4), (size - 4, 8), (u64::MAX - 3, 8)] {
        match g.read_bytes(t.buffer(), offset, bytes) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("read_bytes"), "{m}"),
            other => panic!("offset {offset}, {bytes} bytes: {other:?}"),
        }
    }
    // Nothing failed on the device: the next readbacks work.
    assert_eq!(t.to_u32().unwrap(), [1, 2, 3, 4]);
    let b = g.read_bytes(t.buffer(), 4, 3).unwrap();
    assert_eq!(b, [2, 0, 0]);
}

/// A refused readback names the byte count asked for, not the whole-word count it was rounded
/// up to (the caller never asked for 20 bytes, or for u64::MAX).
#[test]
fn a_refused_readback_names_the_size_asked_for() {
    let g = gpu();
    let t = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let size = t.buffer().size();
    for bytes in [size + 1, u64::MAX - 2] {
        match g.read_bytes(t.buffer(), 0, bytes) {
            Err(Error::InvalidInput(m)) => {
                assert!(m.contains(&format!("read_bytes: {bytes} bytes ")), "{m}")
            }
            other => panic!("{bytes} bytes: {other:?}"),
        }
    }
}
