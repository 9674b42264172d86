//! Feature-matrix files, one frames × features matrix per clip: the CSV and `.npy` readers, and
//! the `.npy` writer of `synchgraph features`.

use std::borrow::Cow;
use std::path::Path;

use crate::error::{Error, Result};
use crate::features::FrameMatrix;

/// A CSV matrix: one frame per line, comma-separated numbers (a leading UTF-8 byte-order mark
/// and blank lines are ignored; a field may be in double quotes, as RFC 4180 has it, on one
/// line). Every row must have the same width, that of the header where there is one.
///
/// The first line with content is a header, and skipped, when none of its fields is a number
/// (`f0,f1,...`) or when it is exactly `0,1,...,D-1` with D >= 2 (the column names pandas
/// writes by default; a one-column file's first `0` is data). A first line where some fields
/// are numbers and others are not (`1,2,` or `1,2x`) is an [`Error::Parse`] naming the line rather than a header guess, and a header whose first
/// field is empty (`,0,1` or `,f0,f1`: pandas' index column, which would make the row number
/// feature 0) is an error asking for the CSV to be written with `index=False`.
pub fn read_csv_matrix(path: &Path) -> Result<FrameMatrix> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    // A byte-order mark would make the first row look like a header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut data = Vec::new();
    let mut cols = 0usize;
    let mut rows = 0usize;
    let mut first = true;
    // The header's width, which every row must match (a header naming other columns than the
    // rows hold means a shifted or truncated file).
    let mut header_cols = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields = csv_line_fields(line).map_err(|m| Error::parse(path, i + 1, m))?;
        let fields: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
        if std::mem::take(&mut first) && is_csv_header(path, i + 1, &fields)? {
            header_cols = Some(fields.len());
            continue;
        }
        let vals: std::result::Result<Vec<f32>, _> =
            fields.iter().map(|v| v.parse::<f32>()).collect();
        let vals = vals.map_err(|e| Error::parse(path, i + 1, format!("not a number: {e}")))?;
        if rows == 0 {
            cols = vals.len();
            if let Some(h) = header_cols.filter(|&h| h != cols) {
                return Err(Error::parse(
                    path,
                    i + 1,
                    format!("{cols} values, the header names {h} columns"),
                ));
            }
        } else if vals.len() != cols {
            return Err(Error::parse(
                path,
                i + 1,
                format!("{} values, earlier rows have {cols}", vals.len()),
            ));
        }
        if let Some(bad) = vals.iter().find(|v| !v.is_finite()) {
            return Err(Error::parse(path, i + 1, format!("non-finite value {bad}")));
        }
        data.extend(vals);
        rows += 1;
    }
    if rows == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "no feature rows".into(),
        });
    }
    Ok(FrameMatrix { rows, cols, data })
}

/// The fields of one CSV `line`, trimmed: a field in double quotes (RFC 4180, a quote inside
/// doubled) is its text without the quotes, so a quoted comma stays in its field and a quoted
/// number is a number. A quote left open, or text after a closing quote, is an error message.
fn csv_line_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let field = rest.trim_start();
        let Some(quoted) = field.strip_prefix('"') else {
            let end = field.find(',').unwrap_or(field.len());
            fields.push(Cow::Borrowed(field[..end].trim_end()));
            match field[end..].strip_prefix(',') {
                Some(next) => rest = next,
                None => return Ok(fields),
            }
            continue;
        };
        let mut text = String::new();
        let mut chars = quoted.char_indices();
        let after = loop {
            match chars.next() {
                None => return Err("a quoted field is not closed on its line".into()),
                Some((k, '"')) if quoted[k + 1..].starts_with('"') => {
                    chars.next();
                    text.push('"');
                }
                Some((k, '"')) => break quoted[k + 1..].trim_start(),
                Some((_, c)) => text.push(c),
            }
        };
        fields.push(Cow::Owned(text.trim().to_string()));
        if after.is_empty() {
            return Ok(fields);
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                return Err(format!(
                    "'{}' after the closing quote of field {}",
                    after.chars().next().unwrap_or(' '),
                    fields.len()
                ))
            }
        }
    }
}

/// Whether the first content line of a feature CSV, split into trimmed `fields`, is a header
/// (see [`read_csv_matrix`]); `line` is its 1-based number, named in the errors.
fn is_csv_header(path: &Path, line: usize, fields: &[&str]) -> Result<bool> {
    let numeric = |f: &str| f.parse::<f32>().is_ok();
    // pandas' default column names: exactly the integers 0..D-1, for two columns or more (a
    // single `0` is as likely a feature value as a column name, and is read as data).
    let pandas_names =
        |f: &[&str]| f.len() >= 2 && f.iter().enumerate().all(|(k, x)| *x == k.to_string());
    let names = |f: &[&str]| !f.iter().any(|x| numeric(x)) || pandas_names(f);
    if fields.len() > 1 && fields[0].is_empty() && names(&fields[1..]) {
        return Err(Error::parse(
            path,
            line,
            "the header starts with an empty field: the first column is a pandas index (the row \
             number), not a feature; write the CSV with index=False",
        ));
    }
    if pandas_names(fields) {
        return Ok(true);
    }
    let parsed = fields.iter().filter(|x| numeric(x)).count();
    if parsed == 0 {
        return Ok(true);
    }
    if parsed < fields.len() {
        let bad: Vec<String> = fields
            .iter()
            .filter(|x| !numeric(x))
            .map(|f| format!("'{f}'"))
            .collect();
        return Err(Error::parse(
            path,
            line,
            format!(
                "the first row mixes numbers with fields that are not ({}): neither a header \
                 (no numbers) nor a row of features; fix the row (a stray comma or a typo?)",
                bad.join(", ")
            ),
        ));
    }
    Ok(false)
}

/// The text after `'key':` (spaces around the colon skipped) in a `.npy` header dictionary.
fn npy_header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("'{key}'");
    let rest = &header[header.find(&quoted)? + quoted.len()..];
    Some(rest.trim_start().strip_prefix(':')?.trim_start())
}

/// A 2-D `.npy` matrix (format 1.0, 2.0 or 3.0, little-endian f4 or f8, C order) of finite
/// values with at least one row and one column; data bytes beyond (or short of) what the shape
/// needs are an error.
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
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        return Err(bad(
            "only little-endian float32 ('<f4') or float64 ('<f8') data",
        ));
    };
    match npy_header_value(&header, "fortran_order") {
        Some(v) if v.starts_with("False") => {}
        Some(v) if v.starts_with("True") => {
            return Err(bad("Fortran-order arrays are not supported"))
        }
        _ => return Err(bad("header has no readable fortran_order")),
    }
    let shape_txt = npy_header_value(&header, "shape")
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad("header has no shape"))?;
    let dims: Vec<usize> = shape_txt
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<usize>())
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
    let data: Vec<f32> = (0..rows * cols)
        .map(|k| {
            let b = &body[k * width..(k + 1) * width];
            if width == 4 {
                f32::from_le_bytes([b[0], b[1], b[2], b[3]])
            } else {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        })
        .collect();
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
