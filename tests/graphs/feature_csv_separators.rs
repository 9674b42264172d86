//! Feature CSVs whose values are not separated by commas (NumPy's `np.savetxt` writes spaces
//! unless told `delimiter=','`; tab-separated exports): an error at the first line that says
//! so, not a first row skipped as a header and an unexplained parse error after it.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion_features::read_csv_matrix;
use synchgraph::Error;

/// A file `name` with `text` in a fresh scratch folder for one test.
fn csv(name: &str, text: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-csv-separators-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(format!("{name}.csv"));
    std::fs::write(&p, text).unwrap();
    p
}

/// The `Error::Parse` of reading `p`: its line and message.
fn parse_error(p: &Path) -> (usize, String) {
    let r = read_csv_matrix(p);
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    match r {
        Err(Error::Parse { line, message, .. }) => (line, message),
        other => panic!("{}: expected a parse error, got {other:?}", p.display()),
    }
}

/// `np.savetxt`'s default output (space-separated, `%.18e`), one row or several, and a
/// tab-separated file are refused at line 1 by an error that names the separator.
#[test]
fn space_or_tab_separated_values_are_refused_at_the_first_line() {
    let row = "1.000000000000000000e+00 2.500000000000000000e+00 -3.000000000000000000e+00";
    for (name, text, sep) in [
        ("savetxt", format!("{row}\n{row}\n"), "spaces"),
        ("one-row", format!("{row}\n"), "spaces"),
        ("tabs", "1\t2\t3\n4\t5\t6\n".to_string(), "tabs"),
    ] {
        let (line, message) = parse_error(&csv(name, &text));
        assert_eq!(line, 1, "{name}: {message}");
        assert!(message.contains(sep), "{name}: {message}");
        assert!(message.contains("commas"), "{name}: {message}");
    }
}

/// A field that is not a number in a later row is named with its column.
#[test]
fn a_bad_field_is_named_with_its_column() {
    let (line, message) = parse_error(&csv("bad-field", "1,2,3\n4,5x,6\n"));
    assert_eq!(line, 2, "{message}");
    assert!(message.contains("not a number"), "{message}");
    assert!(message.contains("column 2 '5x'"), "{message}");
}

/// Comma-separated rows whose fields carry spaces around the commas still read.
#[test]
fn spaces_around_commas_still_read() {
    let p = csv("spaced", "f0, f1\n 1.5 , 2\n3 ,4e-1\n");
    let m = read_csv_matrix(&p).unwrap();
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    assert_eq!((m.rows, m.cols), (2, 2));
    assert_eq!(m.data, vec![1.5, 2.0, 3.0, 0.4]);
}
