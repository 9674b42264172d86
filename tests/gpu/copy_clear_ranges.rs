//! `Gpu::copy` and `Gpu::clear` refuse a range wgpu would refuse (an offset or size that is not
//! a multiple of 4, a range past the buffer's end, a copy within one buffer) with
//! `InvalidInput` before anything is recorded. They used to record it, and the validation error
//! of the submit then stood against the next unrelated read. Good ranges land where asked.
//! Exact comparisons.

use synchgraph::{Error, Gpu, Tensor};

fn refused(r: synchgraph::Result<()>, what: &str, case: &str) {
    match r {
        Err(Error::InvalidInput(m)) => assert!(m.contains(what), "{m}"),
        other => panic!("{case}: {other:?}"),
    }
}

#[test]
fn bad_ranges_are_refused_and_leave_no_standing_error() {
    // A private device: a standing error must not leak into other tests.
    let g = Gpu::open_default().unwrap();
    let a = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let b = Tensor::from_u32(&g, &[4], &[5, 6, 7, 8]).unwrap();
    let (ab, bb) = (a.buffer(), b.buffer());
    let size = bb.size();
    for (so, d, n, case) in [
        (2, 0, 4, "misaligned source"),
        (0, 2, 4, "misaligned destination"),
        (0, 0, 6, "size not whole words"),
        (0, size - 4, 8, "past the destination's end"),
        (ab.size(), 0, 4, "past the source's end"),
        (0, u64::MAX - 3, 4, "overflowing range"),
    ] {
        refused(g.copy(ab, so, bb, d, n), "copy", case);
    }
    refused(
        g.copy(ab, 0, ab, 8, 4),
        "one buffer",
        "copy within one buffer",
    );
    for (o, n, case) in [
        (2, 4, "misaligned"),
        (0, 6, "size not whole words"),
        (size, 4, "past the end"),
    ] {
        refused(g.clear(bb, o, n), "clear", case);
    }
    // Nothing failed on the device: the tensors are unchanged and later reads work.
    assert_eq!(a.to_u32().unwrap(), [1, 2, 3, 4]);
    assert_eq!(b.to_u32().unwrap(), [5, 6, 7, 8]);
    assert!(g.clear_error().is_none());
}

#[test]
fn good_ranges_land_where_asked() {
    let g = Gpu::open_default().unwrap();
    let a = Tensor::from_u32(&g, &[4], &[1, 2, 3, 4]).unwrap();
    let b = Tensor::from_u32(&g, &[4], &[5, 6, 7, 8]).unwrap();
    g.copy(a.buffer(), 4, b.buffer(), 8, 8).unwrap();
    assert_eq!(b.to_u32().unwrap(), [5, 6, 2, 3]);
    g.clear(b.buffer(), 4, 4).unwrap();
    g.copy(a.buffer(), 0, b.buffer(), 0, 0).unwrap();
    assert_eq!(b.to_u32().unwrap(), [5, 0, 2, 3]);
}
