//! Optimizer hyperparameters outside their domain are refused before a step changes anything.
//! A negative learning rate (for example a StepLR with a negative gamma) made Adam and SGD climb
//! the loss without a word, and a NaN weight decay turned every weight into NaN. The checks are
//! exact: the weights are compared bit for bit with their values before the refused step (the
//! one in-range SGD step is checked to |got - want| <= 1e-6 + 1e-6 |want|).

use crate::common;

use common::gpu;
use synchgraph::autodiff::optim::{Adam, LrSchedule, Sgd};
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::{Error, Tensor};

/// A store with one parameter `w` (weight decay `wd`) holding the gradient of Σ w, i.e. ones.
fn store_with_grad(wd: f32) -> (ParamStore, ParamId) {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add(
        "w",
        Tensor::from_f32(&g, &[3], &[0.5, -1.0, 2.0]).unwrap(),
        wd,
    );
    let mut tape = Tape::new(&g, true, 0);
    let w = tape.param(&store, id);
    let loss = tape.sum_all(&w).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    (store, id)
}

fn refused(r: synchgraph::Result<()>, needle: &str) {
    match r {
        Err(Error::InvalidInput(m)) => assert!(m.contains(needle), "{m}"),
        other => panic!("expected InvalidInput naming {needle}, got {other:?}"),
    }
}

#[test]
fn adam_refuses_a_negative_or_nan_rate_and_bad_betas_and_changes_nothing() {
    // StepLR with a negative gamma gives a negative rate from the first decay on.
    let sched = LrSchedule::Step {
        step: 1,
        gamma: -0.5,
    };
    type Set = fn(&mut Adam);
    let cases: [(&str, Set); 5] = [
        ("lr", |a| a.lr = -0.005),
        ("lr", |a| a.lr = f32::NAN),
        ("beta1", |a| a.beta1 = 1.0),
        ("beta2", |a| a.beta2 = 1.0),
        ("eps", |a| a.eps = -1e-8),
    ];
    for (needle, set) in cases {
        let (mut store, id) = store_with_grad(0.0);
        let before = store.value(id).to_f32().unwrap();
        let mut adam = Adam::new(0.01);
        set(&mut adam);
        refused(adam.step(&mut store), needle);
        assert_eq!(store.value(id).to_f32().unwrap(), before, "{needle}");
        assert_eq!((adam.steps(), adam.updates_of(id)), (0, 0), "{needle}");
    }
    let (mut store, id) = store_with_grad(0.0);
    let before = store.value(id).to_f32().unwrap();
    let mut adam = Adam::new(sched.lr(0.01, 1));
    refused(adam.step(&mut store), "lr");
    assert_eq!(store.value(id).to_f32().unwrap(), before);
    // A zero rate is allowed (a schedule may decay to it) and leaves the weights as they were.
    adam.lr = 0.0;
    adam.step(&mut store).unwrap();
    assert_eq!(store.value(id).to_f32().unwrap(), before);
    assert_eq!(adam.steps(), 1);
}

#[test]
fn adam_and_sgd_refuse_a_negative_or_nan_weight_decay() {
    for wd in [-5e-4, f32::NAN, f32::INFINITY] {
        let (mut store, id) = store_with_grad(wd);
        let before = store.value(id).to_f32().unwrap();
        refused(Adam::new(0.01).step(&mut store), "weight decay of 'w'");
        refused(Sgd::new(0.1, 0.9).step(&mut store), "weight decay of 'w'");
        assert_eq!(store.value(id).to_f32().unwrap(), before, "wd {wd}");
    }
}

#[test]
fn sgd_refuses_a_negative_rate_or_momentum() {
    for (needle, lr, momentum) in [("lr", -0.1, 0.0), ("momentum", 0.1, -0.9)] {
        let (mut store, id) = store_with_grad(0.0);
        let before = store.value(id).to_f32().unwrap();
        refused(Sgd::new(lr, momentum).step(&mut store), needle);
        assert_eq!(store.value(id).to_f32().unwrap(), before, "{needle}");
    }
    // In-range values still step: w - 0.1 * 1.
    let (mut store, id) = store_with_grad(0.0);
    Sgd::new(0.1, 0.0).step(&mut store).unwrap();
    common::assert_close(
        "sgd",
        &store.value(id).to_f32().unwrap(),
        &[0.4, -1.1, 1.9],
        1e-6,
        1e-6,
    );
}
