//! Facial landmarks: 68 (x, y) points per frame from a CSV file, the L-GrIN face front end.
//!
//! # CSV layout
//! - Comma-separated text, one row per video frame, in frame order (rows are kept in file order).
//! - Each row holds either 137 columns, `frame,x0,y0,x1,y1,...,x67,y67`, where `frame` is an integer
//!   frame number that is checked but not otherwise used, or the same without the frame column (136
//!   columns, `x0,y0,...,x67,y67`). All rows of one file use the same form.
//! - Points follow the usual 68-point (iBUG 300-W / dlib) order; coordinates are in pixels (any unit
//!   works: normalisation removes it).
//! - An optional header line is allowed as the first line with content: it is recognised by none of
//!   its fields being a number. A first line with any numeric field is a frame row, so one with an
//!   empty or mistyped value is an error, not a header. A header must name the columns in the layout's
//!   order, `frame,x0,y0,x1,y1,...,x67,y67` or `x0,y0,x1,y1,...,x67,y67` (any case), and data rows
//!   must then have its width; a header in another order (say all x before all y) is an
//!   [`Error::Parse`] naming the expected order. Blank lines are skipped; spaces around fields are
//!   ignored. With such a header a data set of these files is detected as landmarks; without it, it
//!   reads as pre-extracted features unless `--format landmarks` is given (136 numbers per row are
//!   also the shape of other feature files).
//!
//! Every value must be a finite number in the float32 range; a wrong column count, an unparsable
//! field, NaN, infinity or a value beyond that range is an [`Error::Parse`] naming the line
//! (1-based) and column.
//!
//! # Features
//! [`normalise`] centres each frame's 68 points on their mean and divides by their root-mean-square
//! distance from it, which removes head position and face size. A frame's feature vector is its 136
//! normalised coordinates in `x0, y0, ..., x67, y67` order.

use super::FrameMatrix;
use crate::error::{Error, Result};
use std::path::Path;

/// Landmark points per frame.
pub const POINTS: usize = 68;
/// Values per frame (x and y of every point).
pub const COORDS: usize = 2 * POINTS;

/// Name of coordinate column `c` (0-based, frame column excluded): `x0, y0, x1, ...`.
fn coord_name(c: usize) -> String {
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

/// Whether the (trimmed) fields of a line are a landmark CSV header in the layout's order,
/// any case: `frame,x0,y0,...,x67,y67` or `x0,y0,...,x67,y67`.
pub fn is_layout_header(fields: &[&str]) -> bool {
    layout_header(fields.len()).is_some_and(|want| {
        fields
            .iter()
            .zip(&want)
            .all(|(f, w)| f.eq_ignore_ascii_case(w))
    })
}

/// Whether the (trimmed) fields of a line name exactly the columns of a landmark CSV header, in
/// any order and any case: a landmark file whose header is in another order (all x, then all y)
/// is still a landmark file, to be refused by the reader with the column out of place rather
/// than read as 137 unnamed features.
pub fn names_landmark_columns(fields: &[&str]) -> bool {
    layout_header(fields.len()).is_some_and(|want| {
        let mut got: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
        let mut want = want;
        got.sort_unstable();
        want.sort_unstable();
        got == want
    })
}

/// Check a header row against the documented layout; returns its width (137 or 136 columns).
fn check_header(fields: &[&str], path: &Path, line_no: usize) -> Result<usize> {
    let expected = || {
        format!(
            "the header must name the columns in the order frame,x0,y0,x1,y1,...,x67,y67 ({} \
             columns) or x0,y0,x1,y1,...,x67,y67 ({COORDS}), x and y of each point side by side",
            COORDS + 1
        )
    };
    let n = fields.len();
    let Some(want) = layout_header(n) else {
        return Err(Error::parse(
            path,
            line_no,
            format!("the header has {n} columns; {}", expected()),
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

/// Parse landmark CSV text (layout in the module docs); `path` names the source in errors.
/// Returns one row of [`COORDS`] raw coordinates per frame.
pub fn parse_landmarks(text: &str, path: &Path) -> Result<FrameMatrix> {
    // A byte-order mark (spreadsheet exports write one) is not part of the first field.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut data = Vec::new();
    let mut width: Option<usize> = None;
    let mut first_content = true;
    let mut header = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if first_content {
            first_content = false;
            // A header has no numeric field; a row with any number is data (so an empty or
            // mistyped value in the first row is reported, not taken for a header).
            if fields.iter().all(|f| f.parse::<f64>().is_err()) {
                width = Some(check_header(&fields, path, line_no)?);
                header = true;
                continue;
            }
        }
        let n = fields.len();
        if n != COORDS && n != COORDS + 1 {
            return Err(Error::parse(
                path,
                line_no,
                format!(
                    "expected {} columns (frame,x0,y0,...,x67,y67) or {COORDS} (x0,y0,...,x67,y67), \
                     got {n}",
                    COORDS + 1
                ),
            ));
        }
        match width {
            None => width = Some(n),
            Some(w) if w != n => {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "{n} columns, but {} {w}",
                        if header {
                            "the header has"
                        } else {
                            "earlier rows have"
                        }
                    ),
                ))
            }
            _ => {}
        }
        let coords = if n == COORDS + 1 {
            if fields[0].parse::<u64>().is_err() {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "column 1 (frame) must be a non-negative integer, got '{}'",
                        fields[0]
                    ),
                ));
            }
            &fields[1..]
        } else {
            &fields[..]
        };
        let offset = n - COORDS;
        for (c, f) in coords.iter().enumerate() {
            let name = coord_name(c);
            let v: f64 = f.parse().map_err(|_| {
                Error::parse(
                    path,
                    line_no,
                    format!("column {} ({name}) is not a number: '{f}'", c + offset + 1),
                )
            })?;
            if !v.is_finite() {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "column {} ({name}) is {f}; values must be finite",
                        c + offset + 1
                    ),
                ));
            }
            if !(v as f32).is_finite() {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "column {} ({name}) is {f}, outside the float32 range",
                        c + offset + 1
                    ),
                ));
            }
            data.push(v as f32);
        }
    }
    if data.is_empty() {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "the landmark CSV holds no frame rows".into(),
        });
    }
    Ok(FrameMatrix {
        rows: data.len() / COORDS,
        cols: COORDS,
        data,
    })
}

/// Read a landmark CSV file (layout in the module docs) into raw coordinates, one row per frame.
pub fn read_landmarks(path: &Path) -> Result<FrameMatrix> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_landmarks(&text, path)
}

/// Centre each frame's points on their mean and scale them to unit RMS distance from it.
///
/// Fails with [`Error::Shape`] when rows are not [`COORDS`] wide and [`Error::InvalidInput`] when
/// every point of a frame coincides (no scale).
pub fn normalise(raw: &FrameMatrix) -> Result<FrameMatrix> {
    if raw.cols != COORDS {
        return Err(Error::shape(
            "landmarks::normalise",
            format!("rows must hold {COORDS} coordinates, got {}", raw.cols),
        ));
    }
    let mut out = FrameMatrix::zeros(raw.rows, COORDS);
    for r in 0..raw.rows {
        let row = raw.row(r);
        let (mut cx, mut cy) = (0.0f64, 0.0f64);
        for p in row.chunks_exact(2) {
            cx += p[0] as f64;
            cy += p[1] as f64;
        }
        cx /= POINTS as f64;
        cy /= POINTS as f64;
        let ms: f64 = row
            .chunks_exact(2)
            .map(|p| (p[0] as f64 - cx).powi(2) + (p[1] as f64 - cy).powi(2))
            .sum::<f64>()
            / POINTS as f64;
        let scale = ms.sqrt();
        if !scale.is_finite() || scale <= 1e-12 {
            return Err(Error::InvalidInput(format!(
                "landmark frame {r} has all 68 points at one place; it cannot be normalised"
            )));
        }
        for (o, p) in out.row_mut(r).chunks_exact_mut(2).zip(row.chunks_exact(2)) {
            o[0] = ((p[0] as f64 - cx) / scale) as f32;
            o[1] = ((p[1] as f64 - cy) / scale) as f32;
        }
    }
    Ok(out)
}

/// Per-frame features of a landmark CSV file: normalised coordinates, one row of [`COORDS`] values
/// per frame. Errors of an unnormalisable frame name the file.
pub fn landmark_features(path: &Path) -> Result<FrameMatrix> {
    normalise(&read_landmarks(path)?).map_err(|e| match e {
        Error::InvalidInput(m) => Error::data(path, m),
        other => other,
    })
}

/// The landmark features of a CSV file as `nodes` graph nodes (cyclic padding of short clips,
/// chunk means of long ones; see [`super::frames`]).
pub fn landmark_nodes(path: &Path, nodes: usize) -> Result<FrameMatrix> {
    super::frames::group_frames(&landmark_features(path)?, nodes)
}
