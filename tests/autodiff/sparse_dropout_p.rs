//! `Tape::sparse_dropout` refuses a drop probability outside [0, 1) in evaluation mode and for a
//! matrix without stored entries, as `Tape::dropout` does. It used to return the matrix
//! unchanged there, so a bad setting (1, 1.5, -0.1 or NaN) passed every evaluation pass and
//! failed only once a training tape met a non-empty matrix. Exact checks only: a valid p leaves
//! the values of an evaluation-mode matrix bit for bit.
use crate::common;

use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::graph::Csr;
use synchgraph::Error;

#[test]
fn a_bad_sparse_drop_probability_is_refused_in_both_modes() {
    let g = gpu();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2)], None, false, true).unwrap();
    let empty = Csr::from_edges(&g, 3, &[], None, false, false).unwrap();
    assert_eq!(empty.nnz(), 0);
    for training in [false, true] {
        for m in [&a, &empty] {
            for p in [1.0, 1.5, -0.1, f32::NAN] {
                let mut tape = Tape::new(&g, training, 0);
                match tape.sparse_dropout(m, p) {
                    Err(Error::InvalidInput(msg)) => {
                        assert!(msg.contains("drop probability"), "{msg}")
                    }
                    other => panic!(
                        "training {training}, nnz {}, p {p}: {:?}",
                        m.nnz(),
                        other.map(|c| c.nnz())
                    ),
                }
            }
        }
        // A valid p: the same values in evaluation mode, exactly.
        let mut tape = Tape::new(&g, training, 0);
        let d = tape.sparse_dropout(&a, 0.5).unwrap();
        assert_eq!(d.nnz(), a.nnz());
        if !training {
            assert_eq!(d.values.to_f32().unwrap(), a.values.to_f32().unwrap());
        }
    }
}
