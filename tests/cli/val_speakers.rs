//! `--val-speakers` naming a speaker the data do not have (a typo, `3` for `03`) is an error that
//! says so and lists the data's speakers, as `--test-speakers` does, rather than calling that
//! speaker a test speaker ("has no training clip (test speakers cannot validate)"). A real test
//! speaker keeps that message.

use std::path::Path;

use synchgraph::data::emotion::load_clips;

const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");

#[test]
fn an_unknown_validation_speaker_is_named_as_absent() {
    let list = load_clips(Path::new(EMODB), None).unwrap();
    let (train, _) = list.speaker_split(&["14".to_string()]).unwrap();
    let e = list
        .speaker_validation_split(&train, &["3".to_string()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("validation speaker '3' is not in the data (speakers: 03, 13, 14)"),
        "{e}"
    );
    assert!(!e.contains("test speakers cannot validate"), "{e}");
    // The test speaker is in the data but not among the training clips.
    let e = list
        .speaker_validation_split(&train, &["14".to_string()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'14' has no training clip"), "{e}");
    assert!(list
        .speaker_validation_split(&train, &["03".to_string()])
        .is_ok());
}
