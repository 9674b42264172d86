//! `.npy` headers that the format allows beyond what `np.save` writes for a float32 matrix on
//! a little-endian machine: big-endian and half-precision data, double-quoted dictionary
//! strings, Python 2 `L` integers in the shape; and the refusal of Fortran-order data saying how to write the file instead.

use std::path::PathBuf;

use synchgraph::data::emotion_features::read_npy_matrix;
use synchgraph::Error;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-npy-headers-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A version-1.0 `.npy` file `name` in `d` with header dictionary `dict` and raw `data`.
fn npy(d: &std::path::Path, name: &str, dict: &str, data: &[u8]) -> PathBuf {
    let mut h = dict.to_string();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    let p = d.join(name);
    std::fs::write(&p, b).unwrap();
    p
}

const VALUES: [f32; 6] = [1.5, -2.0, 3.25, 4.0, 0.0, -6.5];

/// Big-endian float32 and float64 data (`'>f4'`, `'>f8'`, as `astype('>f4')` or a big-endian
/// machine writes) read as the same values as the little-endian file.
#[test]
fn big_endian_data_reads_as_its_values() {
    let d = tmp("big-endian");
    let dict =
        |descr: &str| format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (2, 3), }}");
    let f4: Vec<u8> = VALUES.iter().flat_map(|v| v.to_be_bytes()).collect();
    let f8: Vec<u8> = VALUES
        .iter()
        .flat_map(|&v| (v as f64).to_be_bytes())
        .collect();
    for (name, descr, data) in [("f4.npy", ">f4", f4), ("f8.npy", ">f8", f8)] {
        let m = read_npy_matrix(&npy(&d, name, &dict(descr), &data))
            .unwrap_or_else(|e| panic!("{descr}: {e}"));
        assert_eq!((m.rows, m.cols), (2, 3), "{descr}");
        assert_eq!(m.data, VALUES, "{descr}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Half-precision data (`'<f2'`, `'>f2'`: embeddings are often saved as float16) reads as
/// its exact float32 values, subnormals and the largest half included.
#[test]
fn half_precision_data_reads_exactly() {
    let d = tmp("half");
    let bits: [u16; 6] = [0x3e00, 0xc000, 0x4280, 0x4400, 0x0001, 0x7bff];
    let want = [1.5, -2.0, 3.25, 4.0, 2f32.powi(-24), 65504.0];
    let le: Vec<u8> = bits.iter().flat_map(|b| b.to_le_bytes()).collect();
    let be: Vec<u8> = bits.iter().flat_map(|b| b.to_be_bytes()).collect();
    for (name, descr, data) in [("le.npy", "<f2", le), ("be.npy", ">f2", be)] {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (3, 2), }}");
        let m = read_npy_matrix(&npy(&d, name, &dict, &data))
            .unwrap_or_else(|e| panic!("{descr}: {e}"));
        assert_eq!((m.rows, m.cols), (3, 2), "{descr}");
        assert_eq!(m.data, want, "{descr}");
    }
    // A half infinity is refused as any non-finite value is.
    let dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1), }";
    let inf = read_npy_matrix(&npy(&d, "inf.npy", dict, &0x7c00u16.to_le_bytes()));
    assert!(matches!(inf, Err(Error::Data { .. })), "{inf:?}");
    let _ = std::fs::remove_dir_all(&d);
}

/// The header is a Python literal: double-quoted keys and dtype strings, and the `L` suffix
/// Python 2 NumPy wrote after long integers in the shape, read as `np.load` reads them.
#[test]
fn double_quotes_and_python2_long_shapes_are_read() {
    let d = tmp("literal");
    let data: Vec<u8> = VALUES.iter().flat_map(|v| v.to_le_bytes()).collect();
    for (name, dict) in [
        (
            "dq.npy",
            r#"{"descr": "<f4", "fortran_order": False, "shape": (2, 3), }"#,
        ),
        (
            "long.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
        ),
    ] {
        let m =
            read_npy_matrix(&npy(&d, name, dict, &data)).unwrap_or_else(|e| panic!("{dict}: {e}"));
        assert_eq!((m.rows, m.cols), (2, 3), "{dict}");
        assert_eq!(m.data, VALUES, "{dict}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A dtype other than float32/float64 is refused by name, so the user learns what the file
/// holds (an integer matrix, float16) and not only what is wanted.
#[test]
fn other_dtypes_are_refused_by_name() {
    let d = tmp("dtype");
    let dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }";
    match read_npy_matrix(&npy(&d, "i8.npy", dict, &7i64.to_le_bytes())) {
        Err(Error::UnsupportedFormat { message, .. }) => {
            assert!(message.contains("'<i8'"), "{message}")
        }
        other => panic!("an int64 file must be refused, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Fortran-order data (what `np.save(path, x.T)` writes for a transposed C array, such as
/// librosa's MFCCs saved as frames x coefficients) reads as the matrix it holds: element (r, c)
/// is value `c * rows + r` of the file, and a non-finite one is named by its place in the
/// matrix.
#[test]
fn fortran_order_data_reads_as_its_matrix() {
    let d = tmp("fortran");
    let dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
    let data: Vec<u8> = VALUES.iter().flat_map(|v| v.to_le_bytes()).collect();
    let m = read_npy_matrix(&npy(&d, "f.npy", dict, &data)).unwrap();
    assert_eq!((m.rows, m.cols), (2, 3));
    assert_eq!(m.row(0), &[1.5, 3.25, 0.0]);
    assert_eq!(m.row(1), &[-2.0, 4.0, -6.5]);
    let mut bad = VALUES;
    bad[3] = f32::NAN;
    let data: Vec<u8> = bad.iter().flat_map(|v| v.to_le_bytes()).collect();
    match read_npy_matrix(&npy(&d, "nan.npy", dict, &data)) {
        Err(Error::Data { message, .. }) => {
            assert!(message.contains("row 1, column 1"), "{message}")
        }
        other => panic!("a NaN must be refused, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&d);
}
