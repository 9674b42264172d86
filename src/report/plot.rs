//! PNG figures drawn directly into an `image` buffer: loss curves, heatmaps (learned
//! adjacency), confusion matrices and spike rasters. Files are written atomically.

use std::path::Path;

use image::{codecs::png::PngEncoder, ImageEncoder, Rgb, RgbImage};

use super::atomic::write_atomic;
use super::font::{draw_text, text_width, ADVANCE, HEIGHT};
use super::metrics::Confusion;
use crate::error::{Error, Result};

const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
const BLACK: Rgb<u8> = Rgb([20, 20, 20]);
const GREY: Rgb<u8> = Rgb([210, 210, 210]);
/// Line colours for successive series.
const PALETTE: [Rgb<u8>; 6] = [
    Rgb([31, 119, 180]),
    Rgb([255, 127, 14]),
    Rgb([44, 160, 44]),
    Rgb([214, 39, 40]),
    Rgb([148, 103, 189]),
    Rgb([140, 86, 75]),
];

fn save_png(img: &RgbImage, path: &Path) -> Result<()> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| Error::InvalidInput(format!("encoding {}: {e}", path.display())))?;
    write_atomic(path, &bytes)
}

fn line(img: &mut RgbImage, (x0, y0): (f64, f64), (x1, y1): (f64, f64), color: Rgb<u8>) {
    let steps = ((x1 - x0).abs().max((y1 - y0).abs()).ceil() as usize).max(1);
    for s in 0..=steps {
        let t = s as f64 / steps as f64;
        let (x, y) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
        for (dx, dy) in [(0.0, 0.0), (0.0, 1.0)] {
            let (px, py) = ((x + dx).round(), (y + dy).round());
            if px >= 0.0 && py >= 0.0 && px < f64::from(img.width()) && py < f64::from(img.height())
            {
                img.put_pixel(px as u32, py as u32, color);
            }
        }
    }
}

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: Rgb<u8>) {
    for py in y..(y + h).min(img.height()) {
        for px in x..(x + w).min(img.width()) {
            img.put_pixel(px, py, color);
        }
    }
}

/// Colour of a heatmap cell that is NaN or infinite: a mid grey, which the colour map (whose
/// colours all have unequal red, green and blue) never gives.
pub const NON_FINITE: Rgb<u8> = Rgb([150, 150, 150]);

/// A perceptually ordered colour map (dark blue → teal → yellow) for t in [0, 1].
pub fn colormap(t: f32) -> Rgb<u8> {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let stops = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let x = t * (stops.len() - 1) as f32;
    let i = (x.floor() as usize).min(stops.len() - 2);
    let f = x - i as f32;
    let c = |k: usize| (stops[i][k] + f * (stops[i + 1][k] - stops[i][k])).round() as u8;
    Rgb([c(0), c(1), c(2)])
}

/// `v` as an axis label with `extra` more digits than the base precision of its magnitude:
/// scientific with one decimal outside 0.01..10000, no decimals from 100 and three below.
fn fmt_tick(v: f64, extra: usize) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-2..1e4).contains(&a) {
        format!("{v:.*e}", 1 + extra)
    } else if a >= 100.0 {
        format!("{v:.*}", extra)
    } else {
        format!("{v:.*}", 3 + extra)
    }
}

/// Most digits added to the base precision of the labels: f32 data need no more than this
/// to tell two values apart.
const MAX_EXTRA_DIGITS: usize = 8;

/// Labels of the axis values `ticks`, at the base precision of their magnitudes where that
/// tells every two different values apart, else with as many more digits as it takes (a curve
/// over 150.1..150.9 would otherwise read "150" at three ticks).
fn tick_labels(ticks: &[f64]) -> Vec<String> {
    let labels =
        |extra: usize| -> Vec<String> { ticks.iter().map(|&v| fmt_tick(v, extra)).collect() };
    (0..MAX_EXTRA_DIGITS)
        .map(labels)
        .find(|l| {
            (0..ticks.len())
                .all(|i| (i + 1..ticks.len()).all(|j| ticks[i] == ticks[j] || l[i] != l[j]))
        })
        .unwrap_or_else(|| labels(MAX_EXTRA_DIGITS))
}

/// Plot one or more named series against their index (epochs) as lines, with axes, min/max
/// ticks and a legend. Non-finite points are skipped; a series without a finite point is
/// listed in the legend as having no values, without a colour swatch.
pub fn line_plot(path: &Path, title: &str, x_label: &str, series: &[(&str, &[f32])]) -> Result<()> {
    let (w, h) = (800u32, 500u32);
    let (left, right, top, bottom) = (80.0, 20.0, 40.0, 50.0);
    let mut img = RgbImage::from_pixel(w, h, WHITE);
    let finite = series
        .iter()
        .flat_map(|(_, s)| s.iter())
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(f64::from(v)), b.max(f64::from(v)))
    });
    if !lo.is_finite() {
        return Err(Error::InvalidInput(format!(
            "plot {}: no finite values to draw",
            path.display()
        )));
    }
    if hi - lo < 1e-12 {
        // A flat series gets ±0.5 around its value, or a share of the value where 0.5 is below
        // its spacing (at 1e20 the range would stay empty and every point map to NaN).
        let pad = 0.5f64.max(hi.abs() * 1e-3);
        lo -= pad;
        hi += pad;
    }
    let n = series
        .iter()
        .map(|(_, s)| s.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let (pw, ph) = (f64::from(w) - left - right, f64::from(h) - top - bottom);
    let px = |i: usize| left + pw * i as f64 / (n - 1) as f64;
    let py = |v: f64| top + ph * (1.0 - (v - lo) / (hi - lo));
    let ticks: Vec<f64> = (0..=4)
        .map(|k| {
            let v = lo + (hi - lo) * f64::from(k) / 4.0;
            // A tick a millionth of the range from zero is zero at the labels' precision;
            // labelled as it is, the residue of f32 bounds (-0.3..0.1 puts one at -1.9e-9)
            // reads "-1.9E-9".
            if v.abs() < (hi - lo) * 1e-6 {
                0.0
            } else {
                v
            }
        })
        .collect();
    for (&v, label) in ticks.iter().zip(tick_labels(&ticks)) {
        line(&mut img, (left, py(v)), (left + pw, py(v)), GREY);
        let tx = left as i64 - 6 - i64::from(text_width(&label, 1));
        draw_text(&mut img, tx, py(v) as i64 - 3, &label, 1, BLACK);
    }
    line(&mut img, (left, top), (left, top + ph), BLACK);
    line(&mut img, (left, top + ph), (left + pw, top + ph), BLACK);
    for i in [0, n - 1] {
        draw_text(
            &mut img,
            px(i) as i64 - 4,
            (top + ph) as i64 + 8,
            &i.to_string(),
            1,
            BLACK,
        );
    }
    let xl = i64::from(w / 2) - i64::from(text_width(x_label, 2) / 2);
    draw_text(&mut img, xl, i64::from(h) - 22, x_label, 2, BLACK);
    let tl = i64::from(w / 2) - i64::from(text_width(title, 2) / 2);
    draw_text(&mut img, tl, 10, title, 2, BLACK);
    for (k, (name, values)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let mut prev: Option<(f64, f64)> = None;
        for (i, &v) in values.iter().enumerate() {
            if !v.is_finite() {
                prev = None;
                continue;
            }
            let p = (px(i), py(f64::from(v)));
            if let Some(q) = prev {
                line(&mut img, q, p, color);
            } else {
                fill(&mut img, p.0 as u32, p.1 as u32, 3, 3, color);
            }
            prev = Some(p);
        }
        let ly = top as u32 + 8 + k as u32 * 16;
        let lx = (left + pw) as u32 - 160;
        // A series with no finite value draws nothing: its legend entry says so rather than
        // showing a colour that appears nowhere on the figure.
        let label = if values.iter().any(|v| v.is_finite()) {
            fill(&mut img, lx, ly + 2, 20, 3, color);
            name.to_string()
        } else {
            format!("{name} (no values)")
        };
        draw_text(
            &mut img,
            i64::from(lx) + 26,
            i64::from(ly),
            &label,
            1,
            BLACK,
        );
    }
    save_png(&img, path)
}

/// Draw a row-major `[rows, cols]` matrix as a heatmap (e.g. the learned ReLU(A)), scaled to
/// the min..max of its finite values, with a colour bar labelled by those bounds. NaN and
/// infinite cells are drawn in [`NON_FINITE`] grey, off the colour map, and a grey swatch
/// labelled "NAN/INF" under the colour bar says so; a matrix with no finite value at all has
/// no range to show, so it gets no colour bar, only "NO FINITE VALUES" in its place.
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
    let (w, h) = (gw + 160, gh + 70);
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
        let lo_y = i64::from(50 + gh) - i64::from(HEIGHT);
        draw_text(&mut img, text_x, lo_y, &labels[1], 1, BLACK);
    } else {
        draw_text(&mut img, i64::from(bar_x), 50, "NO FINITE", 1, BLACK);
        draw_text(&mut img, i64::from(bar_x), 60, "VALUES", 1, BLACK);
    }
    if values.iter().any(|v| !v.is_finite()) {
        // The swatch sits in the 20 px under the grid and colour bar.
        let y = 50 + gh + 6;
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

/// Draw a spike raster: one dot per `(row, time_ms)` spike, rows on the vertical axis
/// (`rows` in all) and time from 0 to `duration_ms` on the horizontal one. Rows at or above
/// `split_row` (e.g. the second modality) are drawn in a second colour.
pub fn raster_plot(
    path: &Path,
    title: &str,
    spikes: &[(u32, f32)],
    rows: usize,
    duration_ms: f32,
    split_row: usize,
) -> Result<()> {
    if rows == 0 || !duration_ms.is_finite() || duration_ms <= 0.0 {
        return Err(Error::InvalidInput(format!(
            "raster {}: needs at least one row and a positive finite duration, got {rows} \
             rows and {duration_ms} ms",
            path.display()
        )));
    }
    let (w, h) = (900u32, 540u32);
    let (left, top) = (60u32, 40u32);
    let (pw, ph) = (w - left - 20, h - top - 50);
    let mut img = RgbImage::from_pixel(w, h, WHITE);
    for &(row, t) in spikes {
        if (row as usize) >= rows || !t.is_finite() || t < 0.0 || t > duration_ms {
            continue;
        }
        let x = left + ((t / duration_ms) * (pw - 1) as f32) as u32;
        let y = top + ((row as f32 + 0.5) / rows as f32 * (ph - 1) as f32) as u32;
        let color = if (row as usize) < split_row {
            PALETTE[0]
        } else {
            PALETTE[3]
        };
        fill(&mut img, x, y, 2, 2, color);
    }
    let (l, t0) = (f64::from(left), f64::from(top));
    line(&mut img, (l, t0), (l, t0 + f64::from(ph)), BLACK);
    line(
        &mut img,
        (l, t0 + f64::from(ph)),
        (l + f64::from(pw), t0 + f64::from(ph)),
        BLACK,
    );
    draw_text(
        &mut img,
        i64::from(left),
        i64::from(top + ph + 8),
        "0",
        1,
        BLACK,
    );
    let end = format!("{duration_ms:.0} MS");
    let ex = i64::from(left + pw) - i64::from(text_width(&end, 1));
    draw_text(&mut img, ex, i64::from(top + ph + 8), &end, 1, BLACK);
    draw_text(&mut img, 4, i64::from(top), &rows.to_string(), 1, BLACK);
    draw_text(&mut img, 20, 12, title, 2, BLACK);
    save_png(&img, path)
}
