//! An upload whose shape has more elements than a `usize` counts is refused as too large, like
//! `Tensor::empty` of that shape, not as a length mismatch against a made-up element count.

use half::f16;
use synchgraph::{Error, Tensor};

use crate::common::gpu;

/// Each upload of an overflowing shape is `Error::TooLarge` naming the shape.
#[test]
fn an_upload_of_an_overflowing_shape_is_too_large_not_a_length_mismatch() {
    let g = gpu();
    let huge = [1usize << 62, 4];
    let results = [
        ("from_f32", Tensor::from_f32(&g, &huge, &[]).map(drop)),
        ("from_u32", Tensor::from_u32(&g, &huge, &[1, 2]).map(drop)),
        ("from_i32", Tensor::from_i32(&g, &huge, &[-1]).map(drop)),
        (
            "from_f16",
            Tensor::from_f16(&g, &huge, &[f16::ONE]).map(drop),
        ),
    ];
    for (op, r) in results {
        match r {
            Err(Error::TooLarge { what, .. }) => {
                assert!(what.contains(&format!("{huge:?}")), "{op}: {what}")
            }
            other => panic!("{op}: expected TooLarge, got {other:?}"),
        }
    }
}
