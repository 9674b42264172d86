//! Plain f64 matrices for the host computations the L-GrIN tests compare the model with.

/// A row-major f64 matrix.
#[derive(Clone, Debug)]
pub(crate) struct Mat {
    /// Row count.
    pub rows: usize,
    /// Column count.
    pub cols: usize,
    /// Values, row by row.
    pub v: Vec<f64>,
}

impl Mat {
    /// A rows x cols matrix of zeros.
    pub(crate) fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            v: vec![0.0; rows * cols],
        }
    }

    /// The value at (r, c).
    pub(crate) fn at(&self, r: usize, c: usize) -> f64 {
        self.v[r * self.cols + c]
    }

    /// Set the value at (r, c).
    pub(crate) fn set(&mut self, r: usize, c: usize, x: f64) {
        self.v[r * self.cols + c] = x;
    }

    /// f applied to every value.
    pub(crate) fn map(&self, f: impl Fn(f64) -> f64) -> Mat {
        Mat {
            v: self.v.iter().map(|&x| f(x)).collect(),
            ..self.clone()
        }
    }

    /// The transpose.
    pub(crate) fn transpose(&self) -> Mat {
        let mut t = Mat::zeros(self.cols, self.rows);
        for r in 0..self.rows {
            for c in 0..self.cols {
                t.set(c, r, self.at(r, c));
            }
        }
        t
    }
}

/// The product a b.
pub(crate) fn matmul(a: &Mat, b: &Mat) -> Mat {
    assert_eq!(a.cols, b.rows, "matmul shapes");
    let mut out = Mat::zeros(a.rows, b.cols);
    for i in 0..a.rows {
        for j in 0..b.cols {
            let s: f64 = (0..a.cols).map(|k| a.at(i, k) * b.at(k, j)).sum();
            out.set(i, j, s);
        }
    }
    out
}

/// max(x, 0) elementwise.
pub(crate) fn relu(x: &Mat) -> Mat {
    x.map(|v| v.max(0.0))
}

/// The parts side by side (equal row counts).
pub(crate) fn concat_cols(parts: &[Mat]) -> Mat {
    let rows = parts[0].rows;
    let mut out = Mat::zeros(rows, parts.iter().map(|p| p.cols).sum());
    let mut at = 0;
    for p in parts {
        assert_eq!(p.rows, rows);
        for r in 0..rows {
            for c in 0..p.cols {
                out.set(r, at + c, p.at(r, c));
            }
        }
        at += p.cols;
    }
    out
}
