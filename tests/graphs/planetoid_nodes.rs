//! Planetoid nodes file: the `# N dims` header is found after leading blank lines (as every
//! other reader of the file skips them), and a feature index listed twice on one line is a
//! parse error naming the line, not a silently merged binary feature.

use std::path::PathBuf;

use synchgraph::data::planetoid::Planetoid;
use synchgraph::Error;

fn scratch(name: &str, nodes: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-gcn-nodes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in [
        ("toy.nodes.txt", nodes),
        ("toy.edges.txt", "0 1\n1 2\n"),
        ("toy.split.txt", "train 0\nval 1\ntest 2\n"),
    ] {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

#[test]
fn dims_header_after_leading_blank_lines_fixes_the_width() {
    // Indices only reach 2, so a width of 6 can come only from the header.
    let nodes = "\n\n# id label nnz idx (6 dims)\n\n# more\n0 0 1 0\n1 1 1 2\n2 1 0\n";
    let dir = scratch("blank-header", nodes);
    let d = Planetoid::load(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(d.num_features, 6, "the '6 dims' header after blank lines");
    assert_eq!(d.features.len(), 3 * 6);
}

#[test]
fn a_comment_after_the_first_node_line_is_not_the_header() {
    let nodes = "0 0 1 0\n# 6 dims\n1 1 1 2\n2 1 0\n";
    let dir = scratch("late-comment", nodes);
    let d = Planetoid::load(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        d.num_features, 3,
        "largest index + 1: the comment is not at the top"
    );
}

#[test]
fn a_feature_index_listed_twice_on_a_line_is_refused() {
    let nodes = "# 6 dims\n0 0 1 0\n1 1 2 3 3\n2 1 0\n";
    let dir = scratch("repeated-index", nodes);
    let e = Planetoid::load(&dir).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("toy.nodes.txt"), "{msg}");
    assert!(
        msg.contains("feature index 3") && msg.contains("twice"),
        "{msg}"
    );
}
