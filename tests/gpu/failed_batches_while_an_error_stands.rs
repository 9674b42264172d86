//! A batch that fails while an earlier failure still stands is not forgotten: acknowledging the
//! standing error names it too, so no tensor it should have written is read as if it were good
//! without the caller having been told. Each test opens its own device.

use crate::common;

use common::record_invalid_dispatch;
use synchgraph::kernels::elementwise::scale;
use synchgraph::{Error, Gpu, Tensor};

#[test]
fn clear_error_names_a_batch_that_failed_while_the_first_error_stood() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    record_invalid_dispatch(&gpu);
    assert!(gpu.flush().is_err(), "the first batch fails");
    // A second failing batch, submitted while the first error stands.
    record_invalid_dispatch(&gpu);
    let y = scale(&x, 5.0).unwrap();
    assert!(gpu.flush().is_err());
    let cleared = gpu.clear_error().expect("a standing error");
    assert!(matches!(cleared, Error::Validation { .. }), "{cleared}");
    assert!(
        cleared.to_string().contains("1 later batch failed"),
        "the second failed batch is not named: {cleared}"
    );
    // Acknowledged together: the device works on.
    assert!(gpu.clear_error().is_none());
    let _ = y;
    assert_eq!(
        scale(&x, 2.0).unwrap().to_f32().unwrap(),
        vec![2.0, -4.0, 6.0]
    );
}
