//! A Planetoid nodes file whose ids skip one (1-based ids, or a node left out): the error on
//! the id past the count names the id that is not listed, so the cause is plain.

use synchgraph::data::planetoid::Planetoid;
use synchgraph::Error;

/// Nodes numbered 1..=3 instead of 0..=2: a parse error on the line of node 3 that says node 0
/// is not listed.
#[test]
fn one_based_ids_name_the_missing_node_zero() {
    let d = std::env::temp_dir().join(format!("sg-planetoid-ids-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in [
        ("toy.nodes.txt", "1 0 1 0\n2 1 1 1\n3 1 1 0\n"),
        ("toy.edges.txt", "1 2\n"),
        ("toy.split.txt", "train 1\nval 2\ntest 0\n"),
    ] {
        std::fs::write(d.join(f), text).unwrap();
    }
    let r = Planetoid::load(&d);
    let _ = std::fs::remove_dir_all(&d);
    match r {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 3, "{message}");
            assert!(message.contains("node id 3 out of range"), "{message}");
            assert!(message.contains("node 0 is not listed"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}
