//! Xavier initialisation of a shape whose fan_in + fan_out overflows `usize` is an error (the
//! allocation refuses the size), not a panic: `fans` added the two dimensions unchecked, which
//! panicked with "attempt to add with overflow" in debug builds before the size was looked at.
//! `Lgrin::new` reached it with a hidden width or class count near `usize::MAX` (from a
//! configuration or a checkpoint's metadata). Exact checks only.
use crate::common;

use common::gpu;
use synchgraph::autodiff::init::{xavier_normal, xavier_uniform};

#[test]
fn an_overflowing_fan_sum_is_an_error_not_a_panic() {
    let g = gpu();
    for shape in [[usize::MAX, 2], [2, usize::MAX], [usize::MAX, usize::MAX]] {
        for normal in [false, true] {
            let name = if normal { "normal" } else { "uniform" };
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let t = if normal {
                    xavier_normal(&g, &shape, 1)
                } else {
                    xavier_uniform(&g, &shape, 1)
                };
                t.map(|t| t.numel())
            }));
            match r {
                Ok(Err(e)) => assert!(e.to_string().contains("overflow"), "{e}"),
                Ok(Ok(n)) => panic!("xavier {name} {shape:?} gave {n} elements"),
                Err(_) => panic!("xavier {name} {shape:?} panicked"),
            }
        }
    }
    // An ordinary shape still initialises within ±sqrt(6 / (fan_in + fan_out)).
    let a = (6.0f32 / 7.0).sqrt();
    let w = xavier_uniform(&g, &[3, 4], 1).unwrap().to_f32().unwrap();
    assert!(w.iter().all(|v| v.abs() <= a), "{w:?}");
}
