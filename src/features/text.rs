//! Plain text as the CSV and BVH readers meet it: line ends of any platform, and numbers
//! separated by something else than the commas a CSV needs.

/// The lines of a text file without their ends. Lines end in LF or CRLF; a file with no LF at
/// all uses classic Mac OS line ends (CR), as Excel for Mac's "CSV (Macintosh)" writes them.
pub(crate) fn text_lines(text: &str) -> Vec<&str> {
    if text.contains('\n') {
        text.lines().collect()
    } else {
        text.split_terminator('\r').collect()
    }
}

/// `"tabs"`, `"semicolons"` or `"spaces"` when `field` is two or more numbers separated by them
/// (a field of a comma-separated line that was written with another separator).
pub(crate) fn other_separator(field: &str) -> Option<&'static str> {
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
