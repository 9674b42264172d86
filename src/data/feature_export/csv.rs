//! The CSV fields of a [`FEATURES_CLIPS`](super::FEATURES_CLIPS) list: writing one field and
//! reading the records back.

use std::borrow::Cow;

/// `field` as a field of a CSV line (RFC 4180): quoted, its quotes doubled, when it holds a
/// comma, a quote or a line break; as it is otherwise. [`FEATURES_CLIPS`] is written this way so
/// class and file names with commas read back.
///
/// [`FEATURES_CLIPS`]: super::FEATURES_CLIPS
pub fn csv_field(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// The records of the CSV `text` as [`csv_field`] writes its fields, each with the (1-based)
/// line it starts on; blank lines are skipped and every record has at least one field. The
/// error says which line is malformed.
pub(super) fn csv_records(text: &str) -> std::result::Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut record_line = 1;
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            let start = line;
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(format!("line {start}: a quoted field is not closed")),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => {
                        line += usize::from(c == '\n');
                        field.push(c);
                    }
                }
            }
            if let Some(&c) = chars.peek().filter(|&&c| !matches!(c, ',' | '\n' | '\r')) {
                return Err(format!(
                    "line {line}: '{c}' after the closing quote of a field"
                ));
            }
        } else {
            while let Some(&c) = chars.peek().filter(|&&c| !matches!(c, ',' | '\n')) {
                field.push(c);
                chars.next();
            }
            if field.ends_with('\r') && matches!(chars.peek(), None | Some('\n')) {
                field.pop();
            }
        }
        record.push(field);
        match chars.next() {
            Some(',') => continue,
            Some('\r') if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            _ => {}
        }
        // The end of a line or of the text.
        line += 1;
        let blank = record.len() == 1 && record[0].is_empty();
        let record = std::mem::take(&mut record);
        if !blank {
            records.push((record_line, record));
        }
        record_line = line;
        if chars.peek().is_none() {
            return Ok(records);
        }
    }
}
