//! Misuse of the autodiff tape and parameter store: Vars from another tape, a second or failing
//! backward pass, parameter ids and stores that do not match, and the gather_rows gradient for
//! inputs that are not matrices. Every misuse is a typed error (never a panic, never a silently
//! wrong gradient), and a failed backward leaves the store's gradients as they were.
//!
//! Gradient checks use the shared finite-difference checker (`common::grad`): forward
//! |got - want| <= 1e-3 + 1e-3 |want|, gradient |analytic - numeric| <= max(1e-5,
//! 1e-3 max|numeric|) + 2e-2 |numeric| per element.

use crate::common;

use common::gpu;
use common::grad::check;
use synchgraph::autodiff::{ParamId, ParamStore, Tape};
use synchgraph::{Error, Tensor};

fn t(shape: &[usize], v: &[f32]) -> Tensor {
    Tensor::from_f32(&gpu(), shape, v).unwrap()
}

fn invalid(e: Error, needle: &str) -> String {
    let msg = e.to_string();
    assert!(
        matches!(e, Error::InvalidInput(_)),
        "not InvalidInput: {msg}"
    );
    assert!(msg.contains(needle), "'{needle}' missing from: {msg}");
    msg
}

fn bits(store: &ParamStore, id: ParamId) -> Option<Vec<u32>> {
    store
        .grad(id)
        .map(|g| g.to_f32().unwrap().iter().map(|v| v.to_bits()).collect())
}

/// A Var cached from an earlier tape has a node index that exists on the new tape too (node 0
/// is the parameter w there): it is refused before any kernel runs instead of silently
/// standing for w.
#[test]
fn a_var_from_another_tape_is_refused() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]), 0.0);
    let mut old = Tape::new(&g, true, 0);
    let x_old = old.constant(&t(&[1, 2], &[5.0, 6.0]));
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let len = tape.len();
    invalid(tape.matmul(&x_old, &wv).unwrap_err(), "another tape");
    invalid(tape.add(&wv, &x_old).unwrap_err(), "another tape");
    assert_eq!(tape.len(), len, "nothing recorded for a refused op");
    // The tape stays usable with its own Vars.
    let x = tape.constant(&t(&[1, 2], &[5.0, 6.0]));
    let y = tape.matmul(&x, &wv).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(
        store.grad(w).unwrap().to_f32().unwrap(),
        vec![5.0, 5.0, 6.0, 6.0]
    );
}

/// A foreign Var whose node index is past the end of the new tape is an error, not a panic.
#[test]
fn a_foreign_var_past_the_end_of_the_tape_is_refused() {
    let g = gpu();
    let mut old = Tape::new(&g, true, 0);
    let mut x = old.constant(&t(&[3], &[1.0, 2.0, 3.0]));
    for _ in 0..4 {
        x = old.scale(&x, 2.0).unwrap();
    }
    let mut tape = Tape::new(&g, true, 0);
    let c = tape.constant(&t(&[3], &[1.0, 1.0, 1.0]));
    invalid(tape.mul(&c, &x).unwrap_err(), "another tape");
    invalid(tape.relu(&x).unwrap_err(), "another tape");
    invalid(
        tape.gather_rows(&x, &Tensor::from_u32(&g, &[1], &[0]).unwrap())
            .unwrap_err(),
        "another tape",
    );
    // An op that cannot return an error records the problem; the next op and backward report it.
    let opaque = tape.no_rule("opaque", x.value().clone(), &[&x]);
    invalid(tape.sum_all(&opaque).unwrap_err(), "another tape");
}

/// The loss passed to backward must come from the tape itself.
#[test]
fn a_loss_from_another_tape_is_refused() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", t(&[2], &[1.0, 2.0]), 0.0);
    let mut old = Tape::new(&g, true, 0);
    let wv = old.param(&store, w);
    let old_loss = old.sum_all(&wv).unwrap();
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let y = tape.scale(&wv, 3.0).unwrap();
    let loss = tape.sum_all(&y).unwrap();
    invalid(
        tape.backward(&old_loss, &mut store).unwrap_err(),
        "another tape",
    );
    assert!(store.grad(w).is_none());
    // Refused before anything ran: the right loss still works on this tape.
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(store.grad(w).unwrap().to_f32().unwrap(), vec![3.0, 3.0]);
}

/// gather_rows accepts x of any rank >= 1; its gradient has x's shape.
#[test]
fn gather_rows_gradient_of_1d_and_3d_inputs() {
    let g = gpu();
    let mut r = common::Rng(5);
    // Repeated, unused and out-of-range (>= n: a zero row, no gradient) indices.
    let idx = [0u32, 3, 3, 1, 4, 0, 7];
    let it = Tensor::from_u32(&g, &[idx.len()], &idx).unwrap();
    let pick = |x: &[f64], f: usize| -> Vec<f64> {
        idx.iter()
            .flat_map(|&i| {
                let i = i as usize;
                if i * f < x.len() {
                    x[i * f..i * f + f].to_vec()
                } else {
                    vec![0.0; f]
                }
            })
            .collect()
    };
    let ins = [common::grad::input(&mut r, &[5])];
    check(
        "gather_rows 1-d",
        &ins,
        &|t, v| t.gather_rows(&v[0], &it),
        &|x| pick(&x[0], 1),
    );
    let ins = [common::grad::input(&mut r, &[5, 2, 3])];
    check(
        "gather_rows 3-d",
        &ins,
        &|t, v| {
            let y = t.gather_rows(&v[0], &it)?;
            assert_eq!(y.shape(), &[idx.len(), 2, 3]);
            Ok(y)
        },
        &|x| pick(&x[0], 6),
    );
}

/// A second backward on the same tape is refused and adds nothing to the store, also when no
/// rule on the way reads a saved value (scale and dropout only).
#[test]
fn a_second_backward_is_refused() {
    let g = gpu();
    let mut store = ParamStore::new();
    let w = store.add("w", t(&[1], &[3.0]), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w);
    let y = tape.scale(&wv, 2.0).unwrap();
    let loss = tape.dropout_with_mask(&y, t(&[1], &[1.5])).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    let first = bits(&store, w);
    assert_eq!(store.grad(w).unwrap().to_f32().unwrap(), vec![3.0]);
    invalid(tape.backward(&loss, &mut store).unwrap_err(), "already");
    assert_eq!(bits(&store, w), first);
}

/// A backward that fails partway (a rule-less op reached after another parameter's gradient
/// was complete) leaves every gradient of the store exactly as it was.
#[test]
fn a_failing_backward_leaves_the_store_untouched() {
    let g = gpu();
    let mut store = ParamStore::new();
    let a = store.add("a", t(&[2], &[1.0, 2.0]), 0.0);
    let b = store.add("b", t(&[2], &[3.0, 4.0]), 0.0);
    let c = store.add("c", t(&[2], &[5.0, 6.0]), 0.0);
    // Earlier gradients for a and b; none for c.
    let mut tape = Tape::new(&g, true, 0);
    let av = tape.param(&store, a);
    let bv = tape.param(&store, b);
    let s = tape.mul(&av, &bv).unwrap();
    let loss = tape.sum_all(&s).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    let (ga, gb) = (bits(&store, a), bits(&store, b));
    assert!(ga.is_some() && gb.is_some());

    let mut tape = Tape::new(&g, true, 0);
    let av = tape.param(&store, a);
    let bad = tape.no_rule("mystery", av.value().clone(), &[&av]);
    // Recorded after the rule-less op, so reverse order finishes b and c first.
    let bv = tape.param(&store, b);
    let cv = tape.param(&store, c);
    let l1 = tape.sum_all(&bad).unwrap();
    let bc = tape.mul(&bv, &cv).unwrap();
    let l2 = tape.sum_all(&bc).unwrap();
    let loss = tape.add(&l1, &l2).unwrap();
    let e = tape.backward(&loss, &mut store).unwrap_err().to_string();
    assert!(e.contains("mystery"), "{e}");
    assert_eq!(bits(&store, a), ga);
    assert_eq!(bits(&store, b), gb);
    assert_eq!(bits(&store, c), None);
}

/// A parameter id the store does not hold: `try_param` is an error, `param` records the problem
/// and the next op reports it; nothing panics.
#[test]
fn an_unknown_param_id_is_an_error() {
    let g = gpu();
    let mut big = ParamStore::new();
    for k in 0..4 {
        big.add(&format!("p{k}"), t(&[2], &[k as f32, 1.0]), 0.0);
    }
    let foreign = big.ids().last().unwrap();
    let mut store = ParamStore::new();
    let w = store.add("w", t(&[2], &[1.0, 2.0]), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    invalid(tape.try_param(&store, foreign).unwrap_err(), "ParamId(3)");
    // try_param left the tape usable.
    let wv = tape.try_param(&store, w).unwrap();
    let ok = tape.sum_all(&wv).unwrap();
    let v = tape.param(&store, foreign);
    assert_eq!(v.value().numel(), 0);
    invalid(tape.sum_all(&v).unwrap_err(), "ParamId(3)");
    invalid(tape.scale(&wv, 2.0).unwrap_err(), "ParamId(3)");
    invalid(tape.backward(&ok, &mut store).unwrap_err(), "ParamId(3)");
    assert!(store.grad(w).is_none());
}

/// backward with a store other than the one the tape's parameters came from is an error (the
/// ids may be out of range there, or name other tensors), and changes neither store.
#[test]
fn backward_into_another_store_is_an_error() {
    let g = gpu();
    let mut store = ParamStore::new();
    store.add("w0", t(&[2], &[1.0, 2.0]), 0.0);
    let w1 = store.add("w1", t(&[2], &[3.0, 4.0]), 0.0);
    let mut small = ParamStore::new();
    let s0 = small.add("s0", t(&[2], &[0.0, 0.0]), 0.0);
    let mut same_shape = ParamStore::new();
    same_shape.add("z0", t(&[2], &[0.0, 0.0]), 0.0);
    let z1 = same_shape.add("z1", t(&[2], &[0.0, 0.0]), 0.0);

    let mut tape = Tape::new(&g, true, 0);
    let wv = tape.param(&store, w1);
    let loss = tape.sum_all(&wv).unwrap();
    invalid(tape.backward(&loss, &mut small).unwrap_err(), "store");
    invalid(tape.backward(&loss, &mut same_shape).unwrap_err(), "store");
    assert!(small.grad(s0).is_none() && same_shape.grad(z1).is_none());
    // Not consumed by the refusals: the right store still gets its gradient.
    tape.backward(&loss, &mut store).unwrap();
    assert_eq!(store.grad(w1).unwrap().to_f32().unwrap(), vec![1.0, 1.0]);

    // Parameters of two stores on one tape cannot be served by one backward.
    let mut tape = Tape::new(&g, true, 0);
    tape.param(&store, w1);
    invalid(tape.try_param(&small, s0).unwrap_err(), "store");
}

/// set_value with an id the store does not hold is an error.
#[test]
fn set_value_with_an_unknown_id_is_an_error() {
    let mut store = ParamStore::new();
    store.add("w", t(&[2], &[1.0, 2.0]), 0.0);
    let e = store
        .set_value(ParamId(5), t(&[2], &[0.0, 0.0]))
        .unwrap_err();
    invalid(e, "ParamId(5)");
}
