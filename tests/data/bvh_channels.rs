//! BVH channel declarations: each joint names each degree of freedom at most once, a clip must
//! declare at least one channel, and several ROOTs lay out their columns in file order.

use std::path::Path;
use synchgraph::features::bvh::{parse_bvh, Channel};
use synchgraph::Error;

fn clip(channels: &str, rows: &[&str]) -> String {
    let mut t = format!(
        "HIERARCHY\nROOT Hips\n{{\n OFFSET 0 0 0\n CHANNELS {channels}\n End Site\n {{\n  \
         OFFSET 0 1 0\n }}\n}}\nMOTION\nFrames: {}\nFrame Time: 0.01\n",
        rows.len()
    );
    for r in rows {
        t.push_str(r);
        t.push('\n');
    }
    t
}

fn parse_line(e: Error) -> (usize, String) {
    match e {
        Error::Parse { line, message, .. } => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn a_channel_named_twice_in_one_joint_is_refused() {
    let text = clip("3 Zrotation Xrotation zrotation", &["1 2 3"]);
    let (line, message) = parse_line(parse_bvh(&text, Path::new("dup.bvh")).unwrap_err());
    assert_eq!(line, 5, "{message}");
    assert!(message.contains("Zrotation"), "{message}");
    assert!(message.contains("twice"), "{message}");
    // The same channel in two different joints is fine.
    let ok = "HIERARCHY\nROOT A\n{\n OFFSET 0 0 0\n CHANNELS 1 Zrotation\n JOINT B\n {\n  \
              OFFSET 0 1 0\n  CHANNELS 1 Zrotation\n  End Site\n  {\n   OFFSET 0 1 0\n  }\n \
              }\n}\nMOTION\nFrames: 1\nFrame Time: 0.01\n5 6\n";
    let b = parse_bvh(ok, Path::new("ok.bvh")).unwrap();
    assert_eq!(b.channel_names(), ["A.Zrotation", "B.Zrotation"]);
}

#[test]
fn a_hierarchy_without_channels_is_a_parse_error_naming_it() {
    // Two (blank) frame lines of zero values: the problem is the hierarchy, not a short file.
    let text = clip("0", &["", ""]);
    let (line, message) = parse_line(parse_bvh(&text, Path::new("none.bvh")).unwrap_err());
    assert_eq!(line, 11, "{message}");
    assert!(message.contains("no channels"), "{message}");
}

#[test]
fn several_roots_lay_out_their_channels_in_file_order() {
    let text = "HIERARCHY\r\nROOT A\t{\r\n\tOFFSET\t0 0 0  \r\n\tCHANNELS 3 Xposition Yposition \
                Zposition\r\n\tEnd Site { OFFSET 0 1 0 }\r\n}\r\nROOT B {\r\n OFFSET 1 0 0\r\n \
                CHANNELS 6 Xposition Yposition Zposition Yrotation Xrotation Zrotation\r\n \
                JOINT C {\r\n  OFFSET 0 2 0\r\n  CHANNELS 3 Xrotation Zrotation Yrotation\r\n  \
                End Site { OFFSET 0 1 0 }\r\n }\r\n}\r\nMOTION  \r\nFrames:\t2 \r\nFrame Time:\t\
                0.5\t\r\n1 2 3 4 5 6 7 8 9 10 11 12\t\r\n\r\n-1 -2 -3 -4 -5 -6 -7 -8 -9 -10 -11 \
                -12\r\n";
    let b = parse_bvh(text, Path::new("roots.bvh")).unwrap();
    let parents: Vec<_> = b.joints.iter().map(|j| j.parent).collect();
    assert_eq!(parents, [None, None, Some(1)]);
    let firsts: Vec<_> = b.joints.iter().map(|j| j.first_channel).collect();
    assert_eq!(firsts, [0, 3, 9]);
    assert_eq!(b.joints[1].channels[3], Channel::Yrotation);
    assert_eq!(b.joints[2].channels[0], Channel::Xrotation);
    assert_eq!((b.frames(), b.channel_count()), (2, 12));
    assert_eq!(b.frame_time, 0.5);
    assert_eq!(b.motion.row(1)[9], -10.0);
}
