//! Figures of small or extreme inputs keep every label legible. A loss series whose whole range
//! is below 1e-12 (say 1e-13 .. 5e-13) was taken for a flat one and drawn as a horizontal line
//! with ticks from -0.5 to 0.5; a heatmap of a few nodes (`train lgrin --nodes 4`) was narrower
//! than its title, which was cut off; a heatmap of one row had its colour bar's two bound labels
//! drawn over each other; the last epoch of a 100000-epoch curve lost its last digit past the
//! right edge; long y tick labels lost their minus sign past the left edge; and a one-epoch curve
//! labelled an epoch 1 that was never run. Checked on the drawn pixels.

use std::path::{Path, PathBuf};

use synchgraph::report::plot;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-small-figures-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// First series colour of the palette (`PALETTE[0]` in src/report/plot/mod.rs).
const SERIES: [u8; 3] = [31, 119, 180];

/// The rows of the pixels of colour `colour` left of `x_max` in the PNG at `path`.
fn rows_of(path: &Path, colour: [u8; 3], x_max: u32) -> Vec<u32> {
    let img = image::open(path).unwrap().to_rgb8();
    img.enumerate_pixels()
        .filter(|(x, _, p)| *x < x_max && p.0 == colour)
        .map(|(_, y, _)| y)
        .collect()
}

/// A series that moves over a range below 1e-12 is drawn across the plot area, not flat.
#[test]
fn a_series_of_tiny_range_is_not_drawn_flat() {
    let path = scratch("tiny.png");
    let series = [5e-13f32, 1e-13, 2e-13, 3e-13];
    plot::line_plot(&path, "TINY", "epoch", &[("loss", &series)]).unwrap();
    // The legend swatch sits at the top right (x >= 600); look left of it.
    let rows = rows_of(&path, SERIES, 600);
    let (lo, hi) = (rows.iter().min().unwrap(), rows.iter().max().unwrap());
    assert!(
        hi - lo > 300,
        "a series over 1e-13 .. 5e-13 spans rows {lo}..{hi} of the 410 of the plot area"
    );
}

/// A heatmap of a few nodes is at least as wide as its title (drawn from x = 20 at scale 2,
/// 12 px a character), so the title's last letter is drawn whole.
#[test]
fn a_small_heatmap_is_as_wide_as_its_title() {
    let path = scratch("small_heatmap.png");
    let title = "fixed normalised temporal adjacency";
    plot::heatmap(&path, title, &[0.0, 1.0, 1.0, 0.0], 2, 2).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    let needed = 20 + 12 * title.len() as u32;
    assert!(
        img.width() >= needed,
        "the heatmap is {} px wide, its title needs {needed}",
        img.width()
    );
}

/// The colour bar labels of a one-row heatmap are two separate bands of ink, not one smudge.
#[test]
fn the_colour_bar_labels_of_a_one_row_heatmap_do_not_overlap() {
    let path = scratch("one_row.png");
    let values: Vec<f32> = (0..50).map(|v| v as f32).collect();
    plot::heatmap(&path, "ONE ROW", &values, 1, 50).unwrap();
    // 50 columns of 12 px: the grid ends at x = 620, the colour bar's labels start at 666.
    let img = image::open(&path).unwrap().to_rgb8();
    let inked: Vec<bool> = (40..img.height())
        .map(|y| (666..img.width()).any(|x| img.get_pixel(x, y).0 == [20, 20, 20]))
        .collect();
    let bands = inked
        .iter()
        .zip(std::iter::once(&false).chain(&inked))
        .filter(|(now, before)| **now && !**before)
        .count();
    assert_eq!(bands, 2, "ink rows right of the colour bar: {inked:?}");
}

/// The last epoch's label under the x axis is drawn whole however many digits it has (at
/// 100000 epochs "99999" started 4 px left of the right edge and lost its last digit).
#[test]
fn the_last_x_label_of_a_long_curve_is_drawn_whole() {
    let path = scratch("long.png");
    let series: Vec<f32> = (0..100_000).map(|i| 1.0 / (1.0 + i as f32)).collect();
    plot::line_plot(&path, "LONG", "epoch", &[("loss", &series)]).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // The x tick labels sit 8 px under the axis (row 450): rows 458..465, right half.
    let inked: Vec<bool> = (400..img.width())
        .map(|x| (458..465).any(|y| img.get_pixel(x, y).0 == [20, 20, 20]))
        .collect();
    // Each "9" inks all five of its columns, with one blank column between glyphs.
    let glyphs = inked
        .iter()
        .zip(std::iter::once(&false).chain(&inked))
        .filter(|(now, before)| **now && !**before)
        .count();
    assert_eq!(glyphs, 5, "ink columns of the last x label: {inked:?}");
}

/// Long y tick labels (the extra digits that tell close ticks apart) are drawn whole, minus
/// sign included, rather than cut at the figure's left edge.
#[test]
fn long_y_tick_labels_keep_their_minus_sign() {
    let path = scratch("long_ticks.png");
    plot::line_plot(&path, "T", "epoch", &[("s", &[-1e20f32, -1.000_000_2e20])]).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // The bottom tick (row 450) is labelled in rows 447..454, left of the y axis (x = 80).
    let ink = |x: u32, y: u32| img.get_pixel(x, y).0 == [20, 20, 20];
    let first = (0..78).find(|&x| (447..454).any(|y| ink(x, y))).unwrap();
    // Its first glyph is a minus: five columns inked on the glyph's middle row (450) only.
    let minus = (first..first + 5).all(|x| (447..454).all(|y| ink(x, y) == (y == 450)));
    assert!(
        minus,
        "the bottom tick label does not start with a whole minus (x = {first})"
    );
}

/// A curve of one epoch labels its x axis with that epoch, "0", only: the right end was labelled
/// "1", an epoch that was never run.
#[test]
fn a_curve_of_one_epoch_labels_only_that_epoch() {
    let path = scratch("one_epoch.png");
    plot::line_plot(&path, "ONE", "epoch", &[("loss", &[0.7])]).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // The x tick labels sit 8 px under the axis (row 450): rows 458..465.
    let inked: Vec<bool> = (0..img.width())
        .map(|x| (458..465).any(|y| img.get_pixel(x, y).0 == [20, 20, 20]))
        .collect();
    let glyphs = inked
        .iter()
        .zip(std::iter::once(&false).chain(&inked))
        .filter(|(now, before)| **now && !**before)
        .count();
    assert_eq!(glyphs, 1, "x labels of a one-epoch curve: {glyphs} glyphs");
}
