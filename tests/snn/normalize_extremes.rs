//! Weight normalisation at the ends of the f32 range: a column of tiny weights, whose `total /
//! sum` overflows f32, and a column of huge ones, whose sum overflows, are scaled to sum to
//! `total` like any other column (they once became infinite and zero). Tolerance: 1e-6 +
//! 1e-5 |ref|, as for the folded-grid normalisation test.

use crate::common;

use common::assert_close;
use synchgraph::snn::config::Config;
use synchgraph::snn::stdp::{normalize, normalize_reference, StdpParams};
use synchgraph::Tensor;

#[test]
fn tiny_and_huge_columns_are_scaled_to_the_total() {
    let g = common::gpu();
    let cfg = Config::default();
    let (n_pre, n_post) = (3usize, 4usize);
    let mut sc = cfg.stdp.clone();
    sc.norm_total = 78.0;
    let p = StdpParams::new(&sc, cfg.sim.dt_ms, n_pre as u32, n_post as u32);
    // Columns: tiny normal weights (sum 6e-38: 78 / sum is past f32::MAX), weights whose sum
    // (9e38) is past f32::MAX, ordinary weights, and an all-zero column that stays zero.
    let rows: [[f32; 4]; 3] = [
        [2e-38, 3e38, 0.25, 0.0],
        [1e-38, 3e38, 0.5, 0.0],
        [3e-38, 3e38, 1.0, 0.0],
    ];
    let w: Vec<f32> = rows.iter().flatten().copied().collect();
    let tw = Tensor::from_f32(&g, &[n_pre, n_post], &w).unwrap();
    normalize(&g, &p, &tw).unwrap();
    let mut want: Vec<f64> = w.iter().map(|&x| f64::from(x)).collect();
    normalize_reference(&p, &mut want);
    let want: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    assert_close("normalize", &tw.to_f32().unwrap(), &want, 1e-6, 1e-5);
}
