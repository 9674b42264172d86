//! An optimizer keeps its state (Adam's moments and per-parameter update counts, SGD's momentum
//! buffers) by parameter index. Stepping a second store with it applied the first store's
//! moments to unrelated parameters, skipped their bias correction, and where the second store's
//! tensors were larger the shader indexed past the moment buffers; now it is refused and the
//! second store keeps its weights bit for bit. The first store still steps afterwards.

use crate::common;

use common::gpu;
use synchgraph::autodiff::optim::{Adam, Sgd};
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::{Error, Tensor};

/// A store with one parameter of `n` elements holding the gradient of Σ w (ones).
fn store_with_grad(n: usize) -> (ParamStore, ParamId) {
    let g = gpu();
    let mut store = ParamStore::new();
    let v: Vec<f32> = (0..n).map(|i| i as f32 * 0.25 - 1.0).collect();
    let id = store.add("w", Tensor::from_f32(&g, &[n], &v).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(&store, id);
    let loss = tape.sum_all(&w).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    (store, id)
}

fn refused(r: synchgraph::Result<()>) {
    match r {
        Err(Error::InvalidInput(m)) => assert!(m.contains("another parameter store"), "{m}"),
        other => panic!("expected InvalidInput about another store, got {other:?}"),
    }
}

#[test]
fn adam_refuses_a_second_store() {
    let (mut first, a) = store_with_grad(3);
    let mut adam = Adam::new(0.01);
    adam.step(&mut first).unwrap();
    // A larger second parameter: its elements 3.. have no moments in the optimizer.
    let (mut second, b) = store_with_grad(600);
    let before = second.value(b).to_f32().unwrap();
    refused(adam.step(&mut second));
    assert_eq!(second.value(b).to_f32().unwrap(), before);
    assert_eq!((adam.steps(), adam.updates_of(a)), (1, 1));
    // The optimizer still serves its own store.
    adam.step(&mut first).unwrap();
    assert_eq!((adam.steps(), adam.updates_of(a)), (2, 2));
}

#[test]
fn sgd_refuses_a_second_store() {
    let (mut first, _) = store_with_grad(3);
    let mut sgd = Sgd::new(0.1, 0.9);
    sgd.step(&mut first).unwrap();
    let (mut second, b) = store_with_grad(600);
    let before = second.value(b).to_f32().unwrap();
    refused(sgd.step(&mut second));
    assert_eq!(second.value(b).to_f32().unwrap(), before);
    sgd.step(&mut first).unwrap();
}
