//! Limits of the LoG filter's inputs: a sigma too small for a finite response, and image sizes
//! whose pixel count overflows.

use synchgraph::features::log_filter::{Gray, LogFilter};
use synchgraph::Error;

#[test]
fn a_sigma_too_small_for_a_finite_response_is_refused() {
    // Below 0.01 pixel the kernel's centre tap grows as 1/sigma^4 and, at 1e-10, the response
    // to a single bright pixel is infinite in f32.
    for s in [1e-10f32, 1e-6, 0.009] {
        assert!(
            matches!(LogFilter::new(s), Err(Error::InvalidInput(_))),
            "sigma {s}"
        );
        assert!(
            matches!(LogFilter::with_radius(s, 1), Err(Error::InvalidInput(_))),
            "sigma {s}"
        );
    }
    // The smallest accepted sigma gives finite responses.
    let f = LogFilter::new(0.01).unwrap();
    let mut dot = vec![0.0; 9];
    dot[4] = 1.0;
    let out = f.apply(&Gray::new(3, 3, dot).unwrap());
    assert!(out.data.iter().all(|v| v.is_finite()), "{:?}", out.data);
    assert!(out.data[4] < 0.0);
}

#[test]
fn an_image_size_whose_pixel_count_overflows_is_an_error() {
    // 2^33 x 2^31 pixels: the product wraps to 0 in usize arithmetic.
    let r = std::panic::catch_unwind(|| Gray::new(1 << 33, 1 << 31, Vec::new()));
    match r {
        Ok(Err(Error::Shape { .. })) | Ok(Err(Error::InvalidInput(_))) => {}
        Ok(other) => panic!("expected an error, got {other:?}"),
        Err(_) => panic!("Gray::new panicked on an overflowing size"),
    }
}
