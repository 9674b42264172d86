//! `Tensor::item` downloads a single value: a tensor of any other size is an error naming
//! its shape, not its first element.

use crate::common;
use common::*;
use synchgraph::{Error, Tensor};

#[test]
fn item_of_a_tensor_of_several_values_is_an_error() {
    let gpu = gpu();
    let one = Tensor::from_f32(&gpu, &[1, 1], &[2.5]).unwrap();
    assert_eq!(one.item().unwrap(), 2.5);
    let scalar = Tensor::from_f32(&gpu, &[], &[-1.0]).unwrap();
    assert_eq!(scalar.item().unwrap(), -1.0);
    for shape in [vec![2], vec![0], vec![3, 0], vec![1, 2]] {
        let n: usize = shape.iter().product();
        let t = Tensor::from_f32(&gpu, &shape, &vec![1.0; n]).unwrap();
        let e = t.item().unwrap_err();
        assert!(
            matches!(&e, Error::Shape { op, message } if op == "item"
                && message.contains(&format!("{shape:?}"))),
            "item of {shape:?}: {e}"
        );
    }
}
