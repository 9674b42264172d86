//! Intensity scaling of Synch-Graph features when the fitted range is wider than f32 can hold.

use synchgraph::models::synchgraph_features::{log_response, scale_to_intensity};

#[test]
fn a_fitted_range_wider_than_f32_still_scales_finite_values() {
    // max - min of these finite fitting values overflows f32: the scale became infinite, the
    // fitted maximum read NaN (infinity over infinity) and the middle read 0.
    let mut rows = vec![vec![-3e38f32], vec![3e38], vec![0.0], vec![f32::MAX]];
    scale_to_intensity(&mut rows, &[0, 1]).unwrap();
    let got: Vec<f32> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(got[0], 0.0, "{got:?}");
    assert_eq!(got[1], 255.0, "{got:?}");
    assert!((got[2] - 127.5).abs() < 1e-3, "{got:?}");
    // A held-out value past the fitted maximum is clamped, as for any range.
    assert_eq!(got[3], 255.0, "{got:?}");
}

#[test]
fn a_log_image_side_whose_square_overflows_is_an_error() {
    // side * side overflowed (a panic in debug builds) before the length was compared.
    let err = log_response(&[0.0; 4], 1 << 33).unwrap_err().to_string();
    assert!(err.contains("4 pixels"), "{err}");
}
