//! A small FFT: iterative radix-2 for powers of two, Bluestein's chirp-z for every other size.
//! Plans precompute twiddles, so one plan serves every frame of a clip.

use std::f64::consts::PI;

/// A complex number in f64.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// Build from parts.
    pub fn new(re: f64, im: f64) -> Self {
        Complex { re, im }
    }
    fn mul(self, o: Complex) -> Complex {
        Complex::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
    fn conj(self) -> Complex {
        Complex::new(self.re, -self.im)
    }
    /// Squared magnitude.
    pub fn norm_sqr(self) -> f64 {
        self.re * self.re + self.im * self.im
    }
}

#[derive(Debug, Clone)]
struct Radix2 {
    n: usize,
    rev: Vec<usize>,
    tw: Vec<Complex>,
}

impl Radix2 {
    fn new(n: usize) -> Self {
        let bits = n.trailing_zeros();
        let rev = (0..n)
            .map(|i| {
                if n == 1 {
                    0
                } else {
                    i.reverse_bits() >> (usize::BITS - bits)
                }
            })
            .collect();
        let tw = (0..n / 2)
            .map(|k| {
                let a = -2.0 * PI * k as f64 / n as f64;
                Complex::new(a.cos(), a.sin())
            })
            .collect();
        Radix2 { n, rev, tw }
    }

    fn forward(&self, x: &mut [Complex]) {
        let n = self.n;
        for i in 0..n {
            let j = self.rev[i];
            if i < j {
                x.swap(i, j);
            }
        }
        let mut len = 2;
        while len <= n {
            let half = len / 2;
            let step = n / len;
            let mut start = 0;
            while start < n {
                for k in 0..half {
                    let w = self.tw[k * step];
                    let (i, j) = (start + k, start + k + half);
                    let (a, b) = (x[i], x[j]);
                    let br = b.re * w.re - b.im * w.im;
                    let bi = b.re * w.im + b.im * w.re;
                    x[i] = Complex {
                        re: a.re + br,
                        im: a.im + bi,
                    };
                    x[j] = Complex {
                        re: a.re - br,
                        im: a.im - bi,
                    };
                }
                start += len;
            }
            len <<= 1;
        }
    }

    fn inverse(&self, x: &mut [Complex]) {
        for v in x.iter_mut() {
            *v = v.conj();
        }
        self.forward(x);
        let s = 1.0 / self.n as f64;
        for v in x.iter_mut() {
            *v = Complex::new(v.re * s, -v.im * s);
        }
    }
}

#[derive(Debug, Clone)]
struct Bluestein {
    inner: Radix2,
    chirp: Vec<Complex>,
    kernel_fft: Vec<Complex>,
}

/// A forward DFT plan for one size.
#[derive(Debug, Clone)]
pub struct FftPlan {
    n: usize,
    radix2: Option<Radix2>,
    bluestein: Option<Bluestein>,
}

impl FftPlan {
    /// Plan a forward DFT of size `n` (any `n >= 1`).
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        if n.is_power_of_two() {
            return FftPlan {
                n,
                radix2: Some(Radix2::new(n)),
                bluestein: None,
            };
        }
        let m = (2 * n - 1).next_power_of_two();
        let inner = Radix2::new(m);
        let chirp: Vec<Complex> = (0..n)
            .map(|k| {
                let kk = ((k as u128 * k as u128) % (2 * n as u128)) as f64;
                let a = -PI * kk / n as f64;
                Complex::new(a.cos(), a.sin())
            })
            .collect();
        let mut kernel = vec![Complex::default(); m];
        for k in 0..n {
            kernel[k] = chirp[k].conj();
            if k > 0 {
                kernel[m - k] = chirp[k].conj();
            }
        }
        inner.forward(&mut kernel);
        FftPlan {
            n,
            radix2: None,
            bluestein: Some(Bluestein {
                inner,
                chirp,
                kernel_fft: kernel,
            }),
        }
    }

    /// The transform size.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a plan has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// In-place forward DFT, `X[k] = sum x[n] exp(-2 pi i k n / N)`. `x.len()` must equal the size.
    pub fn forward(&self, x: &mut [Complex]) {
        debug_assert_eq!(x.len(), self.n);
        if let Some(r) = &self.radix2 {
            r.forward(x);
            return;
        }
        if let Some(b) = &self.bluestein {
            let m = b.inner.n;
            let mut a = vec![Complex::default(); m];
            for k in 0..self.n {
                a[k] = x[k].mul(b.chirp[k]);
            }
            b.inner.forward(&mut a);
            for (v, k) in a.iter_mut().zip(&b.kernel_fft) {
                *v = v.mul(*k);
            }
            b.inner.inverse(&mut a);
            for k in 0..self.n {
                x[k] = a[k].mul(b.chirp[k]);
            }
        }
    }

    /// Power spectrum `|X[k]|^2` for k in `0..=n/2` of a real frame zero-padded (or truncated) to
    /// the plan size.
    pub fn power_spectrum(&self, frame: &[f64]) -> Vec<f64> {
        let mut buf = vec![Complex::default(); self.n];
        for (b, &v) in buf.iter_mut().zip(frame) {
            b.re = v;
        }
        self.forward(&mut buf);
        buf[..self.n / 2 + 1].iter().map(|c| c.norm_sqr()).collect()
    }

    /// Power spectra `|A[k]|^2`, `|B[k]|^2` (k in `0..=n/2`) of two real frames from one complex
    /// transform (`a` in the real part, `b` in the imaginary part). Each spectrum carries
    /// rounding noise of about 1e-16 of the louder frame's magnitude, so an all-zero frame paired
    /// with a loud one does not come out exactly zero.
    pub fn power_spectrum_pair(&self, a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let mut buf = vec![Complex::default(); n];
        for (i, v) in buf.iter_mut().enumerate() {
            v.re = a.get(i).copied().unwrap_or(0.0);
            v.im = b.get(i).copied().unwrap_or(0.0);
        }
        self.forward(&mut buf);
        let half = n / 2 + 1;
        let (mut pa, mut pb) = (vec![0.0; half], vec![0.0; half]);
        for k in 0..half {
            let z = buf[k];
            let c = buf[(n - k) % n];
            let (xr, xi) = (z.re + c.re, z.im - c.im);
            let (yr, yi) = (z.im + c.im, z.re - c.re);
            pa[k] = 0.25 * (xr * xr + xi * xi);
            pb[k] = 0.25 * (yr * yr + yi * yi);
        }
        (pa, pb)
    }

    /// Circular autocorrelations of two real frames (zero-padded to the plan size), lags
    /// `0..=max_lag`, with two transforms of size n in all.
    pub fn autocorr_pair(&self, a: &[f64], b: &[f64], max_lag: usize) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let (pa, pb) = self.power_spectrum_pair(a, b);
        let mut buf: Vec<Complex> = (0..n)
            .map(|k| {
                let kk = if k <= n / 2 { k } else { n - k };
                Complex {
                    re: pa[kk],
                    im: pb[kk],
                }
            })
            .collect();
        self.forward(&mut buf);
        let s = 1.0 / n as f64;
        let m = max_lag.min(n - 1) + 1;
        (
            buf[..m].iter().map(|c| c.re * s).collect(),
            buf[..m].iter().map(|c| c.im * s).collect(),
        )
    }
}

/// Direct O(n^2) DFT, the reference for tests.
pub fn dft_naive(x: &[Complex]) -> Vec<Complex> {
    let n = x.len();
    (0..n)
        .map(|k| {
            let mut acc = Complex::default();
            for (j, v) in x.iter().enumerate() {
                let a = -2.0 * PI * ((k * j) % n) as f64 / n as f64;
                let p = v.mul(Complex::new(a.cos(), a.sin()));
                acc.re += p.re;
                acc.im += p.im;
            }
            acc
        })
        .collect()
}
