//! Landmark CSV headers: a first row is a header only when none of its fields is a number, and a
//! header must name the columns in the documented order (`frame,x0,y0,x1,y1,...,x67,y67`, or the
//! same without `frame`).

use std::path::Path;
use synchgraph::features::landmarks::{parse_landmarks, COORDS, POINTS};
use synchgraph::Error;

/// Row `r` of a test clip: 136 distinct coordinates, optionally after a frame number.
fn coords(r: usize) -> Vec<String> {
    (0..COORDS)
        .map(|c| format!("{}", 100.0 + c as f64 * 1.5 + r as f64 * 0.25))
        .collect()
}

fn row(frame: Option<usize>, r: usize) -> String {
    let mut f: Vec<String> = frame.map(|v| v.to_string()).into_iter().collect();
    f.extend(coords(r));
    f.join(",")
}

fn names() -> Vec<String> {
    (0..POINTS)
        .flat_map(|k| [format!("x{k}"), format!("y{k}")])
        .collect()
}

fn parse_err(text: &str) -> (usize, String) {
    match parse_landmarks(text, Path::new("mem.csv")) {
        Err(Error::Parse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn first_row_with_an_empty_first_value_is_data_not_a_header() {
    // Frame column present, its value missing on the first row.
    let mut first = coords(0);
    first.insert(0, String::new());
    let text = format!(
        "{}\n{}\n{}\n",
        first.join(","),
        row(Some(1), 1),
        row(Some(2), 2)
    );
    let (line, message) = parse_err(&text);
    assert_eq!(line, 1, "{message}");
    assert!(message.contains("column 1"), "{message}");
    // No frame column: x0 of the first row missing.
    let mut first = coords(0);
    first[0] = String::new();
    let text = format!("{}\n{}\n", first.join(","), row(None, 1));
    let (line, message) = parse_err(&text);
    assert_eq!(line, 1, "{message}");
    assert!(
        message.contains("column 1") && message.contains("x0"),
        "{message}"
    );
    // Also after a byte-order mark and blank lines.
    let text = format!("\u{feff}\n\n{}\n{}\n", first.join(","), row(None, 1));
    let (line, message) = parse_err(&text);
    assert_eq!(line, 3, "{message}");
    assert!(message.contains("column 1"), "{message}");
}

#[test]
fn first_row_with_a_non_numeric_value_is_data_with_an_error() {
    // One word among numbers: a typo in data, not a header.
    let mut first = coords(0);
    first[7] = "12.5.3".into();
    let text = format!("{}\n{}\n", first.join(","), row(None, 1));
    let (line, message) = parse_err(&text);
    assert_eq!(line, 1, "{message}");
    assert!(
        message.contains("column 8") && message.contains("y3"),
        "{message}"
    );
    // A header with one empty name is still a header (no field is a number).
    let mut h = names();
    h[4] = String::new();
    let (line, message) = parse_err(&format!("{}\n{}\n", h.join(","), row(None, 0)));
    assert_eq!(line, 1, "{message}");
    assert!(message.contains("x0,y0,x1,y1"), "{message}");
}

#[test]
fn headers_in_the_documented_order_are_accepted() {
    let p = Path::new("mem.csv");
    let body = format!("{}\n{}\n", row(Some(0), 0), row(Some(1), 1));
    let want = parse_landmarks(&body, p).unwrap();
    assert_eq!(want.rows, 2);
    let h = format!("frame,{}", names().join(","));
    assert_eq!(parse_landmarks(&format!("{h}\n{body}"), p).unwrap(), want);
    // Any case, spaces around names, a byte-order mark and blank lines first.
    let loose = format!(
        "\u{feff}\n FRAME , {} \n{body}",
        names().join(" , ").to_uppercase()
    );
    assert_eq!(parse_landmarks(&loose, p).unwrap(), want);
    // Without the frame column.
    let plain = format!(
        "{}\n{}\n{}\n",
        names().join(","),
        row(None, 0),
        row(None, 1)
    );
    assert_eq!(parse_landmarks(&plain, p).unwrap(), want);
}

#[test]
fn headers_in_another_order_are_errors_naming_the_expected_one() {
    // All x then all y: the same names, another order.
    let split: Vec<String> = (0..POINTS)
        .map(|k| format!("x{k}"))
        .chain((0..POINTS).map(|k| format!("y{k}")))
        .collect();
    for with_frame in [true, false] {
        let h = if with_frame {
            format!("frame,{}", split.join(","))
        } else {
            split.join(",")
        };
        let frame = with_frame.then_some(0);
        let (line, message) = parse_err(&format!("{h}\n{}\n", row(frame, 0)));
        assert_eq!(line, 1, "{message}");
        assert!(message.contains("frame,x0,y0,x1,y1"), "{message}");
        assert!(message.contains("x67,y67"), "{message}");
    }
    // The frame column last, y before x, or a header of the wrong width.
    let mut last = names();
    last.push("frame".into());
    let mut yx = names();
    yx.swap(0, 1);
    for h in [
        last.join(","),
        yx.join(","),
        format!("frame,{}", names()[..134].join(",")),
    ] {
        let (line, message) = parse_err(&format!("{h}\n{}\n", row(None, 0)));
        assert_eq!(line, 1, "{message}");
        assert!(message.contains("frame,x0,y0,x1,y1"), "{message}");
    }
}

#[test]
fn data_rows_must_match_the_header_width() {
    // A header with the frame column, rows without it.
    let h = format!("frame,{}", names().join(","));
    let (line, message) = parse_err(&format!("{h}\n{}\n", row(None, 0)));
    assert_eq!(line, 2, "{message}");
    assert!(message.contains("header"), "{message}");
}
