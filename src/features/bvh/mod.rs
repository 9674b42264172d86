//! BVH (Biovision Hierarchy) motion capture: the joint hierarchy, channels and per-frame values.
//!
//! A file has a `HIERARCHY` section, one or more `ROOT` joints each holding `OFFSET x y z`,
//! `CHANNELS n name...` (names among `Xposition Yposition Zposition Xrotation Yrotation Zrotation`),
//! child `JOINT`s and `End Site { OFFSET x y z }` leaves, braces delimiting each; then a `MOTION`
//! section with `Frames: N`, `Frame Time: t` and N lines of channel values, one line per frame, in
//! the order the channels appear in the hierarchy (depth first). Tokens are separated by any
//! whitespace, so `{` may share a line with its joint, and CRLF line ends, classic Mac OS CR
//! line ends (in a file without any LF) and a leading UTF-8 byte-order mark (as some Windows
//! editors write) are accepted. [`read_bvh`] reads bytes that are not UTF-8 (a joint name in
//! Latin-1 or Shift-JIS) as U+FFFD.
//!
//! A malformed file gives [`Error::Parse`] naming the 1-based line (a joint naming one channel
//! twice, or a hierarchy with no channels at all, is malformed); a file that ends before its
//! announced frames gives [`Error::Truncated`], and `Frames: 0` gives [`Error::Empty`]. The node
//! features of a clip are its per-frame channel values ([`Bvh::motion`]), grouped into graph
//! nodes by [`mocap_nodes`].
//!
//! [`Error::Parse`]: crate::error::Error::Parse
//! [`Error::Truncated`]: crate::error::Error::Truncated
//! [`Error::Empty`]: crate::error::Error::Empty

mod clip;
mod hierarchy;
mod nodes;
mod parse;

pub use clip::{Bvh, Channel, Joint};
pub use nodes::{mocap_nodes, rotation_columns};
pub use parse::{parse_bvh, read_bvh};
