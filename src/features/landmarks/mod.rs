//! Facial landmarks: 68 (x, y) points per frame from a CSV file, the L-GrIN face front end.
//!
//! # CSV layout
//! - Comma-separated UTF-8 text, one row per video frame, in frame order (rows are kept in file
//!   order); bytes that are not UTF-8 are an [`Error::Parse`] naming their line.
//!   Lines end in LF, CRLF or, in a file without any LF, CR (classic Mac OS).
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
//!   ignored, and so are double quotes around a field (R's `write.csv` quotes the names; a doubled
//!   quote inside stands for one, as RFC 4180 has it). With such a header a data set of these
//!   files is detected as landmarks; without it, it reads as pre-extracted features unless
//!   `--format landmarks` is given (136 numbers per row are also the shape of other feature
//!   files).
//!
//! Every value must be a finite number in the float32 range; a wrong column count, an unparsable
//! field, NaN, infinity, a value beyond that range or numbers separated by semicolons, tabs or
//! spaces instead of commas is an [`Error::Parse`] naming the line (1-based) and column.
//!
//! # Features
//! [`normalise`] centres each frame's 68 points on their mean and divides by their root-mean-square
//! distance from it, which removes head position and face size. A frame's feature vector is its 136
//! normalised coordinates in `x0, y0, ..., x67, y67` order.

mod header;

pub use header::{is_layout_header, names_landmark_columns};

use super::text::read_text;
use super::{other_separator, text_lines, FrameMatrix};
use crate::error::{Error, Result};
use header::{check_header, coord_name, unquote};
use std::borrow::Cow;
use std::path::Path;

/// Landmark points per frame.
pub const POINTS: usize = 68;
/// Values per frame (x and y of every point).
pub const COORDS: usize = 2 * POINTS;

/// Parse landmark CSV text (layout in the module docs); `path` names the source in errors.
/// Returns one row of [`COORDS`] raw coordinates per frame.
pub fn parse_landmarks(text: &str, path: &Path) -> Result<FrameMatrix> {
    Ok(parse_rows(text, path)?.0)
}

/// [`parse_landmarks`], with the 1-based line number of each frame row.
fn parse_rows(text: &str, path: &Path) -> Result<(FrameMatrix, Vec<usize>)> {
    // A byte-order mark (spreadsheet exports write one) is not part of the first field.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut data = Vec::new();
    let mut lines = Vec::new();
    let mut width: Option<usize> = None;
    let mut first_content = true;
    let mut header = false;
    // Lines end in LF, CRLF or (a file without LF) CR.
    let lines_of: Vec<&str> = text_lines(text);
    for (i, raw) in lines_of.into_iter().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<Cow<str>> = line.split(',').map(unquote).collect();
        let fields: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
        if let Some((k, sep)) = fields
            .iter()
            .enumerate()
            .find_map(|(k, f)| other_separator(f).map(|sep| (k, sep)))
        {
            return Err(Error::parse(
                path,
                line_no,
                format!(
                    "column {} holds numbers separated by {sep}: a landmark CSV separates its \
                     values with commas",
                    k + 1
                ),
            ));
        }
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
        lines.push(line_no);
    }
    if data.is_empty() {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "the landmark CSV holds no frame rows".into(),
        });
    }
    let m = FrameMatrix {
        rows: data.len() / COORDS,
        cols: COORDS,
        data,
    };
    Ok((m, lines))
}

/// Read a landmark CSV file (layout in the module docs) into raw coordinates, one row per frame.
/// A file that is not UTF-8 text is an [`Error::Parse`] naming the line of its first bad byte.
pub fn read_landmarks(path: &Path) -> Result<FrameMatrix> {
    let text = read_text(path)?;
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
    normalise_rows(raw).map_err(|r| {
        Error::InvalidInput(format!(
            "landmark frame {r} (0-based) has all 68 points at one place; it cannot be normalised"
        ))
    })
}

/// [`normalise`] of rows [`COORDS`] wide, or the index of the first frame without a scale.
fn normalise_rows(raw: &FrameMatrix) -> std::result::Result<FrameMatrix, usize> {
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
            return Err(r);
        }
        for (o, p) in out.row_mut(r).chunks_exact_mut(2).zip(row.chunks_exact(2)) {
            o[0] = ((p[0] as f64 - cx) / scale) as f32;
            o[1] = ((p[1] as f64 - cy) / scale) as f32;
        }
    }
    Ok(out)
}

/// Per-frame features of a landmark CSV file: normalised coordinates, one row of [`COORDS`] values
/// per frame. A frame whose points all coincide is an [`Error::Data`] naming the file and the
/// frame's line in it.
pub fn landmark_features(path: &Path) -> Result<FrameMatrix> {
    let text = read_text(path)?;
    let (raw, lines) = parse_rows(&text, path)?;
    normalise_rows(&raw).map_err(|r| {
        Error::data(
            path,
            format!(
                "line {}: all 68 points of the frame are at one place (a tracker that lost the \
                 face?), so it cannot be normalised; drop the row or fill it in",
                lines[r]
            ),
        )
    })
}

/// The landmark features of a CSV file as `nodes` graph nodes (cyclic padding of short clips,
/// chunk means of long ones; see [`super::frames`]).
pub fn landmark_nodes(path: &Path, nodes: usize) -> Result<FrameMatrix> {
    super::frames::group_frames(&landmark_features(path)?, nodes)
}
