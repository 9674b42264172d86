//! Checkpoint tensor names and shapes: a tensor named `__metadata__` (the safetensors header's
//! reserved key) is refused when added instead of producing a file that `load` cannot read,
//! and a shape whose element count overflows is an error, not a panic.

use std::path::Path;

use synchgraph::report::Checkpoint;

#[test]
fn a_tensor_named_metadata_is_refused_not_saved_unreadable() {
    let mut c = Checkpoint::new();
    c.set_meta("model", "gcn");
    match c.insert("__metadata__", &[1], vec![1.0]) {
        Err(e) => assert!(e.to_string().contains("__metadata__"), "{e}"),
        // If it is accepted, the bytes it saves must load back to the same checkpoint.
        Ok(()) => {
            let bytes = c.to_bytes().expect("serialise");
            let back = Checkpoint::from_bytes(&bytes, Path::new("mem"));
            assert_eq!(
                back.ok().as_ref(),
                Some(&c),
                "saved a checkpoint it cannot load"
            );
        }
    }
}

#[test]
fn an_overflowing_shape_is_an_error_not_a_panic() {
    let mut c = Checkpoint::new();
    let r =
        std::panic::catch_unwind(move || c.insert("w", &[usize::MAX, 2, 0], vec![]).map(|_| ()));
    let r = r.expect("Checkpoint::insert panicked on an overflowing shape");
    assert!(r.is_err(), "an element count past usize::MAX was accepted");
}
