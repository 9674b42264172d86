//! Axis labels name distinct values differently. Tick labels were printed at a fixed precision
//! by magnitude (no decimals from 100 up, three below, two significant digits in scientific
//! form), so a loss curve that moves little relative to its size, say 150.1 .. 150.9, had its
//! five ticks labelled "150", "150", "150", "151", "151", and the colour bar of a heatmap whose
//! values span 0.01001 .. 0.01004 read "0.010" at both ends. Checked on the drawn pixels.

use std::path::{Path, PathBuf};

use synchgraph::report::plot;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-tick-precision-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The pixels of the region `xs` x `ys` of the PNG at `path`.
fn region(path: &Path, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>) -> Vec<[u8; 3]> {
    let img = image::open(path).unwrap().to_rgb8();
    ys.flat_map(|y| xs.clone().map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect()
}

#[test]
fn the_ticks_of_a_narrow_range_have_distinct_labels() {
    for (lo, hi) in [(150.1f32, 150.9f32), (1.0e4, 1.0004e4), (0.0123, 0.01234)] {
        let path = scratch("narrow.png");
        plot::line_plot(&path, "T", "epoch", &[("s", &[lo, hi])]).unwrap();
        // Tick k (0 at the bottom) sits at row 450 - 410 k / 4 of the 800x500 layout, its label
        // left of the y axis (x < 80).
        let labels: Vec<Vec<[u8; 3]>> = (0..5u32)
            .map(|k| {
                let y = 450 - 410 * k / 4;
                region(&path, 0..78, y - 4..y + 6)
            })
            .collect();
        for (k, l) in labels.iter().enumerate() {
            assert!(
                l.iter().any(|p| p[0] < 100),
                "{lo}..{hi}: tick {k} has no label"
            );
        }
        for a in 0..5 {
            for b in a + 1..5 {
                assert_ne!(
                    labels[a], labels[b],
                    "{lo}..{hi}: ticks {a} and {b} carry the same label"
                );
            }
        }
    }
}

#[test]
fn the_colour_bar_of_a_narrow_range_has_distinct_bounds() {
    let path = scratch("heatmap.png");
    plot::heatmap(&path, "A", &[0.01001, 0.01004], 1, 2).unwrap();
    // Cells of 40 px: the grid is 80 x 40 from (20, 50), the colour bar at x = 120 and its
    // labels from x = 146, the top one at row 50 and the bottom one at row 50 + 40 - 7.
    let w = image::open(&path).unwrap().width();
    let top = region(&path, 146..w, 50..57);
    let bottom = region(&path, 146..w, 83..90);
    assert!(top.iter().any(|p| p[0] < 100), "no upper bound drawn");
    assert_ne!(top, bottom, "the colour bar's bounds carry the same label");
}
