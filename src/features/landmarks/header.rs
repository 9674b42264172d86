//! The header and fields of a landmark CSV line: the layout's column names and the double quotes
//! around a field.

use super::COORDS;
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::path::Path;

/// Name of coordinate column `c` (0-based, frame column excluded): `x0, y0, x1, ...`.
pub(super) fn coord_name(c: usize) -> String {
    format!("{}{}", if c % 2 == 0 { 'x' } else { 'y' }, c / 2)
}

/// The column names of a layout header of `n` columns: `frame,x0,y0,...,x67,y67` for 137,
/// `x0,y0,...,x67,y67` for 136, `None` for any other width.
fn layout_header(n: usize) -> Option<Vec<String>> {
    let frame = match n {
        _ if n == COORDS + 1 => Some("frame".to_string()),
        COORDS => None,
        _ => return None,
    };
    Some(
        frame
            .into_iter()
            .chain((0..COORDS).map(coord_name))
            .collect(),
    )
}

/// Field `f` without spaces around it and without the double quotes around it, if any (a doubled
/// quote inside stands for one).
pub(super) fn unquote(f: &str) -> Cow<'_, str> {
    let f = f.trim();
    let Some(inner) = f.strip_prefix('"').and_then(|q| q.strip_suffix('"')) else {
        return Cow::Borrowed(f);
    };
    if inner.contains('"') {
        Cow::Owned(inner.replace("\"\"", "\"").trim().to_string())
    } else {
        Cow::Borrowed(inner.trim())
    }
}

/// Whether the fields of a line (spaces and double quotes around them ignored) are a landmark
/// CSV header in the layout's order, any case: `frame,x0,y0,...,x67,y67` or `x0,y0,...,x67,y67`.
pub fn is_layout_header(fields: &[&str]) -> bool {
    layout_header(fields.len()).is_some_and(|want| {
        fields
            .iter()
            .zip(&want)
            .all(|(f, w)| unquote(f).eq_ignore_ascii_case(w))
    })
}

/// Whether the fields of a line (spaces and double quotes around them ignored) name exactly the
/// columns of a landmark CSV header, in any order and any case: a landmark file whose header is
/// in another order (all x, then all y) is still a landmark file, to be refused by the reader
/// with the column out of place rather than read as 137 unnamed features.
pub fn names_landmark_columns(fields: &[&str]) -> bool {
    layout_header(fields.len()).is_some_and(|want| {
        let mut got: Vec<String> = fields
            .iter()
            .map(|f| unquote(f).to_ascii_lowercase())
            .collect();
        let mut want = want;
        got.sort_unstable();
        want.sort_unstable();
        got == want
    })
}

/// Check a header row against the documented layout; returns its width (137 or 136 columns).
pub(super) fn check_header(fields: &[&str], path: &Path, line_no: usize) -> Result<usize> {
    let expected = || {
        format!(
            "the header must name the columns in the order frame,x0,y0,x1,y1,...,x67,y67 ({} \
             columns) or x0,y0,x1,y1,...,x67,y67 ({COORDS}), x and y of each point side by side",
            COORDS + 1
        )
    };
    let n = fields.len();
    if n > 1 && fields[0].is_empty() {
        return Err(Error::parse(
            path,
            line_no,
            "the header starts with an empty field: the first column is a row index (R's \
             write.csv writes one unless row.names = FALSE, pandas unless index = False), not a \
             landmark column; write the CSV without it",
        ));
    }
    let Some(want) = layout_header(n) else {
        // One field holding the names separated by something else than commas.
        let sep = [
            (';', " (separated by semicolons)"),
            ('\t', " (separated by tabs)"),
        ]
        .into_iter()
        .find(|(c, _)| n == 1 && fields[0].contains(*c))
        .map_or("", |(_, name)| name);
        let columns = if n == 1 { "column" } else { "columns" };
        return Err(Error::parse(
            path,
            line_no,
            format!("the header has {n} {columns}{sep}; {}", expected()),
        ));
    };
    let bad = fields
        .iter()
        .zip(&want)
        .position(|(f, w)| !f.eq_ignore_ascii_case(w));
    if let Some(k) = bad {
        let mut got: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
        let mut sorted = want.clone();
        got.sort();
        sorted.sort();
        let hint = if got == sorted {
            " (it names the right columns in another order)"
        } else {
            ""
        };
        return Err(Error::parse(
            path,
            line_no,
            format!(
                "header column {} is '{}' where '{}' belongs{hint}; {}",
                k + 1,
                fields[k],
                want[k],
                expected()
            ),
        ));
    }
    Ok(n)
}
