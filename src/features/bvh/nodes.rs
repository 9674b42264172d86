//! Node features of a BVH clip: its per-frame channel values grouped into graph nodes.

use super::clip::{Bvh, Channel};
use crate::error::Result;
use crate::features::frames::group_frames_with_angles;
use crate::features::FrameMatrix;

/// A clip as `nodes` graph nodes whose features are the per-frame channel values: clips with fewer
/// frames are padded cyclically from their start, longer ones are averaged over contiguous chunks
/// (see [`super::frames`]), rotations on the circle so that a chunk crossing +-180 degrees keeps
/// its direction.
///
/// [`super::frames`]: crate::features::frames
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
