//! Landmark CSV fields and lines as other tools write them: quoted names and values (R's
//! `write.csv`) and its row-index column, values separated by something else than commas, CR-only
//! line ends, and a frame whose points all coincide, named by its line in the file.

use std::path::Path;
use synchgraph::data::emotion::{detect_format, DatasetFormat};
use synchgraph::features::landmarks::{
    is_layout_header, landmark_features, names_landmark_columns, parse_landmarks, COORDS, POINTS,
};
use synchgraph::Error;

/// Row `r` of a test clip: 136 distinct coordinates.
fn coords(r: usize) -> Vec<String> {
    (0..COORDS)
        .map(|c| format!("{}", 100.0 + (c * 7 % 31) as f64 * 1.5 + r as f64 * 0.25))
        .collect()
}

fn names(frame: bool) -> Vec<String> {
    let lead = frame.then(|| "frame".to_string());
    lead.into_iter()
        .chain((0..POINTS).flat_map(|k| [format!("x{k}"), format!("y{k}")]))
        .collect()
}

fn quoted(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(",")
}

fn with_frame(frame: usize, r: usize) -> Vec<String> {
    std::iter::once(frame.to_string())
        .chain(coords(r))
        .collect()
}

/// A header and values in double quotes read as the same file without quotes, and a quoted
/// header is recognised as a landmark header, by data-set detection too.
#[test]
fn quoted_header_and_values_read_as_unquoted() {
    let p = Path::new("mem.csv");
    let plain = format!(
        "{}\n{}\n{}\n",
        names(true).join(","),
        with_frame(1, 0).join(","),
        with_frame(2, 1).join(",")
    );
    let want = parse_landmarks(&plain, p).unwrap();
    // R's write.csv(row.names = FALSE): quoted names, bare numbers.
    let r_style = format!(
        "{}\r\n{}\r\n{}\r\n",
        quoted(&names(true)),
        with_frame(1, 0).join(","),
        with_frame(2, 1).join(",")
    );
    assert_eq!(parse_landmarks(&r_style, p).unwrap(), want);
    // A folder of such files is detected as landmarks, not as 137 features with the frame number.
    let dir = std::env::temp_dir().join(format!("synchgraph-lmquoted-{}", std::process::id()));
    for class in ["happy", "sad"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        std::fs::write(dir.join(class).join("a.csv"), &r_style).unwrap();
    }
    let detected = detect_format(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(detected.unwrap(), DatasetFormat::Landmarks);
    // Everything quoted (csv.QUOTE_ALL), spaces around the quotes.
    let all = format!(
        "{}\n{}\n{}\n",
        quoted(&names(true)).replace(',', " , "),
        quoted(&with_frame(1, 0)),
        quoted(&with_frame(2, 1))
    );
    assert_eq!(parse_landmarks(&all, p).unwrap(), want);
    for frame in [true, false] {
        let raw = quoted(&names(frame));
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        assert!(is_layout_header(&fields), "frame column {frame}");
        assert!(names_landmark_columns(&fields), "frame column {frame}");
    }
}

/// A header that starts with an empty name (the row-index column of R's `write.csv`) is an error
/// that says so.
#[test]
fn a_row_index_column_is_named() {
    let header = format!("\"\",{}", quoted(&names(true)));
    let row = |f: usize| format!("\"{f}\",{}", with_frame(f, f).join(","));
    let text = format!("{header}\n{}\n{}\n", row(1), row(2));
    match parse_landmarks(&text, Path::new("mem.csv")) {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 1, "{message}");
            assert!(message.contains("row index"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// A file of numbers separated by semicolons, tabs or spaces is an error on line 1 saying the
/// values must be separated by commas, not a complaint about a one-column header; a header
/// separated by semicolons or tabs is an error that names them.
#[test]
fn other_separators_are_named() {
    for (sep, name) in [(";", "semicolons"), ("\t", "tabs"), (" ", "spaces")] {
        let text = format!("{}\n{}\n", coords(0).join(sep), coords(1).join(sep));
        match parse_landmarks(&text, Path::new("mem.csv")) {
            Err(Error::Parse { line, message, .. }) => {
                assert_eq!(line, 1, "{message}");
                assert!(
                    message.contains(name) && message.contains("commas"),
                    "{name}: {message}"
                );
                assert!(!message.contains("header"), "{name}: {message}");
            }
            other => panic!("{name}: expected a parse error, got {other:?}"),
        }
    }
    // A header of names separated by semicolons or tabs says so.
    for (sep, name) in [(";", "semicolons"), ("\t", "tabs")] {
        let text = format!("{}\n{}\n", names(true).join(sep), coords(0).join(","));
        match parse_landmarks(&text, Path::new("mem.csv")) {
            Err(Error::Parse { line, message, .. }) => {
                assert_eq!(line, 1, "{message}");
                assert!(message.contains(name), "{name}: {message}");
            }
            other => panic!("{name}: expected a parse error, got {other:?}"),
        }
    }
}

/// A frame whose 68 points coincide (what some trackers write for a lost face) is an error
/// naming its line in the file, past the header and blank lines.
#[test]
fn a_frame_with_coinciding_points_names_its_line() {
    let dir = std::env::temp_dir().join(format!("synchgraph-lmfields-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("lost_face.csv");
    let zeros = std::iter::once("3".to_string())
        .chain(std::iter::repeat_n("0".to_string(), COORDS))
        .collect::<Vec<_>>()
        .join(",");
    let text = format!(
        "{}\n\n{}\n{}\n{}\n",
        names(true).join(","),
        with_frame(1, 0).join(","),
        with_frame(2, 1).join(","),
        zeros
    );
    std::fs::write(&f, text).unwrap();
    let e = landmark_features(&f).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    match e {
        Error::Data { path, message } => {
            assert!(path.ends_with("lost_face.csv"), "{path}");
            assert!(message.contains("line 5"), "{message}");
        }
        other => panic!("expected a data error, got {other:?}"),
    }
}

/// A file with classic Mac OS line ends (CR only, as Excel for Mac's "CSV (Macintosh)" writes)
/// reads as the same file with LF line ends, and its errors name the right line.
#[test]
fn cr_only_line_ends_read_as_lf() {
    let p = Path::new("mem.csv");
    let rows = [
        names(true).join(","),
        with_frame(1, 0).join(","),
        String::new(),
        with_frame(2, 1).join(","),
    ];
    let want = parse_landmarks(&rows.join("\n"), p).unwrap();
    assert_eq!(parse_landmarks(&rows.join("\r"), p).unwrap(), want);
    // A folder of CR-only files is detected as landmarks by its header line too.
    let dir = std::env::temp_dir().join(format!("synchgraph-lmcr-{}", std::process::id()));
    for class in ["happy", "sad"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        std::fs::write(dir.join(class).join("a.csv"), rows.join("\r")).unwrap();
    }
    let detected = detect_format(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(detected.unwrap(), DatasetFormat::Landmarks);
    let mut bad = with_frame(3, 2);
    bad[9] = "abc".into();
    let text = format!("{}\r{}\r", rows.join("\r"), bad.join(","));
    match parse_landmarks(&text, p) {
        Err(Error::Parse { line, message, .. }) => assert_eq!(line, 5, "{message}"),
        other => panic!("expected a parse error, got {other:?}"),
    }
}
