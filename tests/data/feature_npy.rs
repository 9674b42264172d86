//! `.npy` feature matrices whose header and data disagree: data bytes beyond the shape, and
//! format versions other than exactly 1.0, 2.0 and 3.0, and files cut inside the preamble.

use std::path::PathBuf;

use synchgraph::data::emotion_features::read_npy_matrix;
use synchgraph::Error;

/// A fresh scratch folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-npy-checks-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A version `major.minor` `.npy` file with header dictionary `dict` (padded to 64 bytes) and
/// raw `data` bytes.
fn npy(major: u8, minor: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let prefix = if major == 1 { 10 } else { 12 };
    let mut h = dict.to_string();
    while (prefix + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY".to_vec();
    b.extend_from_slice(&[major, minor]);
    if major == 1 {
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    } else {
        b.extend_from_slice(&(h.len() as u32).to_le_bytes());
    }
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f64_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Data bytes past those the shape needs mean the header does not describe the data (a
/// float64 array labelled `<f4`, or a shape that lost a dimension): refused, naming both
/// sizes, rather than read as the first values of a longer array.
#[test]
fn npy_with_more_data_than_its_shape_is_refused() {
    let d = tmp("trailing");
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    // float64 data under a float32 header: 48 bytes where 24 are announced.
    let vals = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
    let p = d.join("f8-as-f4.npy");
    std::fs::write(&p, npy(1, 0, dict, &f64_bytes(&vals))).unwrap();
    match read_npy_matrix(&p) {
        Err(Error::UnsupportedFormat { message, .. }) => {
            assert!(message.contains("48 data bytes"), "{message}");
            assert!(message.contains("24"), "{message}");
        }
        other => panic!("trailing data must be refused, got {other:?}"),
    }
    // One stray byte is refused too; the exact size reads.
    let mut one_more = f32_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    one_more.push(0);
    std::fs::write(&p, npy(1, 0, dict, &one_more)).unwrap();
    assert!(matches!(
        read_npy_matrix(&p),
        Err(Error::UnsupportedFormat { .. })
    ));
    one_more.pop();
    std::fs::write(&p, npy(1, 0, dict, &one_more)).unwrap();
    assert_eq!(read_npy_matrix(&p).unwrap().row(1), &[4.0, 5.0, 6.0]);
    let _ = std::fs::remove_dir_all(&d);
}

/// NumPy reads format versions 1.0, 2.0 and 3.0 only; a 1.1 or 2.5 header is refused by its
/// full version, as the message says, rather than read as the major version's layout.
#[test]
fn npy_of_an_unknown_minor_version_is_refused() {
    let d = tmp("minor");
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }";
    for (major, minor, ok) in [
        (1u8, 0u8, true),
        (2, 0, true),
        (3, 0, true),
        (1, 1, false),
        (2, 5, false),
    ] {
        let p = d.join(format!("v{major}{minor}.npy"));
        std::fs::write(&p, npy(major, minor, dict, &f32_bytes(&[7.0]))).unwrap();
        match (read_npy_matrix(&p), ok) {
            (Ok(m), true) => assert_eq!(m.row(0), &[7.0]),
            (Err(Error::UnsupportedFormat { message, .. }), false) => {
                assert!(
                    message.contains(&format!("version {major}.{minor}")),
                    "{message}"
                )
            }
            (other, _) => panic!("version {major}.{minor}: {other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A file cut inside the preamble after its magic is a truncated `.npy` file, not one
/// "missing the magic".
#[test]
fn npy_cut_after_its_magic_is_truncated() {
    let d = tmp("cut");
    let p = d.join("x.npy");
    for len in [6, 8, 9] {
        std::fs::write(&p, &b"\x93NUMPY\x01\x00\x40\x00"[..len]).unwrap();
        assert!(
            matches!(read_npy_matrix(&p), Err(Error::Truncated { .. })),
            "{len} bytes: {:?}",
            read_npy_matrix(&p)
        );
    }
    std::fs::write(&p, b"\x93NUMP").unwrap();
    assert!(matches!(
        read_npy_matrix(&p),
        Err(Error::UnsupportedFormat { .. })
    ));
    let _ = std::fs::remove_dir_all(&d);
}
