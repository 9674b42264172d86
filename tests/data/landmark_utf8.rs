//! A landmark CSV whose bytes are not UTF-8 (a file saved as Latin-1 or UTF-16) is a parse error
//! naming the file, the line and the byte where the bad bytes start, counted as the reader
//! counts lines (LF, CRLF, or CR in a file without LF), not an I/O error about a stream.

use std::path::Path;

use synchgraph::features::landmarks::{landmark_features, read_landmarks, COORDS};
use synchgraph::Error;

use crate::common::cli::{scratch, write};

/// A landmark file of a header and two frames, lines ended by `end`, with the byte `bad`
/// written after the second value of the second frame (line 3).
fn file_with(end: &str, bad: &[u8]) -> Vec<u8> {
    let header: Vec<String> = (0..COORDS / 2)
        .flat_map(|k| [format!("x{k}"), format!("y{k}")])
        .collect();
    let row = |r: usize| -> String {
        let v: Vec<String> = (0..COORDS)
            .map(|c| format!("{}", 100 + (c * 7 + r) % 31))
            .collect();
        v.join(",")
    };
    let mut b = format!("{}{end}{}{end}", header.join(","), row(0)).into_bytes();
    let second = row(1).into_bytes();
    let cut = second
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b',')
        .nth(1)
        .unwrap()
        .0;
    b.extend_from_slice(&second[..cut]);
    b.extend_from_slice(bad);
    b.extend_from_slice(&second[cut..]);
    b.extend_from_slice(end.as_bytes());
    b
}

/// The parse error of a landmark read, with its line and message.
fn parse_error(
    r: synchgraph::Result<synchgraph::features::FrameMatrix>,
) -> (String, usize, String) {
    match r {
        Err(Error::Parse {
            path,
            line,
            message,
        }) => (path, line, message),
        Err(e) => panic!("expected a parse error, got {e:?}"),
        Ok(_) => panic!("a file that is not UTF-8 was read"),
    }
}

/// Latin-1 bytes on line 3 are refused as "not UTF-8 text" on line 3, at the byte where they
/// start, by both file readers, whatever the line ends; the file without them reads.
#[test]
fn latin1_bytes_are_a_parse_error_naming_their_line() {
    let d = scratch("landmark-utf8", "latin1");
    for (name, end) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let good = d.join(format!("good-{name}.csv"));
        write(&good, file_with(end, b""));
        assert_eq!(read_landmarks(&good).unwrap().rows, 2, "{name}");
        let p = d.join(format!("latin1-{name}.csv"));
        let bytes = file_with(end, b"\xe9");
        write(&p, &bytes);
        let line3 = bytes.iter().rposition(|&b| b == 0xe9).unwrap();
        for r in [read_landmarks(&p), landmark_features(&p)] {
            let (path, line, message) = parse_error(r);
            assert_eq!(Path::new(&path), p.as_path(), "{name}");
            assert_eq!(line, 3, "{name}: {message}");
            assert!(message.contains("not UTF-8 text"), "{name}: {message}");
            assert!(message.contains("0xE9"), "{name}: {message}");
            // Byte `col` of line 3: the bad byte follows the row's first two values.
            let start = bytes[..line3]
                .iter()
                .rposition(|&b| b == end.as_bytes()[end.len() - 1])
                .unwrap()
                + 1;
            let col = line3 - start + 1;
            assert!(
                message.contains(&format!("byte {col} of the line")),
                "{name}: {message}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A UTF-16 file (Excel's "Unicode Text") is refused on line 1, saying it is UTF-16.
#[test]
fn utf16_file_is_named_as_utf16() {
    let d = scratch("landmark-utf8", "utf16");
    let p = d.join("utf16.csv");
    let text = String::from_utf8(file_with("\r\n", b"")).unwrap();
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    write(&p, &bytes);
    let (_, line, message) = parse_error(read_landmarks(&p));
    assert_eq!(line, 1, "{message}");
    assert!(message.contains("UTF-16"), "{message}");
    let _ = std::fs::remove_dir_all(&d);
}
