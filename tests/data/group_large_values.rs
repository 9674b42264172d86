//! Grouping frames into nodes averages them: finite frames near f32::MAX give a finite node
//! (their mean), not the infinity of an overflowing f32 sum; a frame that is already infinite
//! still gives an infinite node, which training then refuses by clip.

use synchgraph::features::frames::group_frames;
use synchgraph::features::FrameMatrix;

#[test]
fn the_mean_of_large_finite_frames_is_finite() {
    let mut m = FrameMatrix::zeros(4, 2);
    for r in 0..4 {
        m.row_mut(r)[0] = 3e38;
        m.row_mut(r)[1] = r as f32;
    }
    let g = group_frames(&m, 2).unwrap();
    for node in 0..2 {
        assert_eq!(g.get(node, 0), 3e38, "node {node}");
    }
    assert_eq!((g.get(0, 1), g.get(1, 1)), (0.5, 2.5));
    m.row_mut(0)[0] = f32::INFINITY;
    let g = group_frames(&m, 2).unwrap();
    assert_eq!(g.get(0, 0), f32::INFINITY);
    assert_eq!(g.get(1, 0), 3e38);
}
