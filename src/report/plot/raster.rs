//! Spike rasters: one dot per spike, rows against time, two colours for two modalities.

use std::path::Path;

use image::RgbImage;

use super::title::Title;
use super::{fill, line, save_png, BLACK, PALETTE, WHITE};
use crate::error::{Error, Result};
use crate::report::font::{draw_text, text_width, HEIGHT};

/// Draw a spike raster: one dot per `(row, time_ms)` spike, rows on the vertical axis
/// (`rows` in all, row 0 at the top, labelled "0" there and `rows - 1` at the bottom) and time
/// from 0 to `duration_ms` on the horizontal one. Rows at or above
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
    // A title too wide for one line takes more, and the plot area starts below them.
    let heading = Title::new(title, w - 20 - 10, 12, h / 3);
    let (left, top) = (60u32, heading.top_below(40));
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
    let end = duration_label(duration_ms);
    let ex = i64::from(left + pw) - i64::from(text_width(&end, 1));
    draw_text(&mut img, ex, i64::from(top + ph + 8), &end, 1, BLACK);
    // Row 0 is drawn at the top: the axis names the first and the last row where they lie.
    draw_text(&mut img, 4, i64::from(top), "0", 1, BLACK);
    let last_y = i64::from(top + ph) - i64::from(HEIGHT);
    draw_text(&mut img, 4, last_y, &(rows - 1).to_string(), 1, BLACK);
    heading.draw(&mut img, 20, None);
    save_png(&img, path)
}

/// The label of a duration of `ms` milliseconds at the end of a time axis: in milliseconds from
/// 1 ms ("250 MS", "2.5 MS"), in microseconds below ("500 US" for 0.5 ms), each with up to four
/// significant digits and no trailing zeros, and in scientific notation below a microsecond
/// ("5.0E-4 MS"), so no positive duration reads "0".
pub fn duration_label(ms: f32) -> String {
    let ms = f64::from(ms);
    if ms >= 1.0 {
        format!("{} MS", significant(ms))
    } else if ms >= 1e-3 {
        format!("{} US", significant(ms * 1e3))
    } else {
        format!("{ms:.1E} MS")
    }
}

/// `v` (at least 1) with four significant digits, or more where its integer part has more,
/// without trailing zeros: 2.5, 12.35, 1000.
fn significant(v: f64) -> String {
    let decimals = (3 - v.log10().floor() as i64).clamp(0, 3) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}
