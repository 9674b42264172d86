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

/// A range wider than the largest f32 (`high - low` overflows to infinity) is still sampled
/// uniformly: every value is finite and in [low, high), and each tenth of the range gets about
/// a tenth of 20,000 draws (between 8% and 12%, over 10 standard deviations of a binomial
/// count from the ideal 10%). Such a range used to give one value, the largest f32 below high,
/// for every element.
#[test]
fn uniform_over_a_range_wider_than_f32_max() {
    let gpu = gpu();
    let n = 20_000;
    for (low, high) in [(-f32::MAX, f32::MAX), (-3e38f32, 2e38f32)] {
        let v = uniform(&gpu, &[n], low, high, 99)
            .unwrap()
            .to_f32()
            .unwrap();
        let out = v.iter().position(|x| !(low..high).contains(x));
        assert_eq!(out, None, "[{low:e}, {high:e}): {:?}", out.map(|i| v[i]));
        let mut bins = [0usize; 10];
        let width = f64::from(high) - f64::from(low);
        for &x in &v {
            let b = ((f64::from(x) - f64::from(low)) / width * 10.0) as usize;
            bins[b.min(9)] += 1;
        }
        for (b, &count) in bins.iter().enumerate() {
            assert!(
                (n * 8 / 100..=n * 12 / 100).contains(&count),
                "[{low:e}, {high:e}): tenth {b} got {count} of {n} draws: {bins:?}"
            );
        }
    }
}

/// Bounds that give no distribution are an [`Error::InvalidInput`] naming the op, not a
/// tensor: `low > high` (values came back in (high, low]), a NaN or infinite bound (NaN and
/// infinite values), and for `normal` a NaN or infinite mean or a NaN, infinite or negative
/// standard deviation. `low == high` gives `low` everywhere, and a zero deviation the mean.
#[test]
fn random_fills_refuse_bounds_without_a_distribution() {
    use synchgraph::kernels::random::normal;
    use synchgraph::Error;
    let gpu = gpu();
    let refused = |what: &str, r: synchgraph::Result<synchgraph::Tensor>, op: &str| match r {
        Err(e @ Error::InvalidInput(_)) => assert!(e.to_string().contains(op), "{what}: {e}"),
        other => panic!("{what}: expected InvalidInput, got {other:?}"),
    };
    for (low, high) in [
        (2.0f32, 1.0f32),
        (f32::NAN, 1.0),
        (0.0, f32::NAN),
        (f32::NEG_INFINITY, 0.0),
        (0.0, f32::INFINITY),
        (f32::NEG_INFINITY, f32::INFINITY),
    ] {
        let what = format!("uniform [{low}, {high})");
        refused(&what, uniform(&gpu, &[8], low, high, 1), "uniform");
    }
    for (mean, std) in [
        (0.0f32, -1.0f32),
        (0.0, f32::NAN),
        (0.0, f32::INFINITY),
        (f32::NAN, 1.0),
        (f32::INFINITY, 1.0),
    ] {
        let what = format!("normal({mean}, {std})");
        refused(&what, normal(&gpu, &[8], mean, std, 1), "normal");
    }
    let same = uniform(&gpu, &[5], 1.5, 1.5, 3).unwrap().to_f32().unwrap();
    assert_eq!(same, [1.5; 5]);
    let flat = normal(&gpu, &[5], -2.0, 0.0, 3).unwrap().to_f32().unwrap();
    assert_eq!(flat, [-2.0; 5]);
}
