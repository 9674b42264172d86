//! Plain text as the CSV, BVH, TOML and index readers meet it: files that may not be UTF-8 or
//! may start with a byte-order mark, line ends of any platform, and numbers separated by
//! something else than the commas a CSV needs.

use std::path::Path;

use crate::error::{Error, Result};

/// The text of the file at `path`, without a leading UTF-8 byte-order mark (Windows editors
/// and spreadsheet exports write one; it would stick to the first field). Bytes that are not
/// UTF-8 (a file saved as Latin-1 or UTF-16) are an [`Error::Parse`] naming the line, counted
/// as [`text_lines`] counts them, and the byte of that line where they start; a file that
/// cannot be read is an [`Error::Io`].
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // Lines end in LF (or CRLF) or, in a file without LF, CR; no byte of a multi-byte
        // sequence, valid or not, is an LF or a CR.
        let end = if bytes.contains(&b'\n') { b'\n' } else { b'\r' };
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == end).count() + 1;
        let col = at - before.iter().rposition(|&b| b == end).map_or(0, |p| p + 1) + 1;
        let utf16 = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            " (the file starts with a UTF-16 byte-order mark)"
        } else {
            ""
        };
        Error::parse(
            path,
            line,
            format!(
                "not UTF-8 text{utf16}: byte 0x{:02X} at byte {col} of the line; save the file \
                 as UTF-8",
                bytes[at]
            ),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The lines of a text file without their ends. Lines end in LF or CRLF; a file with no LF at
/// all uses classic Mac OS line ends (CR), as Excel for Mac's "CSV (Macintosh)" writes them.
pub fn text_lines(text: &str) -> Vec<&str> {
    if text.contains('\n') {
        text.lines().collect()
    } else {
        text.split_terminator('\r').collect()
    }
}

/// `"tabs"`, `"semicolons"` or `"spaces"` when `field` is two or more numbers separated by them
/// (a field of a comma-separated line that was written with another separator).
pub fn other_separator(field: &str) -> Option<&'static str> {
    [('\t', "tabs"), (';', "semicolons"), (' ', "spaces")]
        .into_iter()
        .find_map(|(c, name)| {
            let mut parts = field.split(c).map(str::trim).filter(|p| !p.is_empty());
            let n = parts.clone().count();
            (n >= 2 && parts.all(|p| p.parse::<f64>().is_ok())).then_some(name)
        })
}

#[cfg(test)]
mod tests {
    use super::{other_separator, text_lines};

    /// LF, CRLF and CR-only files give the same lines; a CR inside an LF file stays in its line.
    #[test]
    fn lines_end_in_lf_crlf_or_cr() {
        let want = vec!["a,b", "", "c"];
        assert_eq!(text_lines("a,b\n\nc\n"), want);
        assert_eq!(text_lines("a,b\r\n\r\nc"), want);
        assert_eq!(text_lines("a,b\r\rc\r"), want);
        assert_eq!(text_lines("a\rb\nc"), vec!["a\rb", "c"]);
        assert!(text_lines("").is_empty());
    }

    /// Numbers separated by tabs, semicolons or spaces are named by their separator; a single
    /// number, text, or a mix of separators is not.
    #[test]
    fn other_separators_are_named() {
        assert_eq!(other_separator("1\t2.5\t-3"), Some("tabs"));
        assert_eq!(other_separator("1; 2"), Some("semicolons"));
        assert_eq!(other_separator(" 1 2e3 "), Some("spaces"));
        assert_eq!(other_separator("1.5"), None);
        assert_eq!(other_separator("a b"), None);
        assert_eq!(other_separator("1\t2 3"), None);
    }
}
