//! Mutation fuzzing of the feature-matrix and digits loaders: `.npy` matrices (header fields,
//! header length and version bytes, data), feature CSVs and the 8x8 digits CSV (plain and
//! gzip). A few hundred seeded mutations of a valid seed file each must give either an error
//! with a message or a matrix whose shape matches its data and whose values keep the format's
//! promises (finite features, pixels in 0..=16, labels 0..=9), without a panic, a hang or an
//! allocation beyond the file's size.

use std::io::{Read, Write};
use std::path::Path;

use synchgraph::data::digits;
use synchgraph::data::emotion_features::{npy_bytes, read_csv_matrix, read_npy_matrix};
use synchgraph::features::FrameMatrix;

use crate::common::cli::scratch;
use crate::fuzz::{cases, loaded, shared_data, Mutator, Tally};

/// Largest single allocation a loader may make for a file of `len` bytes: its text or values
/// a few times over, and some slack.
fn alloc_limit(len: usize) -> usize {
    16 * len + (1 << 20)
}

/// Fail unless `m` is a well-formed matrix of finite values.
fn check_matrix(what: &str, case: usize, m: &FrameMatrix) {
    assert!(
        m.rows >= 1 && m.cols >= 1 && m.rows * m.cols == m.data.len(),
        "{what} case {case}: shape [{}, {}] for {} values",
        m.rows,
        m.cols,
        m.data.len()
    );
    assert!(
        m.data.iter().all(|v| v.is_finite()),
        "{what} case {case}: non-finite value accepted"
    );
}

/// The header-field edits of an `.npy` file: dtype, order, shape, and the header's braces.
const NPY_EDITS: &[(&str, &[&str])] = &[
    (
        "<f4",
        &["<f8", "|u1", ">i2", "<f2", ">f4", "<f16", "f4", "<F4"],
    ),
    ("False", &["True", "Fals", "1", "None", "Falsee"]),
    (
        "(3, 2)",
        &[
            "(4294967296, 2)",
            "(3,)",
            "(2, 3)",
            "(0, 2)",
            "(3, 0)",
            "(3, 2, 1)",
            "(99999999999999999999, 1)",
            "(-1, 2)",
            "(6, 1)",
            "(1, 6)",
            "(3L, 2L)",
            "(4294967296, 4294967296)",
            "(9223372036854775807, 3)",
            "()",
        ],
    ),
    ("'descr'", &["'dtype'", "\"descr\"", "'descr '"]),
    ("'shape'", &["'shap'", "\"shape\""]),
    ("{", &["", "{{"]),
];

/// Fail unless the `.npy` file `b` read as `m` is its header (by either header-length field)
/// and `m`'s values at 2, 4 or 8 bytes each: no byte of the file left unread or read twice.
fn assert_npy_size(case: usize, b: &[u8], m: &FrameMatrix) {
    let h1 = 10 + usize::from(u16::from_le_bytes([b[8], b[9]]));
    let h2 = b.get(8..12).map_or(0, |h| {
        12 + u32::from_le_bytes(h.try_into().unwrap()) as usize
    });
    let fits = [h1, h2]
        .iter()
        .any(|h| [2, 4, 8].iter().any(|w| h + w * m.data.len() == b.len()));
    assert!(
        fits,
        "npy case {case}: {} bytes for {} values",
        b.len(),
        m.data.len()
    );
}

/// A 3 x 2 float32 `.npy` file.
fn npy_seed() -> Vec<u8> {
    npy_bytes(&FrameMatrix {
        rows: 3,
        cols: 2,
        data: vec![1.5, -2.0, 0.25, 4.0, 1e-3, -6.5],
    })
}

/// `.npy` files with an edited header field, header length or version byte and/or random
/// mutations: an error or a consistent matrix of finite values.
#[test]
fn mutated_npy_files_fail_cleanly_or_read_consistently() {
    let d = scratch("fuzz-loaders", "npy");
    let p = d.join("m.npy");
    let seed = npy_seed();
    let mut m = Mutator::new(1);
    let mut tally = Tally::default();
    for case in 0..cases(400) {
        let mut b = seed.clone();
        match m.below(4) {
            0 => m.edit_field(&mut b, NPY_EDITS),
            1 => {
                // The header length (bytes 8..10), or the version byte that says how wide it is.
                let at = 6 + m.below(6);
                b[at] = m.next_u64() as u8;
            }
            _ => {}
        }
        if case % 4 != 0 {
            b = m.mutate(&b);
        }
        std::fs::write(&p, &b).unwrap();
        let q = p.clone();
        let r = loaded("npy", case, &b, alloc_limit(b.len()), move || {
            read_npy_matrix(&q)
        });
        if let Some(mat) = &r {
            check_matrix("npy", case, mat);
            assert_npy_size(case, &b, mat);
        }
        tally.add(&r);
    }
    tally.assert_both("npy");
    let _ = std::fs::remove_dir_all(&d);
}

/// Every header-field edit alone, and every value of the header-length and version bytes
/// (0, 1, 2, 3, 0x7f, 0xff): an error or a consistent matrix of finite values.
#[test]
fn every_npy_header_edit_fails_cleanly_or_reads_consistently() {
    let d = scratch("fuzz-loaders", "npy-edits");
    let p = d.join("m.npy");
    let seed = npy_seed();
    let text = String::from_utf8_lossy(&seed).into_owned();
    let mut inputs = Vec::new();
    for (from, tos) in NPY_EDITS {
        for to in tos.iter() {
            inputs.push(text.replacen(from, to, 1).into_bytes());
        }
    }
    for at in 6..12 {
        for v in [0, 1, 2, 3, 0x7f, 0xff] {
            let mut b = seed.clone();
            b[at] = v;
            inputs.push(b);
        }
    }
    for (case, b) in inputs.iter().enumerate() {
        std::fs::write(&p, b).unwrap();
        let q = p.clone();
        let r = loaded("npy edit", case, b, alloc_limit(b.len()), move || {
            read_npy_matrix(&q)
        });
        if let Some(mat) = &r {
            check_matrix("npy edit", case, mat);
            assert_npy_size(case, b, mat);
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A feature CSV with a header and three rows.
const CSV_SEED: &str = "f0,f1,f2\n1.5,2,-3\n0.25,\"4\",5e-3\n7,8,9\n";

/// Feature CSVs with random mutations: an error or a consistent matrix of finite values.
#[test]
fn mutated_feature_csvs_fail_cleanly_or_read_consistently() {
    let d = scratch("fuzz-loaders", "csv");
    let p = d.join("m.csv");
    let mut m = Mutator::new(2);
    let mut tally = Tally::default();
    for case in 0..cases(400) {
        let b = m.mutate(CSV_SEED.as_bytes());
        std::fs::write(&p, &b).unwrap();
        let q = p.clone();
        let r = loaded("csv", case, &b, alloc_limit(b.len()), move || {
            read_csv_matrix(&q)
        });
        if let Some(mat) = &r {
            check_matrix("csv", case, mat);
            let text = String::from_utf8_lossy(&b);
            let sep = if text.contains('\n') { '\n' } else { '\r' };
            let lines = text.split(sep).filter(|l| !l.trim().is_empty()).count();
            assert!(
                lines == mat.rows || lines == mat.rows + 1,
                "csv case {case}: {} rows from {lines} lines",
                mat.rows
            );
        }
        tally.add(&r);
    }
    tally.assert_both("csv");
    let _ = std::fs::remove_dir_all(&d);
}

/// The first `rows` lines of the shared digits CSV.
fn digits_seed(rows: usize) -> String {
    let gz = std::fs::read(shared_data().join("digits/digits.csv.gz")).unwrap();
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    text.lines().take(rows).map(|l| format!("{l}\n")).collect()
}

/// `text` gzip-compressed.
fn gzip(text: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text).unwrap();
    e.finish().unwrap()
}

/// Fail unless `d` holds images of integer pixels in 0..=16 with digit labels, one per line
/// of content of `text` when the file was that text.
fn check_digits(case: usize, d: &digits::Digits, text: Option<&[u8]>) {
    assert!(
        !d.images.is_empty() && d.images.len() == d.labels.len(),
        "case {case}"
    );
    for (img, &l) in d.images.iter().zip(&d.labels) {
        assert!(l <= 9, "digits case {case}: label {l}");
        assert!(
            img.iter()
                .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0),
            "digits case {case}: pixels {img:?}"
        );
    }
    if let Some(text) = text {
        let text = String::from_utf8_lossy(text);
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(
            d.images.len(),
            lines,
            "digits case {case}: images for lines"
        );
    }
}

/// The digits CSV, plain and gzip, with random mutations of the text (then compressed, or
/// not) or of the compressed bytes: an error or images that keep the data set's ranges.
#[test]
fn mutated_digits_files_fail_cleanly_or_read_consistently() {
    let d = scratch("fuzz-loaders", "digits");
    let p = d.join("digits.csv.gz");
    let seed = digits_seed(4);
    let seed_gz = gzip(seed.as_bytes());
    let mut m = Mutator::new(3);
    let mut tally = Tally::default();
    for case in 0..cases(300) {
        let (b, text) = match case % 3 {
            0 => {
                let t = m.mutate(seed.as_bytes());
                (t.clone(), Some(t))
            }
            1 => {
                let t = m.mutate(seed.as_bytes());
                (gzip(&t), Some(t))
            }
            _ => (m.mutate(&seed_gz), None),
        };
        std::fs::write(&p, &b).unwrap();
        let limit = alloc_limit(text.as_ref().map_or(0, Vec::len).max(64 * b.len()));
        let q = p.clone();
        let r = loaded("digits", case, &b, limit, move || digits::load(&q));
        if let Some(dg) = &r {
            check_digits(case, dg, text.as_deref());
        }
        tally.add(&r);
    }
    tally.assert_both("digits");
    let _ = std::fs::remove_dir_all(&d);
}

/// The seed files themselves read: the fuzz runs start from valid inputs.
#[test]
fn fuzz_seeds_are_valid() {
    let d = scratch("fuzz-loaders", "seeds");
    let write = |name: &str, b: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let m = read_npy_matrix(&write("m.npy", &npy_seed())).unwrap();
    assert_eq!((m.rows, m.cols), (3, 2));
    let c = read_csv_matrix(&write("m.csv", CSV_SEED.as_bytes())).unwrap();
    assert_eq!((c.rows, c.cols), (3, 3));
    let seed = digits_seed(4);
    let g = digits::load(&write("digits.csv.gz", &gzip(seed.as_bytes()))).unwrap();
    check_digits(0, &g, Some(seed.as_bytes()));
    assert!(Path::new(&d).exists());
    let _ = std::fs::remove_dir_all(&d);
}
