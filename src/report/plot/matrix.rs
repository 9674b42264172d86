//! Matrix figures: heatmaps (e.g. the learned adjacency) with a colour bar, and confusion
//! matrices coloured by recall with their counts.

use std::path::Path;

use image::RgbImage;

use super::{colormap, fill, save_png, tick_labels, BLACK, NON_FINITE, WHITE};
use crate::error::{Error, Result};
use crate::report::font::{draw_text, text_width, ADVANCE, HEIGHT};
use crate::report::metrics::Confusion;

/// Draw a row-major `[rows, cols]` matrix as a heatmap (e.g. the learned ReLU(A)), scaled to
/// the min..max of its finite values, with a colour bar labelled by those bounds. NaN and
/// infinite cells are drawn in [`NON_FINITE`] grey, off the colour map, and a grey swatch
/// labelled "NAN/INF" under the colour bar says so; a matrix with no finite value at all has
/// no range to show, so it gets no colour bar, only "NO FINITE VALUES" in its place. The figure
/// is at least as wide as its title, and the bound labels stay apart beside a grid of one row.
pub fn heatmap(path: &Path, title: &str, values: &[f32], rows: usize, cols: usize) -> Result<()> {
    if rows.checked_mul(cols) != Some(values.len()) || rows == 0 || cols == 0 {
        return Err(Error::shape(
            "plot",
            format!(
                "heatmap {}: {} values for a {rows}x{cols} matrix",
                path.display(),
                values.len()
            ),
        ));
    }
    let cell = (600 / rows.max(cols)).clamp(1, 40) as u32;
    let (gw, gh) = (cell * cols as u32, cell * rows as u32);
    // The colour bar's two bound labels (or the two lines in its place) are stacked apart even
    // where the grid is lower than both (a matrix of one row), and the figure is at least as
    // wide as its title (a matrix of a few nodes).
    let side_h = gh.max(2 * HEIGHT + 3);
    let w = (gw + 160).max(20 + text_width(title, 2) + 20);
    let h = side_h + 70;
    let mut img = RgbImage::from_pixel(w, h, WHITE);
    let finite = values.iter().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let any_finite = lo <= hi;
    // f64: the span of two finite f32 values can overflow f32.
    let span = if hi > lo {
        f64::from(hi) - f64::from(lo)
    } else {
        1.0
    };
    for r in 0..rows {
        for c in 0..cols {
            let v = values[r * cols + c];
            let color = if v.is_finite() {
                colormap(((f64::from(v) - f64::from(lo)) / span) as f32)
            } else {
                NON_FINITE
            };
            fill(
                &mut img,
                20 + c as u32 * cell,
                50 + r as u32 * cell,
                cell,
                cell,
                color,
            );
        }
    }
    let bar_x = 20 + gw + 20;
    let text_x = i64::from(bar_x) + 26;
    if any_finite {
        for y in 0..gh {
            let t = 1.0 - y as f32 / gh.max(1) as f32;
            fill(&mut img, bar_x, 50 + y, 20, 1, colormap(t));
        }
        let labels = tick_labels(&[f64::from(hi), f64::from(lo)]);
        draw_text(&mut img, text_x, 50, &labels[0], 1, BLACK);
        let lo_y = i64::from(50 + side_h) - i64::from(HEIGHT);
        draw_text(&mut img, text_x, lo_y, &labels[1], 1, BLACK);
    } else {
        draw_text(&mut img, i64::from(bar_x), 50, "NO FINITE", 1, BLACK);
        draw_text(&mut img, i64::from(bar_x), 60, "VALUES", 1, BLACK);
    }
    if values.iter().any(|v| !v.is_finite()) {
        // The swatch sits in the 20 px under the grid and colour bar.
        let y = 50 + side_h + 6;
        fill(&mut img, bar_x, y, 20, HEIGHT, NON_FINITE);
        draw_text(&mut img, text_x, i64::from(y), "NAN/INF", 1, BLACK);
    }
    draw_text(&mut img, 20, 15, title, 2, BLACK);
    save_png(&img, path)
}

/// The note under a confusion matrix.
const FOOTER: &str = "ROWS TRUE, COLUMNS PREDICTED";

/// Draw a confusion matrix: colour is the row-normalised rate (recall), each cell shows its
/// count, rows are true classes and columns predictions. The row of a class without samples,
/// whose recall is undefined, is drawn in [`NON_FINITE`] grey. Cells are 56 px up to 21 classes and
/// shrink beyond so that the grid stays within 1200 px up to 1200 classes (a cell is never
/// under 1 px, so more classes give a wider grid); counts and labels that no longer fit their
/// cells are left out, and so is the margin for the row labels. The figure is at least as wide
/// as its title and footer.
pub fn confusion_plot(
    path: &Path,
    title: &str,
    confusion: &Confusion,
    names: &[String],
) -> Result<()> {
    let k = confusion.classes;
    if names.len() != k || k == 0 {
        return Err(Error::shape(
            "plot",
            format!(
                "confusion plot {}: {} class names for {k} classes",
                path.display(),
                names.len()
            ),
        ));
    }
    // At 56 px a thousand classes would take a 9 GB image.
    let cell = (1200 / k).clamp(1, 56) as u32;
    // A one-pixel gap between cells where they are big enough to spare it.
    let inner = if cell > 3 { cell - 1 } else { cell };
    // Row labels are drawn where a cell is taller than the font.
    let row_labels = cell > HEIGHT;
    let label_w = if row_labels {
        names.iter().map(|n| text_width(n, 1)).max().unwrap_or(0)
    } else {
        0
    } + 16;
    let (ox, oy) = (label_w, 60u32);
    let grid_w = ox + cell * k as u32 + 20;
    // With one or two classes the grid is narrower than the title or the footer.
    let text_w = (6 + text_width(title, 2)).max(ox + text_width(FOOTER, 1)) + 10;
    let (w, h) = (grid_w.max(text_w), oy + cell * k as u32 + 40);
    let mut img = RgbImage::from_pixel(w, h, WHITE);
    for (r, row) in confusion.counts.iter().enumerate() {
        let total: u64 = row.iter().sum();
        for (c, &n) in row.iter().enumerate() {
            let t = if total > 0 {
                n as f32 / total as f32
            } else {
                0.0
            };
            let (x, y) = (ox + c as u32 * cell, oy + r as u32 * cell);
            // A class without samples has no recall: grey, not the colour of a rate of 0.
            let colour = if total > 0 { colormap(t) } else { NON_FINITE };
            fill(&mut img, x, y, inner, inner, colour);
            let text = n.to_string();
            let ink = if t > 0.6 { BLACK } else { WHITE };
            let fits = |scale: u32| text_width(&text, scale) < inner && HEIGHT * scale < inner;
            if let Some(scale) = [2, 1].into_iter().find(|&s| fits(s)) {
                let tx = i64::from(x + cell / 2) - i64::from(text_width(&text, scale) / 2);
                let ty = i64::from(y + cell / 2) - i64::from(HEIGHT * scale / 2);
                draw_text(&mut img, tx, ty, &text, scale, ink);
            }
        }
        if row_labels {
            let ny = i64::from(oy + r as u32 * cell + cell / 2) - 3;
            draw_text(&mut img, 6, ny, &names[r], 1, BLACK);
        }
    }
    for (c, name) in names.iter().enumerate() {
        let short: String = name.chars().take(8.min(cell / ADVANCE) as usize).collect();
        let tx = i64::from(ox + c as u32 * cell + cell / 2) - i64::from(text_width(&short, 1) / 2);
        draw_text(&mut img, tx, i64::from(oy) - 12, &short, 1, BLACK);
    }
    draw_text(&mut img, 6, 12, title, 2, BLACK);
    draw_text(&mut img, i64::from(ox), i64::from(h) - 24, FOOTER, 1, BLACK);
    save_png(&img, path)
}
