//! Hand-made safetensors files: the reader refuses every malformed header with a checkpoint
//! error naming the file, and never picks one of two entries of one name.

use std::path::Path;

use synchgraph::report::Checkpoint;
use synchgraph::Error;

/// A safetensors file of `header` (padded with spaces to a multiple of 8) and `data`.
fn file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut head = header.as_bytes().to_vec();
    head.resize(head.len().next_multiple_of(8), b' ');
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&head);
    out.extend_from_slice(data);
    out
}

fn load(bytes: &[u8]) -> synchgraph::Result<Checkpoint> {
    Checkpoint::from_bytes(bytes, Path::new("hand.safetensors"))
}

fn refused(bytes: &[u8], what: &str) -> String {
    match load(bytes) {
        Ok(ck) => panic!("{what}: accepted as {ck:?}"),
        Err(e @ Error::Checkpoint { .. }) => {
            let text = e.to_string();
            assert!(text.contains("hand.safetensors"), "{what}: {text}");
            text
        }
        Err(e) => panic!("{what}: not a checkpoint error: {e}"),
    }
}

const ONE: &str = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;

#[test]
fn a_well_formed_hand_made_file_loads() {
    let ck = load(&file(ONE, &2.5f32.to_le_bytes())).unwrap();
    assert_eq!(ck.get("a").unwrap().data, vec![2.5]);
}

#[test]
fn malformed_headers_and_spans_are_refused() {
    let four = 1f32.to_le_bytes();
    let eight = [0u8; 8];
    refused(&[], "empty file");
    refused(&[1, 0, 0], "short length");
    refused(&u64::MAX.to_le_bytes(), "huge header length");
    let mut past = 1000u64.to_le_bytes().to_vec();
    past.extend_from_slice(b"{}");
    refused(&past, "header length past the end");
    let mut bad_utf8 = 8u64.to_le_bytes().to_vec();
    bad_utf8.extend_from_slice(&[b'{', 0xff, 0xfe, b'}', b' ', b' ', b' ', b' ']);
    refused(&bad_utf8, "non-UTF-8 header");
    refused(&file("[1,2]", &[]), "header not an object");
    refused(&file(ONE, &eight), "data longer than the tensors");
    refused(&file(ONE, &four[..3]), "data shorter than the tensors");
    let hole = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#;
    refused(&file(hole, &eight), "hole before the first tensor");
    let overlap = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
        "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#;
    refused(&file(overlap, &eight), "overlapping tensors");
    let short_shape = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#;
    refused(&file(short_shape, &eight), "span longer than the shape");
    let reversed = r#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#;
    refused(&file(reversed, &four), "end before begin");
    let overflow = r#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#;
    refused(&file(overflow, &four), "overflowing shape");
    let i64s = r#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#;
    let text = refused(&file(i64s, &eight), "I64 tensor");
    assert!(text.contains("I64"), "{text}");
    let unknown = r#"{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#;
    refused(&file(unknown, &four), "unknown dtype");
    let meta = r#"{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    refused(&file(meta, &four), "metadata value not a string");
}

#[test]
fn two_tensors_of_one_name_are_refused() {
    // Both entries describe the same four bytes, so the offsets alone do not show the repeat;
    // the shapes differ, and no reader can know which one was meant.
    let twice = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
        "a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]}}"#;
    let text = refused(&file(twice, &1f32.to_le_bytes()), "repeated tensor name");
    assert!(text.contains("\"a\""), "{text}");
}

#[test]
fn two_metadata_entries_of_one_key_are_refused() {
    let twice = r#"{"__metadata__":{"classes":"anger,fear","classes":"joy"},
        "a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let text = refused(&file(twice, &1f32.to_le_bytes()), "repeated metadata key");
    assert!(text.contains("classes"), "{text}");
}

#[test]
fn two_metadata_objects_are_refused() {
    let twice = r#"{"__metadata__":{"classes":"anger"},"__metadata__":{"classes":"joy"},
        "a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    refused(
        &file(twice, &1f32.to_le_bytes()),
        "repeated metadata object",
    );
}

#[test]
fn saved_checkpoints_with_metadata_still_load() {
    let mut ck = Checkpoint::new();
    ck.insert("a", &[1], vec![1.0]).unwrap();
    ck.insert("b", &[2], vec![2.0, 3.0]).unwrap();
    ck.set_meta("a", "same name as a tensor");
    ck.set_meta("classes", "anger,fear");
    let back = load(&ck.to_bytes().unwrap()).unwrap();
    assert_eq!(back, ck);
}
