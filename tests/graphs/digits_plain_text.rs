//! The digits loader given an uncompressed CSV (a `digits.csv.gz` that was gunzipped): read as
//! the same images, not refused as a broken gzip stream.

use std::io::Write;

use synchgraph::data::digits;

/// Two digit rows: 64 pixels then the label.
fn rows() -> String {
    let a: Vec<String> = (0..64).map(|i| (i % 17).to_string()).collect();
    let b: Vec<String> = (0..64).map(|i| ((i * 5) % 17).to_string()).collect();
    format!("{},3\r\n{},9\r\n", a.join(","), b.join(","))
}

/// A plain-text CSV file reads as the same digits as its gzip copy.
#[test]
fn an_uncompressed_csv_reads_as_its_gzip_copy() {
    let d = std::env::temp_dir().join(format!("synchgraph-digits-plain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let plain = d.join("digits.csv");
    std::fs::write(&plain, rows()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(rows().as_bytes()).unwrap();
    std::fs::write(d.join("digits.csv.gz"), gz.finish().unwrap()).unwrap();
    let want = digits::load(&d).unwrap();
    let got = digits::load(&plain).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&d);
    assert_eq!(got.labels, vec![3, 9]);
    assert_eq!(got.labels, want.labels);
    assert_eq!(got.images, want.images);
}
