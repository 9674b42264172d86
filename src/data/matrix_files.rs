//! Feature-matrix files, one frames × features matrix per clip: the CSV reader here, and the
//! `.npy` reader and writer of [`super::npy`], re-exported.

use std::borrow::Cow;
use std::path::Path;

use crate::error::{Error, Result};
use crate::features::{other_separator, text_lines, FrameMatrix};

pub use super::npy::{npy_bytes, read_npy_matrix};

/// A CSV matrix: one frame per line (lines end in LF, CRLF or, in a file without LF, CR),
/// comma-separated numbers (a leading UTF-8 byte-order mark and blank lines are ignored; a
/// field may be in double quotes, as RFC 4180 has it, on one line). Every row must have the
/// same width, that of the header where there is one.
///
/// The first line with content is a header, and skipped, when none of its fields is a number
/// (`f0,f1,...`) or when it is exactly `0,1,...,D-1` with D >= 2 (the column names pandas
/// writes by default; a one-column file's first `0` is data). A first line where some fields
/// are numbers and others are not (`1,2,` or `1,2x`) is an [`Error::Parse`] naming the line
/// rather than a header guess, and a header whose first field is empty (`,0,1` or `,f0,f1`:
/// pandas' index column, which would make the row number feature 0) is an error asking for the
/// CSV to be written with `index=False`. A field holding numbers separated by spaces, tabs or
/// semicolons (`np.savetxt` separates with spaces unless given `delimiter=','`) is an error
/// saying so, on the first line too rather than skipping it as a header.
pub fn read_csv_matrix(path: &Path) -> Result<FrameMatrix> {
    // Without its byte-order mark, which would make the first row look like a header.
    let text = crate::features::text::read_text(path)?;
    let text = text.as_str();
    let mut data = Vec::new();
    let mut cols = 0usize;
    let mut rows = 0usize;
    let mut first = true;
    // The header's width, which every row must match (a header naming other columns than the
    // rows hold means a shifted or truncated file).
    let mut header_cols = None;
    // Lines end in LF, CRLF or (a file without LF) CR.
    let lines: Vec<&str> = text_lines(text);
    for (i, line) in lines.into_iter().enumerate() {
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
        let vals = fields
            .iter()
            .enumerate()
            .map(|(k, v)| {
                v.parse::<f32>()
                    .map_err(|_| Error::parse(path, i + 1, not_a_number(k, v)))
            })
            .collect::<Result<Vec<f32>>>()?;
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

/// The message for field `k` (0-based) of a CSV row, `f`, that is not a number; one that holds
/// numbers separated by spaces, tabs or semicolons says the values must be separated by commas.
fn not_a_number(k: usize, f: &str) -> String {
    let shown: String = f.chars().take(40).collect();
    let shown = if shown.len() < f.len() {
        format!("{shown}...")
    } else {
        shown
    };
    match other_separator(f) {
        Some(sep) => format!(
            "column {} '{shown}' holds numbers separated by {sep}: a feature CSV separates its \
             values with commas (np.savetxt(path, x, delimiter=','))",
            k + 1
        ),
        None => format!("not a number: column {} '{shown}'", k + 1),
    }
}

/// Whether the first content line of a feature CSV, split into trimmed `fields`, is a header
/// (see [`read_csv_matrix`]); `line` is its 1-based number, named in the errors.
fn is_csv_header(path: &Path, line: usize, fields: &[&str]) -> Result<bool> {
    let numeric = |f: &str| f.parse::<f32>().is_ok();
    // Numbers separated by something else than commas are not column names.
    if let Some((k, f)) = fields
        .iter()
        .enumerate()
        .find(|(_, f)| other_separator(f).is_some())
    {
        return Err(Error::parse(path, line, not_a_number(k, f)));
    }
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
