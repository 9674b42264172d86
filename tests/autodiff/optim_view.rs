//! An optimizer step that cannot update one of the parameters (a view at a byte offset the
//! device cannot bind for writing) fails before it changes anything, naming that parameter: no
//! other parameter moves and no step or update is counted, so the step can be retried once the
//! parameter is replaced.

use crate::common;

use common::gpu;
use synchgraph::autodiff::optim::{Adam, Sgd};
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::{Error, Tensor};

/// A store with a whole parameter `a` and a parameter `b` that is row 1 of a [3, 2] tensor
/// (byte offset 8), both holding the gradient of Σ a + Σ b (ones).
fn store_with_a_misaligned_view() -> (ParamStore, ParamId, ParamId) {
    let g = gpu();
    let mut store = ParamStore::new();
    let a = store.add("a", Tensor::from_f32(&g, &[2], &[1.0, 2.0]).unwrap(), 0.0);
    let big = Tensor::from_f32(&g, &[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let b = store.add("b", big.rows(1, 2).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let av = tape.param(&store, a);
    let bv = tape.param(&store, b);
    let sa = tape.sum_all(&av).unwrap();
    let sb = tape.sum_all(&bv).unwrap();
    let loss = tape.add(&sa, &sb).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    (store, a, b)
}

fn names_b(r: synchgraph::Result<()>) {
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
    assert!(
        e.to_string().contains("'b'"),
        "the parameter is not named: {e}"
    );
}

#[test]
fn adam_refuses_an_unwritable_parameter_before_changing_anything() {
    let (mut store, a, b) = store_with_a_misaligned_view();
    let mut adam = Adam::new(0.1);
    names_b(adam.step(&mut store));
    assert_eq!(store.value(a).to_f32().unwrap(), [1.0, 2.0]);
    assert_eq!(store.value(b).to_f32().unwrap(), [3.0, 4.0]);
    assert_eq!((adam.steps(), adam.updates_of(a)), (0, 0));
}

#[test]
fn sgd_refuses_an_unwritable_parameter_before_changing_anything() {
    let (mut store, a, b) = store_with_a_misaligned_view();
    let mut sgd = Sgd::new(0.1, 0.9);
    names_b(sgd.step(&mut store));
    assert_eq!(store.value(a).to_f32().unwrap(), [1.0, 2.0]);
    assert_eq!(store.value(b).to_f32().unwrap(), [3.0, 4.0]);
}
