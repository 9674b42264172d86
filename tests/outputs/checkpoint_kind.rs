//! `models::lgrin::load_model` on a safetensors file of another kind names the kind it found.
//! The message was "kind is not synchgraph-lgrin", which leaves the user to open the file to
//! learn what it holds.

use synchgraph::models::lgrin::load_model;
use synchgraph::report::Checkpoint;

use crate::common::gpu;

/// A file whose `kind` is another program's is refused with that kind in the message.
#[test]
fn a_file_of_another_kind_is_refused_by_its_kind() {
    let dir = std::env::temp_dir().join(format!("sg-ckpt-kind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    let mut ck = Checkpoint::new();
    ck.set_meta("kind", "other-tool-v2");
    ck.insert("w", &[1], vec![1.0]).unwrap();
    ck.save(&path).unwrap();
    let err = load_model(&gpu(), &path)
        .err()
        .expect("a file of another kind loaded");
    let text = err.to_string();
    assert!(
        text.contains("other-tool-v2") && text.contains("synchgraph-lgrin"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
