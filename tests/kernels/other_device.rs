//! The dense kernels refuse tensors of two GPU devices in one call with an
//! [`Error::InvalidInput`] naming the op: a dispatch on one device that binds another device's
//! buffer silently computes garbage (a product with the identity gave [3, 3, 7, 7] instead of
//! [1, 2, 3, 4]).

use crate::common;

use common::gpu;
use synchgraph::kernels::backward::{act_backward, Activation};
use synchgraph::kernels::matmul::{matmul, matmul_nt, matmul_tn};
use synchgraph::kernels::neighbor_max::{masked_max, masked_max_backward};
use synchgraph::{Error, Gpu, Tensor};

/// A second device, distinct from [`common::gpu`].
fn other_gpu() -> Gpu {
    Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

fn refused<T: std::fmt::Debug>(r: synchgraph::Result<T>, op: &str) {
    match r {
        Err(e @ Error::InvalidInput(_)) => {
            let msg = e.to_string();
            assert!(
                msg.contains(op) && msg.contains("another GPU"),
                "{op}: {msg}"
            );
        }
        other => panic!("{op}: expected an InvalidInput naming another GPU, got {other:?}"),
    }
}

#[test]
fn matrix_products_refuse_operands_of_two_devices() {
    let (g1, g2) = (gpu(), other_gpu());
    let a = Tensor::from_f32(&g1, &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let eye = Tensor::from_f32(&g2, &[2, 2], &[1.0, 0.0, 0.0, 1.0]).unwrap();
    refused(matmul(&a, &eye), "matmul");
    refused(matmul(&eye, &a), "matmul");
    refused(matmul_tn(&a, &eye), "matmul_tn");
    refused(matmul_nt(&a, &eye), "matmul_nt");
    // Empty operands compute nothing, but still belong to one device.
    let e1 = Tensor::from_f32(&g1, &[0, 2], &[]).unwrap();
    refused(matmul(&e1, &eye), "matmul");
    // Both on one device: the product is right.
    let eye1 = Tensor::from_f32(&g1, &[2, 2], &[1.0, 0.0, 0.0, 1.0]).unwrap();
    assert_eq!(
        matmul(&a, &eye1).unwrap().to_f32().unwrap(),
        [1.0, 2.0, 3.0, 4.0]
    );
}

#[test]
fn neighbour_max_refuses_inputs_of_two_devices() {
    let (g1, g2) = (gpu(), other_gpu());
    let mask1 = Tensor::from_f32(&g1, &[2, 2], &[1.0, 0.0, 1.0, 1.0]).unwrap();
    let mask2 = Tensor::from_f32(&g2, &[2, 2], &[1.0, 0.0, 1.0, 1.0]).unwrap();
    let h1 = Tensor::from_f32(&g1, &[2, 1], &[3.0, 5.0]).unwrap();
    refused(masked_max(&mask2, &h1), "masked_max");
    let (out, arg) = masked_max(&mask1, &h1).unwrap();
    assert_eq!(out.to_f32().unwrap(), [3.0, 5.0]);
    let grad1 = Tensor::from_f32(&g1, &[2, 1], &[1.0, 1.0]).unwrap();
    let grad2 = Tensor::from_f32(&g2, &[2, 1], &[1.0, 1.0]).unwrap();
    let arg2 = Tensor::from_u32(&g2, &[2, 1], &arg.to_u32().unwrap()).unwrap();
    refused(
        masked_max_backward(&mask2, &arg, &grad1),
        "masked_max_backward",
    );
    refused(
        masked_max_backward(&mask1, &arg2, &grad1),
        "masked_max_backward",
    );
    refused(
        masked_max_backward(&mask1, &arg, &grad2),
        "masked_max_backward",
    );
    let dh = masked_max_backward(&mask1, &arg, &grad1).unwrap();
    assert_eq!(dh.to_f32().unwrap(), [1.0, 1.0]);
}

#[test]
fn activation_backward_refuses_inputs_of_two_devices() {
    let (g1, g2) = (gpu(), other_gpu());
    let y = Tensor::from_f32(&g1, &[3], &[0.5, 0.0, 2.0]).unwrap();
    let grad = Tensor::from_f32(&g2, &[3], &[1.0, 1.0, 1.0]).unwrap();
    refused(act_backward(&y, &grad, Activation::Exp), "act_backward");
}

/// Every kernel, not only those that check their operands by name, refuses a buffer of another
/// device: the dispatcher compares each binding's device with its own before recording.
#[test]
fn any_dispatch_refuses_a_buffer_of_another_device() {
    use synchgraph::kernels::elementwise::{binary, Binary};
    use synchgraph::kernels::reduce::{reduce_rows, ReduceOp};
    let (g1, g2) = (gpu(), other_gpu());
    let a = Tensor::from_f32(&g1, &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let b = Tensor::from_f32(&g2, &[2, 2], &[1.0, 1.0, 1.0, 1.0]).unwrap();
    refused(binary(&a, &b, Binary::Add), "add");
    refused(binary(&b, &a, Binary::Mul), "mul");
    // One device's own tensors still work, on either device.
    assert_eq!(
        reduce_rows(&b, ReduceOp::Sum).unwrap().to_f32().unwrap(),
        vec![2.0, 2.0]
    );
    assert_eq!(
        binary(&a, &a, Binary::Add).unwrap().to_f32().unwrap(),
        vec![2.0, 4.0, 6.0, 8.0]
    );
}

/// Kernels that return early for an empty result (nothing to dispatch, where every binding is
/// checked) still refuse operands of two devices, as the matrix products do: an empty segment
/// reduction and a cross-entropy over no rows or no classes used to return Ok.
#[test]
fn empty_results_still_refuse_operands_of_two_devices() {
    use synchgraph::kernels::reduce::ReduceOp;
    use synchgraph::kernels::segment::segment_reduce;
    use synchgraph::kernels::softmax::softmax_cross_entropy;
    let (g1, g2) = (gpu(), other_gpu());
    // No segments ([0, 3] out), and segments of no features ([2, 0] out).
    let x = Tensor::from_f32(&g1, &[2, 3], &[1.0; 6]).unwrap();
    let x0 = Tensor::from_f32(&g1, &[2, 0], &[]).unwrap();
    let none = Tensor::from_u32(&g2, &[1], &[0]).unwrap();
    let two = Tensor::from_u32(&g2, &[3], &[0, 1, 2]).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Max] {
        refused(segment_reduce(&x, &none, op), "segment_reduce");
        refused(segment_reduce(&x0, &two, op), "segment_reduce");
    }
    // One device: the same empty results.
    let none1 = Tensor::from_u32(&g1, &[1], &[0]).unwrap();
    assert_eq!(
        segment_reduce(&x, &none1, ReduceOp::Sum).unwrap().0.shape(),
        &[0, 3]
    );
    // No rows, and rows of no classes, with labels or the mask on the other device.
    for (r, c) in [(0usize, 4usize), (3, 0)] {
        let logits = Tensor::from_f32(&g1, &[r, c], &vec![0.5; r * c]).unwrap();
        let labels1 = Tensor::from_u32(&g1, &[r], &vec![0; r]).unwrap();
        let labels2 = Tensor::from_u32(&g2, &[r], &vec![0; r]).unwrap();
        let mask2 = Tensor::from_f32(&g2, &[r], &vec![1.0; r]).unwrap();
        refused(
            softmax_cross_entropy(&logits, &labels2, None),
            "softmax_cross_entropy",
        );
        refused(
            softmax_cross_entropy(&logits, &labels1, Some(&mask2)),
            "softmax_cross_entropy",
        );
        let (loss, grad) = softmax_cross_entropy(&logits, &labels1, None).unwrap();
        assert_eq!(loss.to_f32().unwrap(), [0.0]);
        assert_eq!(grad.shape(), &[r, c]);
    }
}
