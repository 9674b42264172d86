//! A header whose tensors' spans add up to nearly `usize::MAX` bytes is refused, not a panic.
//! Eight U8 tensors of 2^61 - 1 bytes each pass every check of the `safetensors` crate's
//! header validation (each span fits its shape, each starts where the last ended), and then
//! its `end of the data + 8 + header length` overflowed: "attempt to add with overflow" in a
//! debug build, where the reader must return an error naming the file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use synchgraph::report::Checkpoint;
use synchgraph::Error;

/// A file whose header lists `count` U8 tensors of `each` bytes, one after another, and no
/// data.
fn file(count: u64, each: u64) -> Vec<u8> {
    let entries: Vec<String> = (0..count)
        .map(|k| {
            format!(
                "\"t{k}\":{{\"dtype\":\"U8\",\"shape\":[{each}],\"data_offsets\":[{},{}]}}",
                k * each,
                (k + 1) * each
            )
        })
        .collect();
    let mut head = format!("{{{}}}", entries.join(",")).into_bytes();
    head.resize(head.len().next_multiple_of(8), b' ');
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&head);
    out
}

#[test]
fn spans_adding_up_past_usize_max_are_refused_not_a_panic() {
    for (count, each) in [(8, (1u64 << 61) - 1), (9, 1 << 60), (2, u64::MAX / 16)] {
        let bytes = file(count, each);
        let got = catch_unwind(AssertUnwindSafe(|| {
            Checkpoint::from_bytes(&bytes, Path::new("huge.safetensors"))
        }))
        .unwrap_or_else(|_| panic!("{count} tensors of {each} bytes: panicked"));
        match got {
            Err(e @ Error::Checkpoint { .. }) => {
                let text = e.to_string();
                assert!(text.contains("huge.safetensors"), "{text}");
            }
            other => panic!("{count} tensors of {each} bytes: {other:?}"),
        }
    }
}
