//! The `HIERARCHY` section of a BVH file: its whitespace tokens and the joint tree they declare.

use std::path::Path;

use super::clip::{Channel, Joint};
use super::parse::parse_finite;
use crate::error::{Error, Result};

/// Whitespace tokens of the hierarchy section, each with its 1-based line.
pub(super) struct Tokens<'a> {
    pub(super) items: Vec<(usize, &'a str)>,
    pub(super) pos: usize,
    pub(super) end_line: usize,
    pub(super) path: &'a Path,
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

/// Parse the `HIERARCHY` section from `tok`; returns the joints and the total channel count.
pub(super) fn parse_hierarchy(tok: &mut Tokens) -> Result<(Vec<Joint>, usize)> {
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
