//! Line plots of named series against their index (loss curves over epochs), with axes, ticks
//! and a legend.

use std::path::Path;

use image::RgbImage;

use super::title::Title;
use super::{fill, line, save_png, tick_labels, BLACK, GREY, PALETTE, WHITE};
use crate::error::{Error, Result};
use crate::report::font::{draw_text, text_width};

/// Plot one or more named series against their index (epochs) as lines, with axes, min/max
/// ticks and a legend, in an 800x500 figure whose plot area starts 80 px from the left (more
/// where the tick labels are wider) and 40 px from the top (more where a long title is wrapped
/// onto more lines than fit there). Non-finite points are skipped; a series without a finite
/// point is listed in the legend as having no values, without a colour swatch.
pub fn line_plot(path: &Path, title: &str, x_label: &str, series: &[(&str, &[f32])]) -> Result<()> {
    let (w, h) = (800u32, 500u32);
    // A title too wide for one line (of 66 characters at scale 2, 4 px clear of each edge)
    // takes more, and the plot area starts below them.
    let heading = Title::new(title, w - 8, 10, h / 3);
    let (right, top, bottom) = (20.0, f64::from(heading.top_below(40)), 50.0);
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
    // Only a range of exactly zero is flat: a fixed threshold would flatten a real curve of
    // tiny values (1e-13 .. 5e-13), and f32 data never give an f64 range too small to divide by.
    if hi <= lo {
        // A flat series gets ±0.5 around its value, or a share of the value where 0.5 is below
        // its spacing (at 1e20 the range would stay empty and every point map to NaN).
        let pad = 0.5f64.max(hi.abs() * 1e-3);
        lo -= pad;
        hi += pad;
    }
    let longest = series.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    // One point still spans an axis of two indices; only the indices drawn are labelled.
    let n = longest.max(2);
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
    let labels = tick_labels(&ticks);
    // An 80 px margin, wider where the labels need it (the extra digits that tell close ticks
    // apart), so that no label loses its first characters (a minus sign) past the left edge.
    let widest = labels.iter().map(|l| text_width(l, 1)).max().unwrap_or(0);
    let left = f64::from((widest + 12).max(80));
    let (pw, ph) = (f64::from(w) - left - right, f64::from(h) - top - bottom);
    let px = |i: usize| left + pw * i as f64 / (n - 1) as f64;
    let py = |v: f64| top + ph * (1.0 - (v - lo) / (hi - lo));
    for (&v, label) in ticks.iter().zip(labels) {
        line(&mut img, (left, py(v)), (left + pw, py(v)), GREY);
        let tx = left as i64 - 6 - i64::from(text_width(&label, 1));
        draw_text(&mut img, tx, py(v) as i64 - 3, &label, 1, BLACK);
    }
    line(&mut img, (left, top), (left, top + ph), BLACK);
    line(&mut img, (left, top + ph), (left + pw, top + ph), BLACK);
    for i in [0, n - 1].into_iter().filter(|&i| i < longest) {
        let label = i.to_string();
        // The last index ends inside the figure however many digits it has.
        let tx = (px(i) as i64 - 4).min(i64::from(w) - i64::from(text_width(&label, 1)));
        draw_text(&mut img, tx, (top + ph) as i64 + 8, &label, 1, BLACK);
    }
    let xl = i64::from(w / 2) - i64::from(text_width(x_label, 2) / 2);
    draw_text(&mut img, xl, i64::from(h) - 22, x_label, 2, BLACK);
    heading.draw(&mut img, 0, Some(w / 2));
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
