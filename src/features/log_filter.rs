//! Laplacian-of-Gaussian (LoG) filtering of grayscale images, the Synch-Graph face front end.
//!
//! The kernel is `∇²G(x, y) = (x² + y² − 2σ²) / σ⁴ · G(x, y)` with
//! `G = exp(−(x² + y²) / 2σ²) / (2πσ²)`, sampled on a `(2r + 1) × (2r + 1)` grid with radius
//! `r = ceil(3σ)` (at least 1), then shifted so its taps sum to exactly zero (a flat image gives
//! zero response). The kernel is the sum of two separable parts, `G''(x) G(y) + G(x) G''(y)`, and
//! [`LogFilter::apply`] runs it as four 1-D passes; [`LogFilter::apply_direct`] is the plain 2-D
//! convolution it is tested against.
//!
//! **Borders:** pixels outside the image take the value of the nearest edge pixel (replicate /
//! clamp-to-edge), so the output has the input's size.

use crate::error::{Error, Result};

/// A grayscale image, row-major, values usually in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Gray {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` values, row after row.
    pub data: Vec<f32>,
}

impl Gray {
    /// Wrap `data` as a `width × height` image; fails when the length does not match or is zero,
    /// or when `width * height` overflows.
    pub fn new(width: usize, height: usize, data: Vec<f32>) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::InvalidInput(format!(
                "image must be at least 1x1, got {width}x{height}"
            )));
        }
        let Some(pixels) = width.checked_mul(height) else {
            return Err(Error::InvalidInput(format!(
                "a {width}x{height} image has more pixels than fit in usize"
            )));
        };
        if data.len() != pixels {
            return Err(Error::shape(
                "Gray::new",
                format!("{width}x{height} needs {pixels} values, got {}", data.len()),
            ));
        }
        Ok(Gray {
            width,
            height,
            data,
        })
    }

    /// Pixel at column `x`, row `y`, with coordinates clamped to the image (replicate border).
    pub fn at_clamped(&self, x: isize, y: isize) -> f32 {
        let cx = x.clamp(0, self.width as isize - 1) as usize;
        let cy = y.clamp(0, self.height as isize - 1) as usize;
        self.data[cy * self.width + cx]
    }
}

/// Smallest LoG sigma in pixels: the kernel's centre tap grows as `1 / sigma^4`, and far below
/// this the response to a single bright pixel is no longer finite in f32.
pub const MIN_SIGMA: f32 = 0.01;

/// A Laplacian-of-Gaussian filter of a fixed `sigma`.
#[derive(Debug, Clone)]
pub struct LogFilter {
    sigma: f64,
    radius: usize,
    /// 1-D Gaussian taps `G(t)`, length `2r + 1`.
    g: Vec<f64>,
    /// 1-D second-derivative taps `G''(t)`, length `2r + 1`.
    g2: Vec<f64>,
    /// Constant subtracted from every 2-D tap so the taps sum to zero.
    offset: f64,
}

impl LogFilter {
    /// A filter of standard deviation `sigma` (pixels, [`MIN_SIGMA`] to 64); radius
    /// `ceil(3 sigma)`, at least 1.
    pub fn new(sigma: f32) -> Result<Self> {
        if !sigma.is_finite() || sigma <= 0.0 {
            return Err(Error::InvalidInput(format!(
                "LoG sigma must be a positive finite number, got {sigma}"
            )));
        }
        if sigma < MIN_SIGMA {
            return Err(Error::InvalidInput(format!(
                "LoG sigma {sigma} is under the supported minimum of {MIN_SIGMA} pixels (the \
                 kernel's centre grows as 1/sigma^4)"
            )));
        }
        if sigma > 64.0 {
            return Err(Error::InvalidInput(format!(
                "LoG sigma {sigma} is over the supported maximum of 64 pixels"
            )));
        }
        let radius = ((3.0 * f64::from(sigma)).ceil() as usize).max(1);
        Self::with_radius(sigma, radius)
    }

    /// A filter of standard deviation `sigma` ([`MIN_SIGMA`] to 64 pixels) truncated at an
    /// explicit `radius` (at least 1, at most 256) instead of `ceil(3 sigma)`.
    pub fn with_radius(sigma: f32, radius: usize) -> Result<Self> {
        let sigma_ok = sigma.is_finite() && (MIN_SIGMA..=64.0).contains(&sigma);
        if !sigma_ok || radius == 0 || radius > 256 {
            return Err(Error::InvalidInput(format!(
                "LoG needs {MIN_SIGMA} <= sigma <= 64 and 1 <= radius <= 256, got sigma {sigma}, \
                 radius {radius}"
            )));
        }
        let s = sigma as f64;
        let norm = 1.0 / ((2.0 * std::f64::consts::PI).sqrt() * s);
        let mut g = Vec::with_capacity(2 * radius + 1);
        let mut g2 = Vec::with_capacity(2 * radius + 1);
        for i in 0..=2 * radius {
            let t = i as f64 - radius as f64;
            let gt = norm * (-t * t / (2.0 * s * s)).exp();
            g.push(gt);
            g2.push((t * t - s * s) / (s * s * s * s) * gt);
        }
        let mut f = LogFilter {
            sigma: s,
            radius,
            g,
            g2,
            offset: 0.0,
        };
        let n = (2 * radius + 1) as f64;
        let sum: f64 = f.raw_kernel().iter().sum();
        f.offset = sum / (n * n);
        Ok(f)
    }

    /// The standard deviation in pixels.
    pub fn sigma(&self) -> f32 {
        self.sigma as f32
    }

    /// The kernel radius `r`; the kernel is `(2r + 1)` pixels wide.
    pub fn radius(&self) -> usize {
        self.radius
    }

    /// The kernel side length `2r + 1`.
    pub fn size(&self) -> usize {
        2 * self.radius + 1
    }

    fn raw_kernel(&self) -> Vec<f64> {
        let k = self.size();
        let mut out = Vec::with_capacity(k * k);
        for y in 0..k {
            for x in 0..k {
                out.push(self.g2[x] * self.g[y] + self.g[x] * self.g2[y]);
            }
        }
        out
    }

    /// The 2-D kernel taps (row-major, `size × size`), summing to zero.
    pub fn kernel(&self) -> Vec<f64> {
        self.raw_kernel()
            .into_iter()
            .map(|v| v - self.offset)
            .collect()
    }

    /// Filter `img` by four 1-D passes (separable form) with replicate borders.
    pub fn apply(&self, img: &Gray) -> Gray {
        let (w, h, r) = (img.width, img.height, self.radius as isize);
        let conv_rows = |src: &[f64], taps: &[f64]| -> Vec<f64> {
            let mut out = vec![0.0f64; w * h];
            for y in 0..h {
                let row = &src[y * w..(y + 1) * w];
                for x in 0..w {
                    let mut acc = 0.0;
                    for (k, t) in taps.iter().enumerate() {
                        let sx = (x as isize + k as isize - r).clamp(0, w as isize - 1) as usize;
                        acc += t * row[sx];
                    }
                    out[y * w + x] = acc;
                }
            }
            out
        };
        let conv_cols = |src: &[f64], taps: &[f64]| -> Vec<f64> {
            let mut out = vec![0.0f64; w * h];
            for y in 0..h {
                for (k, t) in taps.iter().enumerate() {
                    let sy = (y as isize + k as isize - r).clamp(0, h as isize - 1) as usize;
                    let src_row = &src[sy * w..(sy + 1) * w];
                    let dst = &mut out[y * w..(y + 1) * w];
                    for (d, s) in dst.iter_mut().zip(src_row) {
                        *d += t * s;
                    }
                }
            }
            out
        };
        let src: Vec<f64> = img.data.iter().map(|&v| v as f64).collect();
        // With replicate borders the box sum of the constant offset over the window is exact.
        let box_taps = vec![1.0; self.size()];
        let a = conv_cols(&conv_rows(&src, &self.g2), &self.g);
        let b = conv_cols(&conv_rows(&src, &self.g), &self.g2);
        let c = conv_cols(&conv_rows(&src, &box_taps), &box_taps);
        let data = a
            .iter()
            .zip(&b)
            .zip(&c)
            .map(|((a, b), c)| (a + b - self.offset * c) as f32)
            .collect();
        Gray {
            width: w,
            height: h,
            data,
        }
    }

    /// Filter `img` by direct 2-D convolution with [`LogFilter::kernel`] (the reference; slower).
    pub fn apply_direct(&self, img: &Gray) -> Gray {
        let k = self.kernel();
        let (s, r) = (self.size(), self.radius as isize);
        let mut data = Vec::with_capacity(img.width * img.height);
        for y in 0..img.height as isize {
            for x in 0..img.width as isize {
                let mut acc = 0.0f64;
                for ky in 0..s as isize {
                    for kx in 0..s as isize {
                        let v = img.at_clamped(x + kx - r, y + ky - r) as f64;
                        acc += k[(ky as usize) * s + kx as usize] * v;
                    }
                }
                data.push(acc as f32);
            }
        }
        Gray {
            width: img.width,
            height: img.height,
            data,
        }
    }
}
