//! `Unary::Tanh` near zero, where tanh(x) is about x: the result must keep its relative
//! accuracy (an exp-based tanh loses it to cancellation, giving 1.19e-7 for tanh(1e-7)).
//! Tolerance, against `f64::tanh` rounded to f32: 4e-7 |ref| (a few ulp) for |x| < 0.625, where
//! the shader's own polynomial runs, and 2e-6 |ref| above, where the driver's tanh runs and its
//! result is at least 0.55. Inputs stay above the f32 subnormal range, which a device may flush
//! to zero.

use crate::common;
use common::*;
use synchgraph::kernels::elementwise::{unary, Unary};
use synchgraph::Tensor;

#[test]
fn tanh_keeps_relative_accuracy_near_zero() {
    let gpu = gpu();
    let mut x = vec![
        1e-30, 1e-12, 1e-7, 3e-5, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.62, 0.63, 0.7, 1.0, 2.0, 5.0,
    ];
    x.extend(x.clone().iter().map(|v| -v));
    let mut rng = Rng(41);
    x.extend(rng.vec(500, -1.0, 1.0));
    let t = Tensor::from_f32(&gpu, &[x.len()], &x).unwrap();
    let got = unary(&t, Unary::Tanh).unwrap().to_f32().unwrap();
    for (v, g) in x.iter().zip(&got) {
        let want = f64::from(*v).tanh() as f32;
        let rtol = if v.abs() < 0.625 { 4e-7 } else { 2e-6 };
        assert!(
            (g - want).abs() <= rtol * want.abs(),
            "tanh({v:e}) = {g:e}, want {want:e}"
        );
    }
    // Zeros keep their sign.
    let z = Tensor::from_f32(&gpu, &[2], &[0.0, -0.0]).unwrap();
    let got = unary(&z, Unary::Tanh).unwrap().to_f32().unwrap();
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        [0.0f32.to_bits(), (-0.0f32).to_bits()],
        "{got:?}"
    );
}
