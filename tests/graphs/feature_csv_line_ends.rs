//! Feature CSVs with classic Mac OS line ends (a lone CR, as older spreadsheet exports write):
//! read line by line as the landmark and BVH readers read them, not as one line of fields
//! such as `2\r3`.

use synchgraph::data::emotion_features::read_csv_matrix;

/// A CR-only file, with a header and without, reads as its LF copy; CRLF still reads.
#[test]
fn cr_only_line_ends_read_as_lf_ones() {
    let d = std::env::temp_dir().join(format!("synchgraph-csv-cr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (name, lf) in [("header", "f0,f1\n1,2\n3,4.5\n"), ("plain", "1,2\n3,4.5")] {
        let read = |text: String, end: &str| {
            let p = d.join(format!("{name}-{end}.csv"));
            std::fs::write(&p, text).unwrap();
            read_csv_matrix(&p).unwrap_or_else(|e| panic!("{name} {end}: {e}"))
        };
        let want = read(lf.to_string(), "lf");
        assert_eq!((want.rows, want.cols), (2, 2), "{name}");
        for (end, text) in [
            ("cr", lf.replace('\n', "\r")),
            ("crlf", lf.replace('\n', "\r\n")),
        ] {
            let got = read(text, end);
            assert_eq!((got.rows, got.cols), (2, 2), "{name} {end}");
            assert_eq!(got.data, want.data, "{name} {end}");
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
