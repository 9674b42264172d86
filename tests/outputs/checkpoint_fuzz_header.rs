//! The JSON-header half of `checkpoint_fuzz`: seeded mutations of a safetensors header's
//! tokens (dtypes, shape numbers such as 4294967296 or -1, data offsets swapped, overlapping or
//! past the end, every tensor made a huge U8 span, metadata values of the wrong type, tokens
//! swapped, deleted or repeated, structural characters), with the shared [`Mutator`] as the
//! generator.

use crate::fuzz::Mutator;

/// The header text and the data of a safetensors file.
pub fn split(file: &[u8]) -> (String, Vec<u8>) {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8(file[8..8 + n].to_vec()).unwrap();
    (header, file[8 + n..].to_vec())
}

/// A file of `header` (padded with spaces to a multiple of 8 when `pad`) and `data`, its length
/// field right.
pub fn join(header: &str, data: &[u8], pad: bool) -> Vec<u8> {
    let mut head = header.as_bytes().to_vec();
    if pad {
        head.resize(head.len().next_multiple_of(8), b' ');
    }
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&head);
    out.extend_from_slice(data);
    out
}

/// The byte spans of the JSON string and number tokens of `header`, with whether each is a
/// string.
pub fn tokens(header: &str) -> Vec<(usize, usize, bool)> {
    let b = header.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            out.push((start, i, true));
        } else if b[i] == b'-' || b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b"-+.eE".contains(&b[i])) {
                i += 1;
            }
            out.push((start, i, false));
        } else {
            i += 1;
        }
    }
    out
}

/// Numbers put in place of a shape entry or a data offset.
const NUMBERS: &str = "0 1 -1 3 4294967296 4294967295 9223372036854775807 18446744073709551615 \
    18446744073709551616 2305843009213693951 4611686018427387904 1e3 0.5 100000000";

/// Strings (and values) put in place of a dtype, a key or a metadata value.
const STRINGS: &str = r#""F32" "F16" "BF16" "F64" "I64" "U8" "BOOL" "F8_E4M3" "F4" "f32" "" \
    "__metadata__" "dtype" "shape" "data_offsets" "b" "\u0062" "\ud800" 1 null [] {}"#;

/// Values put in place of the whole metadata object.
const METADATA: &str = r#"{"k":1} {"k":null} {"k":{"x":"y"}} {"k":["v"]} [] "s" null \
    {"k":"v","k":"w"} {"__metadata__":"v"}"#;

/// One of the space-separated words of `list` (a line may end in `\` and go on).
fn one_of(rng: &mut Mutator, list: &str) -> String {
    let words: Vec<&str> = list.split_whitespace().filter(|w| *w != "\\").collect();
    words[rng.below(words.len())].to_string()
}

/// The `[begin,end]` arrays of `"data_offsets"` in `header`, as byte spans.
fn offset_spans(header: &str) -> Vec<(usize, usize)> {
    header
        .match_indices("\"data_offsets\":")
        .filter_map(|(at, key)| {
            let start = at + key.len();
            let end = start + header[start..].find(']')? + 1;
            Some((start, end))
        })
        .collect()
}

/// `header` with every `"shape":[...]` replaced by `[each]`.
fn shapes_of(header: &str, each: u64) -> String {
    let mut out = String::new();
    let mut rest = header;
    while let Some(at) = rest.find("\"shape\":[") {
        let start = at + "\"shape\":[".len();
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&each.to_string());
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// `header` with the span `(s, e)` replaced by `with`.
fn replaced(header: &str, (s, e): (usize, usize), with: &str) -> String {
    format!("{}{with}{}", &header[..s], &header[e..])
}

/// A header mutation of `header`, and a line saying what it was.
pub fn mutate_header(rng: &mut Mutator, header: &str) -> (String, String) {
    let toks = tokens(header);
    if toks.iter().all(|t| t.2) || toks.iter().all(|t| !t.2) {
        return (header.to_string(), "no change (too few tokens)".into());
    }
    let pick = |rng: &mut Mutator, string: bool| {
        let of: Vec<_> = toks.iter().filter(|t| t.2 == string).collect();
        let t = of[rng.below(of.len())];
        (t.0, t.1)
    };
    let offsets = offset_spans(header);
    match rng.below(9) {
        0 => {
            let (span, with) = (pick(rng, false), one_of(rng, NUMBERS));
            let what = format!("number {} -> {with}", &header[span.0..span.1]);
            (replaced(header, span, &with), what)
        }
        1 => {
            let (span, with) = (pick(rng, true), one_of(rng, STRINGS));
            let what = format!("string {} -> {with}", &header[span.0..span.1]);
            (replaced(header, span, &with), what)
        }
        2 if offsets.len() >= 2 => {
            // Two tensors' data offsets swapped.
            let i = rng.below(offsets.len());
            let j = (i + 1 + rng.below(offsets.len() - 1)) % offsets.len();
            let (a, b) = (offsets[i.min(j)], offsets[i.max(j)]);
            let (ta, tb) = (&header[a.0..a.1], &header[b.0..b.1]);
            let h = format!(
                "{}{tb}{}{ta}{}",
                &header[..a.0],
                &header[a.1..b.0],
                &header[b.1..]
            );
            (h, format!("offsets {ta} <-> {tb}"))
        }
        3 if !offsets.is_empty() => {
            // Offsets overlapping, reversed or past the data.
            let span = offsets[rng.below(offsets.len())];
            let with = [
                "[0,4]",
                "[0,8]",
                "[4,0]",
                "[0,1000000]",
                "[0,18446744073709551615]",
            ][rng.below(5)];
            let what = format!("offsets {} -> {with}", &header[span.0..span.1]);
            (replaced(header, span, with), what)
        }
        4 if header.contains("\"__metadata__\":{") => {
            let s = header.find("\"__metadata__\":{").unwrap() + "\"__metadata__\":".len();
            let e = s + header[s..].find('}').unwrap() + 1;
            let with = one_of(rng, METADATA);
            (
                replaced(header, (s, e), &with),
                format!("metadata -> {with}"),
            )
        }
        7 if !offsets.is_empty() => {
            // Every tensor made U8 and huge, one after another: each span fits its shape and
            // starts where the last ended, and together they near `usize::MAX` bytes.
            // With eight or more tensors, u64::MAX / count bytes each is a valid U8 span.
            let count = offsets.len() as u64;
            let each = [u64::MAX / count, (1u64 << 61) - 1, 1 << 32][rng.below(3)];
            let mut h = header.to_string();
            for (k, span) in offsets.iter().enumerate().rev() {
                let (b, e) = (
                    (k as u64).saturating_mul(each),
                    (k as u64 + 1).saturating_mul(each),
                );
                h = replaced(&h, *span, &format!("[{b},{e}]"));
            }
            let h = h
                .replace("\"F32\"", "\"U8\"")
                .replace("\"F16\"", "\"U8\"")
                .replace("\"F64\"", "\"U8\"");
            let h = shapes_of(&h, each);
            (h, format!("every tensor U8 of {each} bytes"))
        }
        5 => {
            // Two tokens' texts swapped (a string where a number goes, keys exchanged).
            let (a, b) = (toks[rng.below(toks.len())], toks[rng.below(toks.len())]);
            let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
            if a.1 > b.0 {
                return (header.to_string(), "no change".into());
            }
            let h = format!(
                "{}{}{}{}{}",
                &header[..a.0],
                &header[b.0..b.1],
                &header[a.1..b.0],
                &header[a.0..a.1],
                &header[b.1..]
            );
            (
                h,
                format!("swap {} <-> {}", &header[a.0..a.1], &header[b.0..b.1]),
            )
        }
        6 => {
            // A token deleted or repeated.
            let t = toks[rng.below(toks.len())];
            let text = &header[t.0..t.1];
            if rng.below(2) == 0 {
                (replaced(header, (t.0, t.1), ""), format!("delete {text}"))
            } else {
                let twice = format!("{text},{text}");
                (
                    replaced(header, (t.0, t.1), &twice),
                    format!("repeat {text}"),
                )
            }
        }
        _ => {
            // One character of the header replaced by a structural one.
            let at = rng.below(header.len());
            let c = ["{", "}", "[", "]", ",", ":", "\"", " ", "\\", "\u{0}", "é"][rng.below(11)];
            let mut h = header.as_bytes().to_vec();
            h.splice(at..at + 1, c.bytes());
            let h = String::from_utf8_lossy(&h).into_owned();
            (h, format!("byte {at} -> {c:?}"))
        }
    }
}
