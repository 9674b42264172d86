//! Long figure titles are drawn whole. A line plot centred its title at scale 2 (12 px a
//! character) in an 800 px figure, so a title of more than 66 characters ran past both edges and
//! lost its first and last characters; a raster drew its title from x = 20 and lost the end of
//! one of more than 73. Long titles now wrap onto more lines (at a smaller scale where two lines
//! are not enough, moving the plot area down). Checked on the pixels: a title of dots must show
//! one separate blob of ink per dot, above the plot area and clear of the edges.

use std::path::PathBuf;

use synchgraph::report::plot;

/// Text colour (`BLACK` in src/report/plot/mod.rs) and grid colour (`GREY`).
const INK: [u8; 3] = [20, 20, 20];
const GRID: [u8; 3] = [210, 210, 210];

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-plot-long-titles-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A title of `words` words of `letters` dots each.
fn dots(words: usize, letters: usize) -> String {
    vec![".".repeat(letters); words].join(" ")
}

/// The blobs of ink (4-connected) in rows `0..bottom` of `img`, and whether any touches the
/// left or right edge.
fn blobs(img: &image::RgbImage, bottom: u32) -> (usize, bool) {
    let (w, h) = (img.width(), bottom.min(img.height()));
    let mut seen = vec![false; (w * h) as usize];
    let (mut count, mut at_edge) = (0, false);
    for y0 in 0..h {
        for x0 in 0..w {
            if seen[(y0 * w + x0) as usize] || img.get_pixel(x0, y0).0 != INK {
                continue;
            }
            count += 1;
            let mut stack = vec![(x0, y0)];
            seen[(y0 * w + x0) as usize] = true;
            while let Some((x, y)) = stack.pop() {
                at_edge |= x == 0 || x == w - 1;
                let next = [
                    (x.wrapping_sub(1), y),
                    (x + 1, y),
                    (x, y.wrapping_sub(1)),
                    (x, y + 1),
                ];
                for (nx, ny) in next {
                    if nx < w && ny < h {
                        let k = (ny * w + nx) as usize;
                        if !seen[k] && img.get_pixel(nx, ny).0 == INK {
                            seen[k] = true;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
        }
    }
    (count, at_edge)
}

/// The first row of a run of `run` rows of `colour` at `x` (a grid line, or an axis, whose run
/// of 20 rows no glyph of a title has): the top of the plot area.
fn first_row(img: &image::RgbImage, x: u32, colour: [u8; 3], run: u32) -> u32 {
    (0..img.height() - run)
        .find(|&y| (y..y + run).all(|y| img.get_pixel(x, y).0 == colour))
        .expect("no plot area")
}

/// Every one of the `dots` of `title` is drawn above row `top` of `img`, none at an edge.
fn assert_drawn_whole(img: &image::RgbImage, top: u32, title: &str, dots: usize) {
    let (count, at_edge) = blobs(img, top);
    assert_eq!(count, dots, "{} characters: dots lost", title.len());
    assert!(
        !at_edge,
        "{} characters: the title touches an edge",
        title.len()
    );
}

#[test]
fn long_line_plot_titles_are_drawn_whole() {
    let series = [1.0f32, 0.5, 0.25];
    // 65 and 66 characters fit one line; 99 take two lines; 129, 399 and 999 take lines at
    // the small scale.
    for (words, letters) in [(6, 10), (2, 32), (10, 9), (13, 9), (40, 9), (100, 9)] {
        let title = dots(words, letters);
        let path = scratch(&format!("line-{words}.png"));
        plot::line_plot(&path, &title, "epoch", &[("loss", &series)]).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        // The top tick label starts 3 px above the top grid line; the title ends above it.
        let top = first_row(&img, 400, GRID, 1);
        assert_drawn_whole(&img, top - 4, &title, words * letters);
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn long_raster_titles_are_drawn_whole() {
    for (words, letters) in [(7, 9), (10, 9), (30, 9)] {
        let title = dots(words, letters);
        let path = scratch(&format!("raster-{words}.png"));
        plot::raster_plot(&path, &title, &[(0, 1.0)], 2, 10.0, 1).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        // The y axis is drawn at x = 60 from the top of the plot area; the "0" of the first row
        // is drawn beside it, at its top.
        let top = first_row(&img, 60, INK, 20);
        assert_drawn_whole(&img, top, &title, words * letters);
        let _ = std::fs::remove_file(&path);
    }
}

/// A title too long for a third of the figure is cut, ending in "...", and the plot area keeps
/// the rest of the figure; a title of one unbroken word is cut into lines.
#[test]
fn a_very_long_title_is_cut_and_the_plot_keeps_its_room() {
    let series = [1.0f32, 0.5];
    for title in ["AB ".repeat(3000), "X".repeat(500)] {
        let path = scratch(&format!("cut-{}.png", title.len()));
        plot::line_plot(&path, &title, "epoch", &[("loss", &series)]).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        let top = first_row(&img, 400, GRID, 1);
        assert!(top <= 500 / 3 + 6, "the plot area starts at row {top}");
        let (_, at_edge) = blobs(&img, top - 4);
        assert!(!at_edge, "the title touches an edge");
        let _ = std::fs::remove_file(&path);
    }
    let path = scratch("cut-raster.png");
    plot::raster_plot(&path, &"AB ".repeat(3000), &[(0, 1.0)], 2, 10.0, 1).unwrap();
    let _ = std::fs::remove_file(&path);
}
