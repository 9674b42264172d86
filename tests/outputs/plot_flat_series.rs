//! `plot::line_plot` draws a flat series at any magnitude. A constant series gets a range of
//! ±0.5 around its value; at 1e20 that padding is below the value's f64 spacing (16384), so the
//! range stayed empty, every point mapped to NaN and nothing but the axes was drawn (tick labels
//! piled up at the top). A flat loss curve of a diverged run (say 3e38 at every epoch) is the
//! case in practice. Exact pixel checks: some pixel of the series colour must be drawn, and its
//! row must lie inside the plot area.

use synchgraph::report::plot::line_plot;

/// First series colour of the palette (`PALETTE[0]` in src/report/plot/mod.rs).
const SERIES: [u8; 3] = [31, 119, 180];

fn series_rows(path: &std::path::Path) -> Vec<u32> {
    let img = image::open(path).unwrap().to_rgb8();
    // The legend swatch sits at the top right (x >= 600); look left of it.
    img.enumerate_pixels()
        .filter(|(x, _, p)| *x < 600 && p.0 == SERIES)
        .map(|(_, y, _)| y)
        .collect()
}

#[test]
fn a_flat_series_is_drawn_at_any_magnitude() {
    let dir = std::env::temp_dir().join(format!("sg-review3-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for value in [0.0f32, 1.0, -7.5, 1e6, 1e20, -1e20, 3e38, f32::MAX] {
        let path = dir.join("flat.png");
        line_plot(&path, "FLAT", "epoch", &[("loss", &[value; 5])]).unwrap();
        let rows = series_rows(&path);
        assert!(!rows.is_empty(), "a flat series at {value} drew no pixel");
        // The plot area spans rows 40..450 (top 40, bottom margin 50 of 500).
        assert!(
            rows.iter().all(|&y| (40..=451).contains(&y)),
            "{value}: series rows {:?}",
            (rows.iter().min(), rows.iter().max())
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
