//! `plot::heatmap` with a `rows x cols` shape whose product overflows `usize` is a shape error,
//! not an arithmetic-overflow panic (nor, in release builds, a wrapped product that passes the
//! size check and then indexes past the values).

use synchgraph::report::plot;

#[test]
fn heatmap_with_overflowing_shape_is_an_error() {
    let dir = std::env::temp_dir().join(format!("sg-r3-heat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("h.png");
    // 2^63 x 2 wraps to 0, which equals the empty value list.
    let r = std::panic::catch_unwind(|| plot::heatmap(&path, "t", &[], usize::MAX / 2 + 1, 2));
    let r = r.expect("heatmap panicked on an overflowing shape");
    assert!(r.is_err(), "an overflowing shape was accepted");
    assert!(!path.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
