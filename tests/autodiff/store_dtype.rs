//! `ParamStore::set_value` and `ParamStore::restore` refuse a tensor of another dtype than the
//! parameter (they checked only the shape, so a u32 tensor of the right shape was taken and the
//! optimizers then updated its bits as f32), and a refused restore changes nothing.

use crate::common;

use common::gpu;
use synchgraph::autodiff::ParamStore;
use synchgraph::{Error, Tensor};

#[test]
fn set_value_and_restore_refuse_another_dtype() {
    let g = gpu();
    let mut store = ParamStore::new();
    let a = store.add("a", Tensor::from_f32(&g, &[2], &[1.0, 2.0]).unwrap(), 0.0);
    let b = store.add("b", Tensor::from_f32(&g, &[1], &[3.0]).unwrap(), 0.0);
    let ints = Tensor::from_u32(&g, &[2], &[7, 8]).unwrap();
    let e = store.set_value(a, ints.clone()).unwrap_err();
    assert!(matches!(e, Error::DType { .. }), "{e}");
    let e = store
        .restore(vec![
            Tensor::from_f32(&g, &[2], &[5.0, 6.0]).unwrap(),
            Tensor::from_u32(&g, &[1], &[9]).unwrap(),
        ])
        .unwrap_err();
    assert!(matches!(e, Error::DType { .. }), "{e}");
    assert_eq!(store.value(a).to_f32().unwrap(), [1.0, 2.0]);
    assert_eq!(store.value(b).to_f32().unwrap(), [3.0]);
    // The right dtype is still taken.
    store
        .set_value(a, Tensor::from_f32(&g, &[2], &[4.0, 5.0]).unwrap())
        .unwrap();
    let snap = store.snapshot().unwrap();
    store.restore(snap).unwrap();
    assert_eq!(store.value(a).to_f32().unwrap(), [4.0, 5.0]);
}
