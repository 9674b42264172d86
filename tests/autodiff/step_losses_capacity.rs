//! `StepLosses::new(gpu, 0)` has room for no loss: recording one is an error, as for any step
//! past the capacity (the GPU vector keeps one slot, which used to count as room for a step);
//! reading an empty log, alone or with empty and non-empty tensors, gives the right values.

use crate::common;

use common::gpu;
use synchgraph::autodiff::StepLosses;
use synchgraph::Tensor;

#[test]
fn a_log_of_zero_steps_records_nothing() {
    let g = gpu();
    let one = Tensor::from_f32(&g, &[1], &[1.0]).unwrap();
    let mut log = StepLosses::new(&g, 0).unwrap();
    let e = log.record(&one).unwrap_err().to_string();
    assert!(e.contains("holds 0 steps"), "{e}");
    assert!(log.is_empty() && log.read().unwrap().is_empty());
    let mut log = StepLosses::new(&g, 2).unwrap();
    log.record(&one).unwrap();
    log.record(&one).unwrap();
    assert!(log.record(&one).is_err());
    assert_eq!(log.read().unwrap(), [1.0, 1.0]);
}

#[test]
fn empty_logs_and_empty_tensors_read_back() {
    let g = gpu();
    let log = StepLosses::new(&g, 3).unwrap();
    let (losses, others) = log.read_with(&[]).unwrap();
    assert!(losses.is_empty() && others.is_empty());
    let e = Tensor::from_f32(&g, &[0], &[]).unwrap();
    let t = Tensor::from_f32(&g, &[2], &[1.0, 2.0]).unwrap();
    let (losses, others) = log.read_with(&[&e, &t, &e]).unwrap();
    assert!(losses.is_empty());
    assert_eq!(others, vec![vec![], vec![1.0, 2.0], vec![]]);
}
