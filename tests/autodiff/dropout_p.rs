//! `Tape::dropout` refuses a drop probability outside [0, 1) in evaluation mode too; it used to
//! return the input unchanged there, so a bad setting passed every evaluation and failed only
//! once training started.
use crate::common;

use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::{Error, Tensor};

#[test]
fn a_bad_drop_probability_is_refused_in_both_modes() {
    let g = gpu();
    let x = Tensor::from_f32(&g, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    for training in [false, true] {
        for p in [1.0, 1.5, -0.1, f32::NAN] {
            let mut tape = Tape::new(&g, training, 0);
            let v = tape.constant(&x);
            match tape.dropout(&v, p) {
                Err(Error::InvalidInput(m)) => assert!(m.contains("drop probability"), "{m}"),
                other => panic!("training {training}, p {p}: {other:?}"),
            }
        }
        // A valid p: the identity in evaluation mode, exactly.
        let mut tape = Tape::new(&g, training, 0);
        let v = tape.constant(&x);
        let y = tape.dropout(&v, 0.5).unwrap();
        if !training {
            assert_eq!(y.value().to_f32().unwrap(), x.to_f32().unwrap());
        }
    }
}
