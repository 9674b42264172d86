//! Tensors of two GPU devices must not meet on one tape, in one parameter store or in one loss
//! log: a kernel dispatched on one device with a buffer of another silently computes garbage
//! (an add of 1 and 2 gave 2) or fails a later, unrelated batch. Each such input is an
//! [`Error::InvalidInput`] naming the other device, refused before any kernel runs.

use crate::common;

use common::gpu;
use synchgraph::autodiff::{BatchNormStats, ParamStore, StepLosses, Tape};
use synchgraph::graph::Csr;
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::{Error, Gpu, Tensor};

/// A second device, distinct from [`common::gpu`].
fn other_gpu() -> Gpu {
    Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

fn refused<T: std::fmt::Debug>(r: synchgraph::Result<T>, what: &str) {
    match r {
        Err(e @ Error::InvalidInput(_)) => {
            let msg = e.to_string();
            assert!(msg.contains("another GPU"), "{what}: {msg}");
        }
        other => panic!("{what}: expected an InvalidInput naming another GPU, got {other:?}"),
    }
}

fn f32s(g: &Gpu, shape: &[usize], v: &[f32]) -> Tensor {
    Tensor::from_f32(g, shape, v).unwrap()
}

#[test]
fn a_constant_from_another_gpu_makes_the_next_op_an_error() {
    let (g1, g2) = (gpu(), other_gpu());
    let mut tape = Tape::new(&g1, true, 0);
    let a = tape.constant(&f32s(&g1, &[2, 2], &[1.0; 4]));
    let b = tape.constant(&f32s(&g2, &[2, 2], &[2.0; 4]));
    refused(tape.add(&a, &b), "add");
    // The tape stays unusable, also for ops that do not involve b.
    refused(tape.scale(&a, 2.0), "scale after the misuse");
}

#[test]
fn a_parameter_on_another_gpu_is_refused() {
    let (g1, g2) = (gpu(), other_gpu());
    let mut store = ParamStore::new();
    let w = store.add("w", f32s(&g2, &[2, 2], &[1.0, 2.0, 3.0, 4.0]), 0.0);
    let mut tape = Tape::new(&g1, true, 0);
    refused(tape.try_param(&store, w), "try_param");
    assert!(tape.is_empty(), "nothing recorded for a refused param");
    let wv = tape.param(&store, w);
    refused(tape.sum_all(&wv), "sum_all after param");
    refused(tape.backward(&wv, &mut store), "backward after param");
    assert!(store.grad(w).is_none());
}

#[test]
fn tensor_arguments_from_another_gpu_are_refused() {
    let (g1, g2) = (gpu(), other_gpu());
    let mut tape = Tape::new(&g1, true, 7);
    let x = tape.constant(&f32s(&g1, &[2, 2], &[1.0, -2.0, 3.0, 4.0]));
    let len = tape.len();
    let idx2 = Tensor::from_u32(&g2, &[2], &[1, 0]).unwrap();
    refused(tape.gather_rows(&x, &idx2), "gather_rows");
    refused(tape.scatter_add_rows(&x, &idx2, 2), "scatter_add_rows");
    let offsets2 = Tensor::from_u32(&g2, &[2], &[0, 2]).unwrap();
    refused(
        tape.segment_pool(&x, &offsets2, ReduceOp::Sum),
        "segment_pool",
    );
    refused(
        tape.softmax_cross_entropy(&x, &idx2, None),
        "softmax_cross_entropy labels",
    );
    let labels1 = Tensor::from_u32(&g1, &[2], &[1, 0]).unwrap();
    refused(
        tape.softmax_cross_entropy(&x, &labels1, Some(&f32s(&g2, &[2], &[1.0, 1.0]))),
        "softmax_cross_entropy mask",
    );
    let mask2 = f32s(&g2, &[2, 2], &[1.0; 4]);
    refused(
        tape.dropout_with_mask(&x, mask2.clone()),
        "dropout_with_mask",
    );
    refused(tape.neighbor_max(&mask2, &x), "neighbor_max");
    let csr2 = Csr::from_edges(&g2, 2, &[(0, 1)], None, false, true).unwrap();
    refused(tape.spmm(&csr2, &x), "spmm");
    refused(tape.sparse_dropout(&csr2, 0.5), "sparse_dropout");
    let mut stats2 = BatchNormStats::new(&g2, 2).unwrap();
    refused(tape.batch_norm(&x, &mut stats2), "batch_norm");
    refused(
        tape.structure_loss(&x, &mask2, None, 1.0, 1.0, true),
        "structure_loss",
    );
    assert_eq!(tape.len(), len, "nothing recorded for a refused op");
    // The tape itself is still usable.
    let y = tape.gather_rows(&x, &labels1).unwrap();
    assert_eq!(y.value().to_f32().unwrap(), [3.0, 4.0, 1.0, -2.0]);
}

#[test]
fn set_value_and_restore_refuse_a_tensor_on_another_gpu() {
    let (g1, g2) = (gpu(), other_gpu());
    let mut store = ParamStore::new();
    let w = store.add("w", f32s(&g1, &[2], &[1.0, 2.0]), 0.0);
    refused(
        store.set_value(w, f32s(&g2, &[2], &[5.0, 6.0])),
        "set_value",
    );
    refused(store.restore(vec![f32s(&g2, &[2], &[5.0, 6.0])]), "restore");
    assert_eq!(store.value(w).to_f32().unwrap(), [1.0, 2.0]);
}

#[test]
fn step_losses_refuse_tensors_on_another_gpu() {
    let (g1, g2) = (gpu(), other_gpu());
    let mut log = StepLosses::new(&g1, 2).unwrap();
    refused(log.record(&f32s(&g2, &[1], &[3.0])), "record");
    assert!(log.is_empty());
    log.record(&f32s(&g1, &[1], &[1.5])).unwrap();
    let other = f32s(&g2, &[2], &[1.0, 2.0]);
    refused(log.read_with(&[&other]), "read_with");
    let mine = f32s(&g1, &[2], &[1.0, 2.0]);
    refused(StepLosses::read_all(&g1, &[&mine, &other]), "read_all");
    assert_eq!(log.read().unwrap(), [1.5]);
}
