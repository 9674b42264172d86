//! BVH parser tests on the CMU clips in ../shared/data/mocap and on small broken inputs.

use std::path::{Path, PathBuf};
use synchgraph::features::bvh::{mocap_nodes, parse_bvh, read_bvh, Channel};
use synchgraph::Error;

fn mocap(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mocap")).join(name)
}

#[test]
fn cmu_clips_parse_with_their_documented_shape() {
    for (name, frames) in [
        ("131_01.bvh", 994),
        ("131_02.bvh", 1247),
        ("131_03.bvh", 1102),
    ] {
        let path = mocap(name);
        let b = read_bvh(&path).unwrap();
        assert_eq!(b.joints.len(), 31, "{name}");
        assert_eq!(b.frames(), frames, "{name}");
        assert!((b.frame_time - 0.0083333).abs() < 1e-9);
        // Root has 6 channels, the 30 other joints 3 each.
        assert_eq!(b.channel_count(), 6 + 30 * 3);
        assert_eq!(b.joints[0].name, "Hips");
        assert_eq!(b.joints[0].parent, None);
        assert_eq!(b.joints.iter().filter(|j| j.parent.is_none()).count(), 1);
        // End Sites: counted independently from the text.
        let text = std::fs::read_to_string(&path).unwrap();
        let ends = text.matches("End Site").count();
        assert_eq!(
            b.joints.iter().map(|j| j.end_sites.len()).sum::<usize>(),
            ends
        );
        // The last frame line's values are the last motion row.
        let last: Vec<f32> = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(b.motion.row(frames - 1), last.as_slice());
        // Channel offsets are consistent.
        let mut next = 0;
        for j in &b.joints {
            assert_eq!(j.first_channel, next);
            next += j.channels.len();
        }
        assert_eq!(next, b.channel_count());
    }
}

#[test]
fn cmu_clip_values_and_hierarchy_details() {
    let b = read_bvh(&mocap("131_01.bvh")).unwrap();
    assert_eq!(
        b.joints[0].channels,
        [
            Channel::Xposition,
            Channel::Yposition,
            Channel::Zposition,
            Channel::Zrotation,
            Channel::Yrotation,
            Channel::Xrotation
        ]
    );
    assert_eq!(&b.motion.row(0)[..3], &[5.2300, 16.9002, -33.8986]);
    let names = b.channel_names();
    assert_eq!(names[0], "Hips.Xposition");
    assert_eq!(names[6], "LHipJoint.Zrotation");
    let hip = b.joint_index("LeftHip").unwrap();
    assert_eq!(b.joints[hip].parent, b.joint_index("LHipJoint"));
    assert_eq!(b.joints[hip].offset, [1.24777, -1.64261, 0.71711]);
    let toe = b.joint_index("LeftToe").unwrap();
    assert_eq!(b.joints[toe].end_sites, vec![[0.0, -0.0, 1.13491]]);
    // Node features: 120 nodes of 96 channel values; the first node averages frames 0..8.
    let n = mocap_nodes(&b, 120).unwrap();
    assert_eq!((n.rows, n.cols), (120, 96));
    let chunk = 994 / 120;
    let mean: f32 = (0..chunk).map(|f| b.motion.get(f, 0)).sum::<f32>() / chunk as f32;
    assert!((n.get(0, 0) - mean).abs() < 1e-4);
}

const SMALL: &str = "HIERARCHY\r\nROOT Hips\r\n{\r\n OFFSET 0 0 0\r\n CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\r\n JOINT Spine {\r\n  OFFSET 0 1.5 0\r\n  CHANNELS 3 Zrotation Xrotation Yrotation\r\n  End Site\r\n  {\r\n   OFFSET 0 2 0\r\n  }\r\n }\r\n}\r\nMOTION\r\nFrames: 3\r\nFrame Time: 0.04\r\n1 2 3 4 5 6 7 8 9\r\n10 20 30 40 50 60 70 80 90\r\n-1 -2 -3 -4 -5 -6 -7 -8 -9\r\n";

#[test]
fn small_clip_parses_and_pads_cyclically() {
    let b = parse_bvh(SMALL, Path::new("small.bvh")).unwrap();
    assert_eq!(b.joints.len(), 2);
    assert_eq!(b.joints[1].parent, Some(0));
    assert_eq!(b.joints[1].first_channel, 6);
    assert_eq!(b.joints[1].end_sites, vec![[0.0, 2.0, 0.0]]);
    assert_eq!((b.frames(), b.channel_count()), (3, 9));
    assert_eq!(b.frame_time, 0.04);
    // Header spacing variants parse the same.
    let tight = SMALL
        .replace("Frames: 3", "Frames:3")
        .replace("Frame Time: 0.04", "Frame  Time:\t0.04");
    assert_eq!(parse_bvh(&tight, Path::new("tight.bvh")).unwrap(), b);
    let n = mocap_nodes(&b, 7).unwrap();
    assert_eq!((n.rows, n.cols), (7, 9));
    for i in 0..7 {
        assert_eq!(
            n.row(i),
            b.motion.row(i % 3),
            "node {i} repeats frame {}",
            i % 3
        );
    }
    assert!(matches!(mocap_nodes(&b, 0), Err(Error::InvalidInput(_))));
}

#[test]
fn rotations_are_wrapped_whether_frames_are_averaged_or_copied() {
    // A rotation held at 350 degrees (an unwrapped angle, as CMU clips carry) is -10 degrees.
    // With more frames than nodes the circular mean wraps it; a node copied from one frame
    // must come out the same, or one pose gives different features by clip length. The
    // position column is copied exactly. Tolerance 1e-3 degrees.
    for frames in [100, 200] {
        let mut text = String::from(
            "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 2 Xposition Zrotation\n \
             End Site\n {\n  OFFSET 0 1 0\n }\n}\nMOTION\n",
        );
        text.push_str(&format!("Frames: {frames}\nFrame Time: 0.01\n"));
        for f in 0..frames {
            text.push_str(&format!("{}.25 350\n", f % 7));
        }
        let b = parse_bvh(&text, Path::new("unwrapped.bvh")).unwrap();
        let n = mocap_nodes(&b, 120).unwrap();
        for i in 0..120 {
            let r = n.row(i)[1];
            assert!((r + 10.0).abs() < 1e-3, "{frames} frames, node {i}: {r}");
        }
        if frames < 120 {
            assert_eq!(n.row(3)[0], 3.25, "positions are copied exactly");
        }
    }
}

#[test]
fn rotations_are_averaged_on_the_circle() {
    // 240 frames into 120 nodes: each node averages two frames. The rotation alternates 179 and
    // -179 degrees (a wrap, as CMU clips have): the node keeps pointing at +-180, where a plain
    // mean would give 0. Positions (1 and 3) average plainly to 2; a rotation chunk of 10 and
    // 30 averages to 20. Tolerance 1e-3 degrees.
    let mut text = String::from(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 3 Xposition Zrotation Xrotation\n \
         End Site\n {\n  OFFSET 0 1 0\n }\n}\nMOTION\nFrames: 240\nFrame Time: 0.01\n",
    );
    for f in 0..240 {
        let (x, z, r) = if f % 2 == 0 {
            (1, 179, 10)
        } else {
            (3, -179, 30)
        };
        text.push_str(&format!("{x} {z} {r}\n"));
    }
    let b = parse_bvh(&text, Path::new("wrap.bvh")).unwrap();
    let n = mocap_nodes(&b, 120).unwrap();
    for i in 0..120 {
        let row = n.row(i);
        assert!((row[0] - 2.0).abs() < 1e-6, "node {i} position {}", row[0]);
        assert!(
            (row[1].abs() - 180.0).abs() < 1e-3,
            "node {i} wrapped rotation {}",
            row[1]
        );
        assert!((row[2] - 20.0).abs() < 1e-3, "node {i} rotation {}", row[2]);
    }
}

fn parse_err(text: &str) -> Error {
    parse_bvh(text, Path::new("broken.bvh")).unwrap_err()
}

fn assert_line(e: Error, want: usize, fragment: &str) {
    match e {
        Error::Parse {
            line,
            message,
            path,
        } => {
            assert_eq!(line, want, "{message}");
            assert!(message.contains(fragment), "'{message}' lacks '{fragment}'");
            assert_eq!(path, "broken.bvh");
        }
        other => panic!("expected a parse error at line {want}, got {other:?}"),
    }
}

#[test]
fn broken_inputs_give_typed_errors_naming_the_line() {
    let s = SMALL.replace("\r\n", "\n");
    // Unknown channel on line 5.
    assert_line(
        parse_err(&s.replace("Yrotation\n JOINT", "Wrotation\n JOINT")),
        5,
        "Wrotation",
    );
    // Missing closing brace of the root: MOTION (line 14 after removal) is reached with it open.
    let unclosed = s.replacen(" }\n}\n", " }\n", 1);
    assert_line(parse_err(&unclosed), 14, "not closed");
    // Missing OFFSET number: the next token is not a number.
    assert_line(
        parse_err(&s.replace("OFFSET 0 1.5 0", "OFFSET 0 1.5")),
        8,
        "OFFSET z",
    );
    // Wrong value count on the second frame line (line 19).
    assert_line(parse_err(&s.replace("80 90\n", "80\n")), 19, "8 values");
    // NaN value.
    assert_line(parse_err(&s.replace("-5 -6", "-5 nan")), 20, "finite");
    // Extra frame line.
    assert_line(
        parse_err(&format!("{s}1 1 1 1 1 1 1 1 1\n")),
        21,
        "more frame lines",
    );
    // Bad Frames line.
    assert_line(
        parse_err(&s.replace("Frames: 3", "Frames: three")),
        16,
        "Frames",
    );
    assert_line(
        parse_err(&s.replace("Frame Time: 0.04", "Frame Time: -1")),
        17,
        "Frame Time",
    );
    // No MOTION section, JOINT outside ROOT, unmatched brace, unexpected keyword.
    assert_line(parse_err(&s.replace("MOTION", "MOTON")), 20, "MOTION");
    assert_line(
        parse_err(&s.replace("ROOT Hips", "JOINT Hips")),
        2,
        "outside",
    );
    assert_line(
        parse_err(&s.replace("}\nMOTION", "}\n}\nMOTION")),
        15,
        "unmatched",
    );
    assert_line(
        parse_err(&s.replace("HIERARCHY", "HIERARCHIE")),
        1,
        "HIERARCHY",
    );
    assert_line(parse_err(&s.replace("  End Site", "  End Zone")), 9, "Site");
    // A joint without CHANNELS.
    let no_ch = s.replace("  CHANNELS 3 Zrotation Xrotation Yrotation\n", "");
    assert_line(parse_err(&no_ch), 12, "CHANNELS");
    // Fewer frames than announced.
    match parse_err(&s.replace("Frames: 3", "Frames: 5")) {
        Error::Truncated { message, .. } => assert!(message.contains("announces 5"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Missing file.
    assert!(matches!(
        read_bvh(Path::new("/nonexistent/x.bvh")),
        Err(Error::Io { .. })
    ));
}

/// The data-set path (`features`, `train lgrin`, `eval`, `predict` through `node_features`)
/// averages a BVH clip's rotations on the circle too: frames alternating 179 and -179 degrees
/// give nodes at +-180, not the 0 of a plain mean; positions keep the plain mean.
#[test]
fn mocap_data_set_nodes_average_rotations_on_the_circle() {
    use synchgraph::data::emotion::DatasetFormat;
    use synchgraph::data::emotion_features::{node_features, FeatureSettings};

    let mut text = String::from(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 2 Xposition Yrotation\n \
         End Site\n {\n  OFFSET 0 1 0\n }\n}\nMOTION\nFrames: 4\nFrame Time: 0.01\n",
    );
    for f in 0..4 {
        let (x, y) = if f % 2 == 0 { (1, 179) } else { (3, -179) };
        text.push_str(&format!("{x} {y}\n"));
    }
    let dir = std::env::temp_dir().join(format!("synchgraph-bvh-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("wrap.bvh");
    std::fs::write(&path, text).unwrap();
    let settings = FeatureSettings::for_format(DatasetFormat::Mocap, 2);
    assert_eq!(settings.kind, "bvh");
    let n = node_features(&path, &settings).unwrap();
    assert_eq!((n.rows, n.cols), (2, 2));
    for i in 0..2 {
        let row = n.row(i);
        assert!((row[0] - 2.0).abs() < 1e-6, "node {i} position {}", row[0]);
        assert!(
            (row[1].abs() - 180.0).abs() < 1e-3,
            "node {i} rotation {} (a plain mean gives 0)",
            row[1]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
