//! `StepLosses`, the per-step loss log that training loops keep on the GPU: recorded losses
//! read back exactly and in order, the first non-finite one is found, and a wrong shape or a
//! step past the capacity is an error.

use crate::common;

use synchgraph::autodiff::StepLosses;
use synchgraph::Tensor;

#[test]
fn recorded_losses_read_back_in_step_order() {
    let gpu = common::gpu();
    let values = [1.5f32, f32::NAN, -2.25, 1e-7, 3.0];
    let mut log = StepLosses::new(&gpu, values.len()).unwrap();
    assert!(log.is_empty() && log.read().unwrap().is_empty());
    for v in values {
        // Each loss is a fresh one-element tensor, dropped right after it is recorded, as in
        // a training step: the copy must still see its value.
        log.record(&Tensor::from_f32(&gpu, &[1], &[v]).unwrap())
            .unwrap();
    }
    assert_eq!(log.len(), values.len());
    let got = log.read().unwrap();
    // A buffer copy: bit-exact, NaN included.
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&values));
    let (step, loss) = StepLosses::first_non_finite(&got).unwrap();
    assert_eq!(step, 1);
    assert!(loss.is_nan());
    assert_eq!(StepLosses::first_non_finite(&[0.5, 1.0]), None);
}

#[test]
fn a_row_of_a_larger_tensor_is_recorded_from_its_offset() {
    let gpu = common::gpu();
    let t = Tensor::from_f32(&gpu, &[3, 1], &[4.0, 5.0, 6.0]).unwrap();
    let mut log = StepLosses::new(&gpu, 2).unwrap();
    log.record(&t.rows(2, 3).unwrap()).unwrap();
    log.record(&t.rows(0, 1).unwrap()).unwrap();
    assert_eq!(log.read().unwrap(), [6.0, 4.0]);
}

#[test]
fn wrong_shapes_and_overflow_are_errors() {
    let gpu = common::gpu();
    let mut log = StepLosses::new(&gpu, 1).unwrap();
    let two = Tensor::from_f32(&gpu, &[2], &[1.0, 2.0]).unwrap();
    let e = log.record(&two).unwrap_err().to_string();
    assert!(e.contains("one element"), "{e}");
    let ints = Tensor::from_u32(&gpu, &[1], &[1]).unwrap();
    assert!(log.record(&ints).is_err());
    let one = Tensor::from_f32(&gpu, &[1], &[1.0]).unwrap();
    log.record(&one).unwrap();
    let e = log.record(&one).unwrap_err().to_string();
    assert!(e.contains("holds 1 steps"), "{e}");
    assert_eq!(log.read().unwrap(), [1.0]);
}
