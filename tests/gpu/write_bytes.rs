//! `Gpu::write_bytes` refuses a misaligned offset or a range past the buffer's end with
//! `InvalidInput`, as `Gpu::read_bytes` does, before anything reaches the queue. Such a write
//! used to return `Ok(())` and hand wgpu an invalid `write_buffer`, whose validation error then
//! stood against the next unrelated read. Exact comparisons.

use synchgraph::{Error, Gpu, Tensor};

#[test]
fn a_bad_write_range_is_refused_and_leaves_no_standing_error() {
    // A private device: a standing error must not leak into other tests.
    let g = Gpu::open_default().unwrap();
    let t = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let size = t.buffer().size();
    let cases: [(u64, &[u8]); 5] = [
        (2, &[1, 2, 3, 4]),
        (size, &[1, 2, 3, 4]),
        (size - 4, &[1, 2, 3, 4, 5, 6, 7, 8]),
        // Five bytes are written as two whole words.
        (size - 4, &[1, 2, 3, 4, 5]),
        (u64::MAX - 3, &[1, 2, 3, 4]),
    ];
    for (offset, data) in cases {
        match g.write_bytes(t.buffer(), offset, data) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("write_bytes"), "{m}"),
            other => panic!("offset {offset}, {} bytes: {other:?}", data.len()),
        }
    }
    // Nothing failed on the device: the tensor is unchanged and later reads work.
    assert_eq!(t.to_u32().unwrap(), [1, 2, 3, 4]);
    let other = Tensor::from_u32(&g, &[2], &[7, 8]).unwrap();
    assert_eq!(other.to_u32().unwrap(), [7, 8]);
    assert!(g.clear_error().is_none());
}

#[test]
fn a_good_write_lands_where_asked() {
    let g = Gpu::open_default().unwrap();
    let t = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    g.write_bytes(t.buffer(), 4, &9u32.to_le_bytes()).unwrap();
    g.write_bytes(t.buffer(), 12, &5u32.to_le_bytes()).unwrap();
    assert_eq!(t.to_u32().unwrap(), [1, 9, 3, 5]);
    // A partial word is padded with zeros, as documented: the rest of that word is cleared.
    g.write_bytes(t.buffer(), 0, &[0x2a]).unwrap();
    assert_eq!(t.to_u32().unwrap(), [0x2a, 9, 3, 5]);
}

/// A refused write names the byte count given, not the whole-word count it is padded to.
#[test]
fn a_refused_write_names_the_size_given() {
    let g = Gpu::open_default().unwrap();
    let t = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let size = t.buffer().size();
    match g.write_bytes(t.buffer(), size - 4, &[1, 2, 3, 4, 5]) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("write_bytes: 5 bytes "), "{m}"),
        other => panic!("{other:?}"),
    }
}
