//! A series with no finite value (the validation curve of a run whose validation part is empty,
//! as in the README's example) draws nothing, so its legend entry must not show its colour as if
//! a line of it were on the figure: the legend says it has no values instead.

use synchgraph::report::plot::line_plot;

/// Second series colour of the palette (`PALETTE[1]` in src/report/plot/mod.rs).
const SECOND: [u8; 3] = [255, 127, 14];

#[test]
fn a_series_without_finite_values_shows_no_colour_in_the_legend() {
    let dir = std::env::temp_dir().join(format!("sg-plot-empty-series-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("loss.png");
    let nan = [f32::NAN; 3];
    line_plot(
        &path,
        "LOSS",
        "epoch",
        &[("train loss", &[3.0, 2.0, 1.0]), ("validation CE", &nan)],
    )
    .unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    let drawn = img.pixels().filter(|p| p.0 == SECOND).count();
    assert_eq!(drawn, 0, "{drawn} pixels of the empty series' colour");
    // Its legend line is still there, as text (dark pixels right of the swatch column).
    let text = img
        .enumerate_pixels()
        .filter(|(x, y, p)| *x >= 640 && (64..72).contains(y) && p.0[0] < 100)
        .count();
    assert!(text > 0, "the empty series has no legend text");
    std::fs::remove_dir_all(&dir).unwrap();
}
