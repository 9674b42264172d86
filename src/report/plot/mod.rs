//! PNG figures drawn directly into an `image` buffer: loss curves, heatmaps (learned
//! adjacency), confusion matrices and spike rasters. Files are written atomically.
//!
//! This file holds what the figures share (colours, lines and fills, axis labels, PNG output);
//! each figure is drawn in its own file.

mod curves;
mod matrix;
mod raster;
mod title;

pub use curves::line_plot;
pub use matrix::{confusion_plot, heatmap};
pub use raster::{duration_label, raster_plot};

use std::path::Path;

use image::{codecs::png::PngEncoder, ImageEncoder, Rgb, RgbImage};

use super::atomic::write_atomic;
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
