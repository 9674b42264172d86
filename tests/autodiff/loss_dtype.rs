//! Gradients are f32: a loss of another dtype (a u32 parameter used as the loss, say) is an
//! error, rather than an f32 gradient stored for a u32 parameter, which an optimizer step then
//! writes into the integer buffer as float bits.

use crate::common;

use common::gpu;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::{Error, Tensor};

#[test]
fn backward_refuses_a_loss_that_is_not_f32() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", Tensor::from_u32(&g, &[1], &[7]).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let e = tape.backward(&wv, &mut store).unwrap_err();
    assert!(matches!(e, Error::DType { .. }), "{e}");
    assert!(e.to_string().contains("backward"), "{e}");
    assert!(store.grad(w).is_none(), "no gradient stored");
}
