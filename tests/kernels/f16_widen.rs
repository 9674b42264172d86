//! `cast::to_f32` over every f16 bit pattern: each one widens exactly as the `half` crate does
//! (zeros keep their sign, subnormals are not flushed, infinities stay infinite, NaN stays NaN).

use crate::common::*;
use half::f16;
use synchgraph::kernels::cast;
use synchgraph::Tensor;

/// All 65,536 f16 values widen to `half`'s f32 bit for bit (NaN to a NaN, payload aside).
#[test]
fn every_f16_bit_pattern_widens_exactly() {
    let gpu = gpu();
    let h: Vec<f16> = (0..=u16::MAX).map(f16::from_bits).collect();
    let t = Tensor::from_f16(&gpu, &[h.len()], &h).unwrap();
    let got = cast::to_f32(&t).unwrap().to_f32().unwrap();
    assert_eq!(got.len(), h.len());
    for (g, w) in got.iter().zip(&h) {
        let want = w.to_f32();
        let ok = if want.is_nan() {
            g.is_nan()
        } else {
            g.to_bits() == want.to_bits()
        };
        assert!(
            ok,
            "f16 {:#06x} ({want:e}): got {g:e} ({:#010x}), want {:#010x}",
            w.to_bits(),
            g.to_bits(),
            want.to_bits()
        );
    }
}
