//! `random::uniform` stays in [low, high). For seed 1568, element 680 draws u = 1 - 2^-24, the
//! largest value of the 24-bit grid, and low + (high - low) * u rounds to high for [1, 2) and
//! [-3, -2) (found by replaying the shader's hash on the CPU). That element must be the largest
//! f32 below high; every element must lie in [low, high). Exact comparisons.

use crate::common;
use common::*;
use synchgraph::kernels::random::uniform;

#[test]
fn uniform_never_returns_high() {
    let gpu = gpu();
    let (seed, hit, n) = (1568u64, 680usize, 1000usize);
    for (low, high, below) in [
        (1.0f32, 2.0f32, f32::from_bits(2.0f32.to_bits() - 1)),
        (-3.0, -2.0, f32::from_bits((-2.0f32).to_bits() + 1)),
    ] {
        let v = uniform(&gpu, &[n], low, high, seed)
            .unwrap()
            .to_f32()
            .unwrap();
        let out = v.iter().position(|x| !(low..high).contains(x));
        assert_eq!(
            out,
            None,
            "[{low}, {high}): element {out:?} is {:?}",
            out.map(|i| v[i])
        );
        assert_eq!(v[hit], below, "[{low}, {high}) element {hit}");
    }
}
