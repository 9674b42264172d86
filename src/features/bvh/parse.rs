//! Reading a BVH file: the split at `MOTION`, the motion header and the frame lines.

use std::path::Path;

use super::clip::Bvh;
use super::hierarchy::{parse_hierarchy, Tokens};
use crate::error::{Error, Result};
use crate::features::text_lines;
use crate::features::FrameMatrix;

/// The text after `key` on a MOTION header line, tolerating any spacing (`Frames:\t994`,
/// `Frame  Time: .0083`, `Frames:994`).
fn header_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = line.trim_start();
    for w in key.split_whitespace() {
        rest = rest.strip_prefix(w)?.trim_start();
    }
    let v = rest.trim();
    (!v.is_empty() && !v.contains(char::is_whitespace)).then_some(v)
}

/// `t` as a finite f64, or `None`.
pub(super) fn parse_finite(t: &str) -> Option<f64> {
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parse BVH text; `path` names the source in errors.
pub fn parse_bvh(text: &str, path: &Path) -> Result<Bvh> {
    // A byte-order mark is not part of the `HIERARCHY` keyword.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Lines end in LF, CRLF or (a file without LF) CR.
    let lines: Vec<&str> = text_lines(text);
    let motion_at = lines
        .iter()
        .position(|l| l.split_whitespace().next() == Some("MOTION"))
        .ok_or_else(|| Error::parse(path, lines.len().max(1), "no MOTION section"))?;
    if lines[motion_at].split_whitespace().count() != 1 {
        return Err(Error::parse(
            path,
            motion_at + 1,
            "MOTION must stand alone on its line",
        ));
    }
    let items = lines[..motion_at]
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.split_whitespace().map(move |t| (i + 1, t)))
        .collect();
    let mut tok = Tokens {
        items,
        pos: 0,
        end_line: motion_at + 1,
        path,
    };
    let (joints, channels) = parse_hierarchy(&mut tok)?;
    if channels == 0 {
        // No frame line could hold a value: the clip would have no features.
        return Err(Error::parse(
            path,
            motion_at + 1,
            "the hierarchy declares no channels (every CHANNELS count is 0)",
        ));
    }

    // The MOTION header: non-blank lines "Frames: N" and "Frame Time: t".
    let mut rest = lines
        .iter()
        .enumerate()
        .skip(motion_at + 1)
        .filter(|(_, l)| !l.trim().is_empty());
    let eof = || Error::Truncated {
        path: path.display().to_string(),
        message: "the file ends inside the MOTION header".into(),
    };
    let (fl, frames_line) = rest.next().ok_or_else(eof)?;
    let frames: usize = header_value(frames_line, "Frames:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| Error::parse(path, fl + 1, "expected 'Frames: N' with an integer N"))?;
    let (tl, time_line) = rest.next().ok_or_else(eof)?;
    let frame_time = header_value(time_line, "Frame Time:")
        .and_then(parse_finite)
        .filter(|v| *v > 0.0)
        .ok_or_else(|| {
            Error::parse(
                path,
                tl + 1,
                "expected 'Frame Time: t' with a positive number t",
            )
        })?;

    // 'Frames:' may announce any count: reserve no more than the lines that follow can hold.
    let room = frames.min(lines.len().saturating_sub(tl + 1));
    let mut data = Vec::with_capacity(room.saturating_mul(channels));
    let mut seen = 0usize;
    for (i, l) in rest {
        if seen == frames {
            return Err(Error::parse(
                path,
                i + 1,
                format!("more frame lines than the {frames} announced by 'Frames:'"),
            ));
        }
        let start = data.len();
        for (k, v) in l.split_whitespace().enumerate() {
            let x = parse_finite(v).ok_or_else(|| {
                Error::parse(
                    path,
                    i + 1,
                    format!(
                        "value {} of frame {seen} must be a finite number, found '{v}'",
                        k + 1
                    ),
                )
            })? as f32;
            if !x.is_finite() {
                return Err(Error::parse(
                    path,
                    i + 1,
                    format!(
                        "value {} of frame {seen}, {v}, is outside the float32 range",
                        k + 1
                    ),
                ));
            }
            data.push(x);
        }
        let got = data.len() - start;
        if got != channels {
            return Err(Error::parse(
                path,
                i + 1,
                format!("frame {seen} has {got} values, the hierarchy has {channels} channels"),
            ));
        }
        seen += 1;
    }
    if seen < frames {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: format!(
                "'Frames:' announces {frames} frames but the file ends after {seen} (line {})",
                lines.len()
            ),
        });
    }
    if frames == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "the clip has 0 frames".into(),
        });
    }
    Ok(Bvh {
        joints,
        frame_time,
        motion: FrameMatrix {
            rows: frames,
            cols: channels,
            data,
        },
    })
}

/// Read and parse a BVH file. The format names no text encoding: bytes that are not UTF-8
/// (a joint named in Latin-1 or Shift-JIS) are read as U+FFFD, so such a name loses those
/// characters while the motion, plain ASCII numbers, is read as it is.
pub fn read_bvh(path: &Path) -> Result<Bvh> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_bvh(&String::from_utf8_lossy(&bytes), path)
}
