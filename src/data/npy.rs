//! `.npy` feature matrices: the reader of 2-D float arrays as NumPy's `np.save` writes them, and
//! the writer of `synchgraph features`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::features::FrameMatrix;

/// The text after `'key':` (spaces around the colon skipped) in a `.npy` header dictionary, a
/// Python literal whose strings may be in single or double quotes.
fn npy_header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    ['\'', '"'].iter().find_map(|q| {
        let quoted = format!("{q}{key}{q}");
        let rest = &header[header.find(&quoted)? + quoted.len()..];
        Some(rest.trim_start().strip_prefix(':')?.trim_start())
    })
}

/// The text of the quoted string (single or double quotes) that `v` starts with.
fn quoted_text(v: &str) -> Option<&str> {
    let q = v.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let rest = &v[1..];
    Some(&rest[..rest.find(q)?])
}

/// A 2-D `.npy` matrix (format 1.0, 2.0 or 3.0; float16, float32 or float64 of either byte
/// order, read as float32; C or Fortran (column-major) order; the header's strings in single or double quotes, its shape
/// with or without Python 2's `L` suffixes) of finite values with at least one row and one
/// column; data bytes beyond (or short of) what the shape needs are an error.
pub fn read_npy_matrix(path: &Path) -> Result<FrameMatrix> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |m: &str| Error::UnsupportedFormat {
        path: path.display().to_string(),
        message: m.to_string(),
    };
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err(bad("not a .npy file (missing the \\x93NUMPY magic)"));
    }
    if bytes.len() < 10 {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: "header ends early".into(),
        });
    }
    // NumPy knows these three versions only, minor version included.
    if !(1..=3).contains(&bytes[6]) || bytes[7] != 0 {
        return Err(bad(&format!(
            "npy format version {}.{} is not one of 1.0, 2.0 and 3.0",
            bytes[6], bytes[7]
        )));
    }
    let (hlen, start) = if bytes[6] == 1 {
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        if bytes.len() < 12 {
            return Err(Error::Truncated {
                path: path.display().to_string(),
                message: "header ends early".into(),
            });
        }
        (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        )
    };
    let header = bytes
        .get(start..start + hlen)
        .ok_or_else(|| Error::Truncated {
            path: path.display().to_string(),
            message: "header ends early".into(),
        })?;
    let header = String::from_utf8_lossy(header);
    let descr = npy_header_value(&header, "descr").ok_or_else(|| bad("header has no descr"))?;
    let (big_endian, width) = match quoted_text(descr) {
        Some("<f2") => (false, 2),
        Some(">f2") => (true, 2),
        Some("<f4") => (false, 4),
        Some(">f4") => (true, 4),
        Some("<f8") => (false, 8),
        Some(">f8") => (true, 8),
        other => {
            let dtype = other.map_or_else(
                || descr.chars().take(40).collect::<String>(),
                |d| format!("'{d}'"),
            );
            return Err(bad(&format!(
                "dtype {dtype}: only float16, float32 or float64 data ('<f2', '<f4', '<f8' or \
                 big-endian '>f2', '>f4', '>f8'); save the matrix with x.astype('<f4')"
            )));
        }
    };
    let column_major = match npy_header_value(&header, "fortran_order") {
        Some(v) if v.starts_with("False") => false,
        Some(v) if v.starts_with("True") => true,
        _ => return Err(bad("header has no readable fortran_order")),
    };
    let shape_txt = npy_header_value(&header, "shape")
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad("header has no shape"))?;
    let dims: Vec<usize> = shape_txt
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().trim_end_matches(['L', 'l']).parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad("unreadable shape"))?;
    let [rows, cols] = dims[..] else {
        return Err(bad(&format!(
            "expected a 2-D frames x features array, got shape {dims:?}"
        )));
    };
    if cols == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: format!("no feature columns (shape [{rows}, 0])"),
        });
    }
    let body = &bytes[start + hlen..];
    // A header may announce any shape: a product that overflows is as missing as a large one.
    let needed = rows.checked_mul(cols).and_then(|n| n.checked_mul(width));
    if let Some(n) = needed.filter(|&n| body.len() > n) {
        return Err(bad(&format!(
            "{} data bytes, but shape [{rows}, {cols}] of {width}-byte values needs {n}: the \
             header does not describe the data (another dtype or shape?)",
            body.len()
        )));
    }
    if needed.is_none_or(|n| body.len() < n) {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: format!(
                "{} data bytes, shape [{rows}, {cols}] of {width}-byte values needs {} bytes",
                body.len(),
                needed.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string())
            ),
        });
    }
    let value = |b: &[u8]| -> f32 {
        let mut a = [0u8; 8];
        a[..width].copy_from_slice(b);
        if big_endian {
            a[..width].reverse();
        }
        match width {
            2 => half::f16::from_le_bytes([a[0], a[1]]).to_f32(),
            4 => f32::from_le_bytes([a[0], a[1], a[2], a[3]]),
            _ => f64::from_le_bytes(a) as f32,
        }
    };
    let stored: Vec<f32> = body.chunks_exact(width).map(value).collect();
    // Column-major data holds element (r, c) at c * rows + r.
    let data: Vec<f32> = if column_major {
        (0..rows * cols)
            .map(|k| stored[(k % cols) * rows + k / cols])
            .collect()
    } else {
        stored
    };
    if rows == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "no feature rows".into(),
        });
    }
    if let Some(k) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(
            path,
            format!(
                "row {}, column {} holds {}; feature values must be finite (float64 values \
                 beyond the float32 range become infinite)",
                k / cols,
                k % cols,
                data[k]
            ),
        ));
    }
    Ok(FrameMatrix { rows, cols, data })
}

/// Encode `m` as a version-1.0 `.npy` file (little-endian f4, C order, shape [rows, cols]), the
/// layout [`read_npy_matrix`] and NumPy's `np.load` read back.
pub fn npy_bytes(m: &FrameMatrix) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
        m.rows, m.cols
    );
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 bytes and ended by a newline.
    let unpadded = 10 + dict.len() + 1;
    let header_len = dict.len() + 1 + (64 - unpadded % 64) % 64;
    let mut out = Vec::with_capacity(10 + header_len + 4 * m.data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(10 + header_len - 1, b' ');
    out.push(b'\n');
    for v in &m.data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}
