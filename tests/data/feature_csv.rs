//! Feature CSVs with quoted fields (RFC 4180, as pandas and spreadsheets write them): a quoted
//! column name holding a comma is one column, and quoted numbers are numbers.

use std::path::PathBuf;

use synchgraph::data::emotion_features::read_csv_matrix;
use synchgraph::Error;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-csv-quotes-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `text` written to `dir/name` and read as a feature matrix.
fn csv(
    dir: &std::path::Path,
    name: &str,
    text: &str,
) -> synchgraph::Result<(usize, usize, Vec<f32>)> {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    read_csv_matrix(&p).map(|m| (m.rows, m.cols, m.data))
}

/// `df.to_csv(index=False)` quotes a column name holding a comma; the header still names two
/// columns (it used to count three and refuse the rows as too narrow).
#[test]
fn csv_header_with_a_quoted_comma_names_one_column() {
    let d = tmp("header");
    let two = (2, 2, vec![1.0, 2.0, 3.0, 4.0]);
    for (name, text) in [
        ("comma.csv", "\"mfcc(1,2)\",energy\n1,2\n3,4\n"),
        ("quote.csv", "\"say \"\"hi\"\", twice\",x\n1,2\n3,4\n"),
        ("spaced.csv", " \"a,b\" , c \n1, 2\n3 ,4\n"),
    ] {
        assert_eq!(csv(&d, name, text).unwrap(), two, "{name}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Every field quoted (`quoting=csv.QUOTE_ALL`): the numbers are read, and a first row of
/// quoted numbers is a row of features, not a header (it used to be skipped as one).
#[test]
fn csv_quoted_numbers_are_numbers() {
    let d = tmp("numbers");
    assert_eq!(
        csv(
            &d,
            "all.csv",
            "\"f0\",\"f1\"\n\"1.5\",\"2\"\n\"3\",\"-4e1\"\n"
        )
        .unwrap(),
        (2, 2, vec![1.5, 2.0, 3.0, -40.0])
    );
    assert_eq!(
        csv(&d, "no-header.csv", "\"1.5\",\"2\"\n").unwrap(),
        (1, 2, vec![1.5, 2.0])
    );
    assert_eq!(
        csv(&d, "pandas.csv", "\"0\",\"1\"\n\"5\",\"6\"\n").unwrap(),
        (1, 2, vec![5.0, 6.0])
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// A quote left open, or text after a closing quote, is a parse error naming the line.
#[test]
fn csv_malformed_quotes_are_an_error_naming_the_line() {
    let d = tmp("malformed");
    for (name, text, line) in [
        ("open.csv", "f0,f1\n1,\"2\n3,4\n", 2),
        ("after.csv", "\"f0\"x,f1\n1,2\n", 1),
    ] {
        match csv(&d, name, text) {
            Err(Error::Parse { line: l, .. }) => assert_eq!(l, line, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
