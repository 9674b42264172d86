//! The 8x8 digits loader: the shared scikit-learn file, gzip files of several members, and
//! malformed rows (each a data error naming the line).

use std::io::Write;
use std::path::PathBuf;

use synchgraph::data::digits::{load, parse, PIXELS};

fn shared_digits() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/digits"
    ))
}

fn row(pixels: &str, label: &str) -> String {
    let mut v = vec!["0"; PIXELS];
    v[0] = pixels;
    format!("{},{label}\n", v.join(","))
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-digits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_shared_file_holds_1797_labelled_images() {
    let d = load(&shared_digits()).unwrap();
    assert_eq!((d.images.len(), d.labels.len()), (1797, 1797));
    // The file's first row: a 0.
    assert_eq!(d.labels[0], 0);
    assert_eq!(
        &d.images[0][..8],
        &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]
    );
    for c in 0..10 {
        assert!(
            d.labels.iter().filter(|&&l| l == c).count() > 170,
            "class {c}"
        );
    }
}

#[test]
fn every_member_of_a_multi_member_gzip_is_read() {
    // `cat a.gz b.gz` (or a parallel gzip) gives one file of two members, which gzip tools and
    // scikit-learn read as the two texts joined.
    let mut bytes = gzip(&(row("1", "3") + &row("2", "4")));
    bytes.extend(gzip(&row("5", "7")));
    let path = temp_file("two-members.csv.gz", &bytes);
    let d = load(&path).unwrap();
    assert_eq!(d.labels, vec![3, 4, 7]);
    assert_eq!(d.images[2][0], 5.0);
    // Bytes after the last member that are not gzip are an error, not ignored.
    let mut junk = gzip(&row("1", "3"));
    junk.extend(b"not gzip");
    let path = temp_file("trailing.csv.gz", &junk);
    let err = load(&path).unwrap_err().to_string();
    assert!(err.contains("trailing.csv.gz"), "{err}");
}

#[test]
fn a_pixel_that_is_not_an_integer_is_refused() {
    let err = parse(&(row("0", "1") + &row("3.5", "2")), "t.csv")
        .unwrap_err()
        .to_string();
    assert!(err.contains("t.csv") && err.contains("line 2"), "{err}");
}

#[test]
fn malformed_rows_name_their_line() {
    let cases = [
        (row("0", "1") + "1,2,3\n", "line 2"),
        (row("x", "1"), "line 1"),
        (row("17", "1"), "line 1"),
        (row("-1", "1"), "line 1"),
        (row("0", "10"), "line 1"),
        (row("0", "2.5"), "line 1"),
        (row("0", "nan"), "line 1"),
        (format!("\n\n{}", row("0", "")), "line 3"),
    ];
    for (text, want) in cases {
        let err = parse(&text, "t.csv").unwrap_err().to_string();
        assert!(err.contains(want), "{text:?}: {err}");
    }
    assert!(parse("\n\n", "t.csv").is_err());
    // Windows line ends and spaces around values are fine.
    let d = parse(&row(" 16 ", "9").replace('\n', "\r\n"), "t.csv").unwrap();
    assert_eq!((d.images[0][0], d.labels[0]), (16.0, 9));
}
