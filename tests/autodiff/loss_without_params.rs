//! A loss that depends on no parameter (built from constants only, as when a trainable tensor
//! was recorded with `Tape::constant` instead of `Tape::param`) gives no gradient to any
//! parameter: backward refuses it, naming the mistake, rather than returning Ok and leaving
//! every optimizer step a silent no-op.

use crate::common;

use common::gpu;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::{Error, Tensor};

/// backward from a loss computed from a parameter's value recorded as a constant is an
/// `InvalidInput` naming `Tape::param`; the store gets no gradient and the tape can still run
/// its backward pass from a loss that does depend on a parameter.
#[test]
fn backward_refuses_a_loss_that_depends_on_no_parameter() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", Tensor::from_f32(&g, &[2], &[1.0, -2.0]).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    // The mistake: the trainable tensor enters the tape as a constant.
    let frozen = tape.constant(store.value(w));
    let sq = tape.mul(&frozen, &frozen).unwrap();
    let loss = tape.sum_all(&sq).unwrap();
    assert!(!loss.requires_grad());
    let e = tape.backward(&loss, &mut store).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, Error::InvalidInput(_)),
        "not InvalidInput: {msg}"
    );
    assert!(
        msg.contains("no parameter") && msg.contains("Tape::param"),
        "{msg}"
    );
    assert!(store.grad(w).is_none(), "no gradient stored");
    // The refused call ran nothing: a loss through the parameter still runs, once.
    let wv = tape.param(&store, w);
    let sq = tape.mul(&wv, &wv).unwrap();
    let loss = tape.sum_all(&sq).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(store.grad(w).unwrap().to_f32().unwrap(), vec![2.0, -4.0]);
}
