//! A parsed BVH clip: its joints, their channels and the per-frame channel values.

use crate::features::FrameMatrix;

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
    /// The channel a `CHANNELS` name gives (ASCII case ignored), if it is one.
    pub(super) fn parse(s: &str) -> Option<Channel> {
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
