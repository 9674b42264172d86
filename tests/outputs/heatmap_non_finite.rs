//! Heatmap cells that are NaN or infinite are drawn in a colour off the colour map, and a
//! matrix with no finite value at all draws no colour bar (there is no range to label).

use std::path::PathBuf;

use image::Rgb;
use synchgraph::report::plot;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-review-heatmap-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn on_colormap(c: Rgb<u8>) -> bool {
    (0..=1000).any(|k| plot::colormap(k as f32 / 1000.0) == c)
}

/// Colour at the centre of cell (r, c) of a heatmap of `rows` x `cols` (the layout of
/// `plot::heatmap`: cells from (20, 50), `cell` pixels each).
fn cell_colour(img: &image::RgbImage, rows: usize, cols: usize, r: u32, c: u32) -> Rgb<u8> {
    let cell = (600 / rows.max(cols)).clamp(1, 40) as u32;
    *img.get_pixel(20 + c * cell + cell / 2, 50 + r * cell + cell / 2)
}

#[test]
fn non_finite_cells_are_drawn_off_the_colormap() {
    let path = scratch("mixed.png");
    let values = [0.0, 1.0, f32::NAN, 2.0, f32::INFINITY, f32::NEG_INFINITY];
    plot::heatmap(&path, "mixed", &values, 2, 3).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(cell_colour(&img, 2, 3, 0, 0), plot::colormap(0.0));
    assert_eq!(cell_colour(&img, 2, 3, 1, 0), plot::colormap(1.0));
    for (r, c) in [(0, 2), (1, 1), (1, 2)] {
        let got = cell_colour(&img, 2, 3, r, c);
        assert!(
            !on_colormap(got),
            "cell ({r}, {c}) is {got:?}, a colour of the map"
        );
        assert_eq!(got, plot::NON_FINITE);
    }
}

#[test]
fn an_all_non_finite_matrix_has_no_colour_bar() {
    for (name, v) in [("nan.png", f32::NAN), ("inf.png", f32::INFINITY)] {
        let path = scratch(name);
        plot::heatmap(&path, "no finite values", &[v; 4], 2, 2).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        for (r, c) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            assert_eq!(cell_colour(&img, 2, 2, r, c), plot::NON_FINITE);
        }
        // The colour bar sits 20 px right of the grid of 40 px cells; with no finite value
        // there is no range for it (or its labels) to show.
        let (gw, gh) = (2 * 40, 2 * 40);
        let bar = *img.get_pixel(20 + gw + 20 + 10, 50 + gh / 2);
        assert!(!on_colormap(bar), "a colour bar was drawn: {bar:?}");
    }
}
