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
