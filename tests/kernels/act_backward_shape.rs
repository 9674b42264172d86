//! `act_backward` multiplies a gradient by the activation's derivative element by element, so
//! the gradient must have the saved output's shape: a transposed gradient of the same size
//! used to be accepted and silently paired the wrong elements.

use crate::common;

use common::gpu;
use synchgraph::kernels::backward::{act_backward, Activation};
use synchgraph::{Error, Tensor};

#[test]
fn a_gradient_of_another_shape_is_a_shape_error() {
    let g = gpu();
    let y = Tensor::from_f32(&g, &[2, 3], &[1.0, 0.0, 2.0, 0.0, 3.0, 0.0]).unwrap();
    let grad = Tensor::from_f32(&g, &[3, 2], &[1.0; 6]).unwrap();
    match act_backward(&y, &grad, Activation::Relu) {
        Err(Error::Shape { op, message }) => {
            assert_eq!(op, "act_backward");
            assert!(
                message.contains("[2, 3]") && message.contains("[3, 2]"),
                "{message}"
            );
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
    // The same shape works: relu's derivative from its output is [y > 0].
    let grad = Tensor::from_f32(&g, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let dx = act_backward(&y, &grad, Activation::Relu).unwrap();
    assert_eq!(dx.shape(), &[2, 3]);
    assert_eq!(dx.to_f32().unwrap(), [1.0, 0.0, 3.0, 0.0, 5.0, 0.0]);
}
