//! BVH (Biovision Hierarchy) motion capture: the joint hierarchy, channels and per-frame values.
//!
//! A file has a `HIERARCHY` section, one or more `ROOT` joints each holding `OFFSET x y z`,
//! `CHANNELS n name...` (names among `Xposition Yposition Zposition Xrotation Yrotation Zrotation`),
//! child `JOINT`s and `End Site { OFFSET x y z }` leaves, braces delimiting each; then a `MOTION`
//! section with `Frames: N`, `Frame Time: t` and N lines of channel values, one line per frame, in
//! the order the channels appear in the hierarchy (depth first). Tokens are separated by any
//! whitespace, so `{` may share a line with its joint, and CRLF line ends and a leading UTF-8
//! byte-order mark (as some Windows editors write) are accepted.
//!
//! A malformed file gives [`Error::Parse`] naming the 1-based line (a joint naming one channel
//! twice, or a hierarchy with no channels at all, is malformed); a file that ends before its
//! announced frames gives [`Error::Truncated`], and `Frames: 0` gives [`Error::Empty`]. The node
//! features of a clip are its per-frame channel values ([`Bvh::motion`]), grouped into graph
//! nodes by [`mocap_nodes`].

use super::frames::group_frames_with_angles;
use super::FrameMatrix;
use crate::error::{Error, Result};
use std::path::Path;

/// One degree of freedom of a joint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Translation along x.
    Xposition,
    /// Translation along y.
    Yposition,
    /// Translation along z.
    Zposition,
    /// Rotation about x, degrees.
    Xrotation,
    /// Rotation about y, degrees.
    Yrotation,
    /// Rotation about z, degrees.
    Zrotation,
}

impl Channel {
    fn parse(s: &str) -> Option<Channel> {
        Some(match s.to_ascii_lowercase().as_str() {
            "xposition" => Channel::Xposition,
            "yposition" => Channel::Yposition,
            "zposition" => Channel::Zposition,
            "xrotation" => Channel::Xrotation,
            "yrotation" => Channel::Yrotation,
            "zrotation" => Channel::Zrotation,
            _ => return None,
        })
    }

    /// The channel's name as written in BVH files.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Xposition => "Xposition",
            Channel::Yposition => "Yposition",
            Channel::Zposition => "Zposition",
            Channel::Xrotation => "Xrotation",
            Channel::Yrotation => "Yrotation",
            Channel::Zrotation => "Zrotation",
        }
    }
}

/// A joint of the hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub struct Joint {
    /// Joint name.
    pub name: String,
    /// Index of the parent joint in [`Bvh::joints`]; `None` for a root.
    pub parent: Option<usize>,
    /// Offset from the parent joint.
    pub offset: [f64; 3],
    /// The joint's channels, in file order.
    pub channels: Vec<Channel>,
    /// Index of the joint's first channel within a frame's values.
    pub first_channel: usize,
    /// Offsets of the joint's `End Site` leaves (usually zero or one).
    pub end_sites: Vec<[f64; 3]>,
}

/// A parsed BVH clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Bvh {
    /// Joints in file (depth-first) order.
    pub joints: Vec<Joint>,
    /// Seconds per frame.
    pub frame_time: f64,
    /// One row per frame, one column per channel (all joints' channels, in file order).
    pub motion: FrameMatrix,
}

impl Bvh {
    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.motion.rows
    }

    /// Total number of channels per frame.
    pub fn channel_count(&self) -> usize {
        self.motion.cols
    }

    /// `joint.channel` names of every column of [`Bvh::motion`].
    pub fn channel_names(&self) -> Vec<String> {
        self.joints
            .iter()
            .flat_map(|j| {
                j.channels
                    .iter()
                    .map(move |c| format!("{}.{}", j.name, c.name()))
            })
            .collect()
    }

    /// Index of the joint called `name`.
    pub fn joint_index(&self, name: &str) -> Option<usize> {
        self.joints.iter().position(|j| j.name == name)
    }
}

/// Whitespace tokens of the hierarchy section, each with its 1-based line.
struct Tokens<'a> {
    items: Vec<(usize, &'a str)>,
    pos: usize,
    end_line: usize,
    path: &'a Path,
}

impl<'a> Tokens<'a> {
    fn next(&mut self, what: &str) -> Result<(usize, &'a str)> {
        let t = self.items.get(self.pos).copied().ok_or_else(|| {
            Error::parse(
                self.path,
                self.end_line,
                format!("the hierarchy ends where {what} was expected"),
            )
        })?;
        self.pos += 1;
        Ok(t)
    }

    fn expect(&mut self, word: &str) -> Result<usize> {
        let (line, t) = self.next(&format!("'{word}'"))?;
        if t != word {
            return Err(Error::parse(
                self.path,
                line,
                format!("expected '{word}', found '{t}'"),
            ));
        }
        Ok(line)
    }

    fn number(&mut self, what: &str) -> Result<f64> {
        let (line, t) = self.next(what)?;
        parse_finite(t).ok_or_else(|| {
            Error::parse(
                self.path,
                line,
                format!("{what} must be a finite number, found '{t}'"),
            )
        })
    }

    fn offset(&mut self) -> Result<[f64; 3]> {
        Ok([
            self.number("OFFSET x")?,
            self.number("OFFSET y")?,
            self.number("OFFSET z")?,
        ])
    }
}

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

fn parse_finite(t: &str) -> Option<f64> {
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parse the `HIERARCHY` section from `tok`; returns the joints and the total channel count.
fn parse_hierarchy(tok: &mut Tokens) -> Result<(Vec<Joint>, usize)> {
    tok.expect("HIERARCHY")?;
    let mut joints: Vec<Joint> = Vec::new();
    // Open joints, and whether each has seen OFFSET and CHANNELS.
    let mut stack: Vec<(usize, bool, bool)> = Vec::new();
    let mut channels = 0usize;
    while tok.pos < tok.items.len() {
        let (line, t) = tok.next("a keyword")?;
        match t {
            "ROOT" | "JOINT" => {
                if t == "ROOT" && !stack.is_empty() {
                    return Err(Error::parse(tok.path, line, "ROOT inside another joint"));
                }
                if t == "JOINT" && stack.is_empty() {
                    return Err(Error::parse(tok.path, line, "JOINT outside any ROOT"));
                }
                let (_, name) = tok.next("a joint name")?;
                if name == "{" {
                    return Err(Error::parse(tok.path, line, format!("{t} has no name")));
                }
                tok.expect("{")?;
                joints.push(Joint {
                    name: name.to_string(),
                    parent: stack.last().map(|s| s.0),
                    offset: [0.0; 3],
                    channels: Vec::new(),
                    first_channel: channels,
                    end_sites: Vec::new(),
                });
                stack.push((joints.len() - 1, false, false));
            }
            "End" => {
                let Some(&(j, ..)) = stack.last() else {
                    return Err(Error::parse(tok.path, line, "End Site outside any joint"));
                };
                tok.expect("Site")?;
                tok.expect("{")?;
                tok.expect("OFFSET")?;
                let off = tok.offset()?;
                tok.expect("}")?;
                joints[j].end_sites.push(off);
            }
            "OFFSET" => {
                let Some(top) = stack.last_mut() else {
                    return Err(Error::parse(tok.path, line, "OFFSET outside any joint"));
                };
                if top.1 {
                    return Err(Error::parse(
                        tok.path,
                        line,
                        "a second OFFSET for one joint",
                    ));
                }
                top.1 = true;
                let j = top.0;
                joints[j].offset = tok.offset()?;
            }
            "CHANNELS" => {
                let Some(top) = stack.last_mut() else {
                    return Err(Error::parse(tok.path, line, "CHANNELS outside any joint"));
                };
                if top.2 {
                    return Err(Error::parse(
                        tok.path,
                        line,
                        "a second CHANNELS for one joint",
                    ));
                }
                top.2 = true;
                let j = top.0;
                let (nl, nt) = tok.next("the channel count")?;
                let n: usize = nt.parse().ok().filter(|n| *n <= 6).ok_or_else(|| {
                    Error::parse(
                        tok.path,
                        nl,
                        format!("CHANNELS count must be an integer 0..=6, found '{nt}'"),
                    )
                })?;
                if joints[j].first_channel != channels {
                    return Err(Error::parse(
                        tok.path,
                        line,
                        "CHANNELS must come before the joint's children",
                    ));
                }
                for _ in 0..n {
                    let (cl, ct) = tok.next("a channel name")?;
                    let c = Channel::parse(ct).ok_or_else(|| {
                        Error::parse(
                            tok.path,
                            cl,
                            format!(
                                "unknown channel '{ct}' (expected X/Y/Z position or rotation) \
                                 or fewer names than the count {n}"
                            ),
                        )
                    })?;
                    if joints[j].channels.contains(&c) {
                        return Err(Error::parse(
                            tok.path,
                            cl,
                            format!(
                                "joint '{}' names channel {} twice",
                                joints[j].name,
                                c.name()
                            ),
                        ));
                    }
                    joints[j].channels.push(c);
                }
                channels += n;
            }
            "}" => {
                let Some((j, has_off, has_ch)) = stack.pop() else {
                    return Err(Error::parse(tok.path, line, "unmatched '}'"));
                };
                if !has_off || !has_ch {
                    return Err(Error::parse(
                        tok.path,
                        line,
                        format!(
                            "joint '{}' closes without {}",
                            joints[j].name,
                            if has_off { "CHANNELS" } else { "OFFSET" }
                        ),
                    ));
                }
            }
            other => {
                return Err(Error::parse(
                    tok.path,
                    line,
                    format!("unexpected '{other}' in the hierarchy"),
                ))
            }
        }
    }
    if let Some(&(j, ..)) = stack.last() {
        return Err(Error::parse(
            tok.path,
            tok.end_line,
            format!("joint '{}' is not closed before MOTION", joints[j].name),
        ));
    }
    if joints.is_empty() {
        return Err(Error::parse(
            tok.path,
            tok.end_line,
            "the hierarchy has no ROOT",
        ));
    }
    Ok((joints, channels))
}

/// Parse BVH text; `path` names the source in errors.
pub fn parse_bvh(text: &str, path: &Path) -> Result<Bvh> {
    // A byte-order mark is not part of the `HIERARCHY` keyword.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
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

/// Read and parse a BVH file.
pub fn read_bvh(path: &Path) -> Result<Bvh> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_bvh(&text, path)
}

/// A clip as `nodes` graph nodes whose features are the per-frame channel values: clips with fewer
/// frames are padded cyclically from their start, longer ones are averaged over contiguous chunks
/// (see [`super::frames`]), rotations on the circle so that a chunk crossing +-180 degrees keeps
/// its direction.
pub fn mocap_nodes(bvh: &Bvh, nodes: usize) -> Result<FrameMatrix> {
    group_frames_with_angles(&bvh.motion, nodes, &rotation_columns(bvh))
}

/// Per column of [`Bvh::motion`]: true for a rotation channel (degrees), false for a position.
pub fn rotation_columns(bvh: &Bvh) -> Vec<bool> {
    bvh.joints
        .iter()
        .flat_map(|j| j.channels.iter())
        .map(|c| {
            matches!(
                c,
                Channel::Xrotation | Channel::Yrotation | Channel::Zrotation
            )
        })
        .collect()
}
