//! Adam with `eps = 0` (allowed: eps must be finite and >= 0) leaves an entry whose gradient has
//! always been exactly zero where it is, instead of computing 0 / 0 and turning it into NaN,
//! and still moves the entries that have a gradient by the usual first step, lr · sign(g).

use crate::common;

use common::gpu;
use synchgraph::autodiff::optim::Adam;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::Tensor;

/// Entries with a zero gradient stay bit-identical over several steps; the others move by
/// exactly lr per step at step 1 (|m̂| / sqrt(v̂) = 1 for a constant gradient), within 1e-6.
#[test]
fn a_zero_gradient_entry_stays_finite_with_zero_eps() {
    let g = gpu();
    let mut store = ParamStore::new();
    let start = [0.5f32, -1.0, 2.0, 3.0];
    let id = store.add("w", Tensor::from_f32(&g, &[4], &start).unwrap(), 0.0);
    // Gradient of Σ w ⊙ mask: ones where the mask is 1, exactly zero elsewhere.
    let mask = Tensor::from_f32(&g, &[4], &[1.0, 0.0, 1.0, 0.0]).unwrap();
    let mut adam = Adam::new(0.01);
    adam.eps = 0.0;
    for step in 1..=3 {
        store.zero_grad();
        let mut tape = Tape::new(&g, true, 0);
        let w = tape.param(&store, id);
        let m = tape.constant(&mask);
        let masked = tape.mul(&w, &m).unwrap();
        let loss = tape.sum_all(&masked).unwrap();
        tape.backward(&loss, &mut store).unwrap();
        adam.step(&mut store).unwrap();
        let got = store.value(id).to_f32().unwrap();
        assert!(got.iter().all(|v| v.is_finite()), "step {step}: {got:?}");
        assert_eq!(got[1].to_bits(), start[1].to_bits(), "step {step}");
        assert_eq!(got[3].to_bits(), start[3].to_bits(), "step {step}");
        for k in [0, 2] {
            let want = start[k] - 0.01 * step as f32;
            assert!((got[k] - want).abs() <= 1e-6, "step {step}: {got:?}");
        }
    }
}
