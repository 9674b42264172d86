//! Self-tests of the shared mutation fuzzer (`tests/common/fuzz.rs`), run once, in this binary:
//! the same seed gives the same inputs, the mutator edits (header fields too), and the guarded
//! runner reports panics, hangs, large allocations and errors without a message.

use std::time::Duration;

use crate::fuzz::{check_error, guarded, token_sweep, Field, Mutator, TOKENS};

#[test]
fn the_mutator_is_deterministic_and_edits() {
    let seed = b"HIERARCHY ROOT a { OFFSET 0 0 0 }\nMOTION\n".to_vec();
    let fields = [Field { at: 4, width: 4 }];
    let run = |s| {
        let mut m = Mutator::new(s);
        (0..200)
            .map(|_| m.mutate_logged(&seed, &fields))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    assert!(run(7).iter().filter(|(b, _)| *b != seed).count() > 160);
    // Every kind of edit is made: the field overwrite and the line edits among them.
    let log = run(7).into_iter().flat_map(|(_, l)| l).collect::<Vec<_>>();
    let kinds = [
        "bit flip",
        "byte set",
        "delete",
        "insert",
        "duplicate",
        "truncate",
    ];
    let more = [
        "token splice",
        "token swap",
        "long line",
        "line edit",
        "u32 at 4 = ",
    ];
    for kind in kinds.iter().chain(&more) {
        assert!(
            log.iter().any(|l| l.starts_with(kind)),
            "no {kind:?} in {log:?}"
        );
    }
    let mut m = Mutator::new(1);
    assert!(!m.mutate(b"").is_empty());
}

#[test]
fn the_token_sweep_covers_the_first_and_last_fields() {
    let swept = token_sweep(b"a,b c\nd e", 1);
    assert_eq!(swept.len(), 2 * TOKENS.len());
    assert_eq!(swept[0], b"nan,b c\nd e");
    assert_eq!(swept[TOKENS.len()], b"a,b c\nd nan");
}

#[test]
fn the_harness_catches_panics_hangs_and_large_allocations() {
    assert_eq!(guarded(5, 1 << 20, || 3), Ok(3));
    let p = guarded::<(), _>(5, 1 << 20, || panic!("boom")).unwrap_err();
    assert!(p.contains("boom"), "{p}");
    let a = guarded(5, 1 << 20, || {
        let v = vec![1u8; 4 << 20];
        std::hint::black_box(&v);
    })
    .unwrap_err();
    assert!(a.contains("allocated"), "{a}");
    let h = guarded(1, 1 << 20, || std::thread::sleep(Duration::from_secs(3))).unwrap_err();
    assert!(h.contains("hang"), "{h}");
}

#[test]
fn error_messages_must_say_something_and_name_the_file() {
    assert!(check_error(&"case.wav: no data chunk", Some("case.wav")).is_ok());
    assert!(check_error(&"  ", None).is_err());
    assert!(check_error(&"reading case.wav:", None).is_err());
    assert!(check_error(&"no data chunk", Some("case.wav")).is_err());
}
