//! A deterministic mutation fuzz of checkpoint loading. Small valid files (two written by
//! `Checkpoint::save`'s serialiser, one of F16 and F64 tensors as other tools write them) are
//! damaged by seeded mutations: bit flips, truncation, appended bytes, the header length set to
//! 0, huge or off by a few, and JSON header tokens replaced (dtypes, shape numbers such as
//! 4294967296 or -1, data offsets swapped, overlapping or past the end, metadata values of the
//! wrong type). Every case must return a checkpoint error naming the file, or a checkpoint that
//! is consistent (each tensor's values fill its shape, no more values than the file has bytes
//! for, and it saves and reloads to the same bits); none may panic, hang or allocate far beyond
//! the file. The header mutations are `checkpoint_fuzz_header`; the harness is `common/fuzz.rs`.

use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use synchgraph::report::Checkpoint;
use synchgraph::Error;

use crate::checkpoint_fuzz_header::{join, mutate_header, split, tokens};
use crate::fuzz::{cases, guarded, Field, Mutator, CASE_SECS};

/// The label the fuzzed bytes are loaded under.
const NAME: &str = "fuzz.safetensors";

/// Cases per base file (before `SYNCHGRAPH_FUZZ_SCALE`).
const CASES: usize = 250;

/// A checkpoint as `synchgraph` saves one: F32 tensors and string metadata.
fn saved_file() -> Vec<u8> {
    let mut ck = Checkpoint::new();
    ck.insert("a.weight", &[2, 3], vec![1.0, -2.0, 0.5, 3.0, 0.0, -0.25])
        .unwrap();
    ck.insert("b", &[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    ck.insert("scalar", &[], vec![7.0]).unwrap();
    ck.set_meta("classes", "[\"anger\",\"joy\"]");
    ck.set_meta("config", "{\"nodes\":4,\"dims\":2}");
    ck.to_bytes().unwrap()
}

/// A saved checkpoint of ten small tensors, as a model's layers give.
fn layered_file() -> Vec<u8> {
    let mut ck = Checkpoint::new();
    for k in 0..10 {
        ck.insert(&format!("layer{k}.w"), &[2], vec![k as f32, -0.5])
            .unwrap();
    }
    ck.set_meta("kind", "test");
    ck.to_bytes().unwrap()
}

/// A file of F16 and F64 tensors, as other tools write them.
fn foreign_file() -> Vec<u8> {
    let h: Vec<u8> = [1.0f32, -0.5, 2.0]
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    let d: Vec<u8> = [0.25f64, 1e3]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let views = [
        ("h", TensorView::new(Dtype::F16, vec![3], &h).unwrap()),
        ("d", TensorView::new(Dtype::F64, vec![2, 1], &d).unwrap()),
    ];
    safetensors::serialize(views, None).unwrap()
}

/// A mutation of the whole file `base`, and a line saying what it was: the shared mutator's
/// edits (its header fields the two halves of the length), the header length set to values
/// near or far from its own, or a mutation of the JSON header.
fn mutate(rng: &mut Mutator, base: &[u8]) -> (Vec<u8>, String) {
    match rng.below(6) {
        0..=2 => {
            let fields = [Field { at: 0, width: 4 }, Field { at: 4, width: 4 }];
            let (file, log) = rng.mutate_logged(base, &fields);
            (file, log.join("; "))
        }
        3 => {
            let mut file = base.to_vec();
            let n = u64::from_le_bytes(file[..8].try_into().unwrap());
            let len = [
                0,
                1,
                n - 1,
                n + 1,
                n + 8,
                n - 8,
                u64::MAX,
                1 << 32,
                100_000_001,
                file.len() as u64 - 8,
                rng.next_u64(),
            ][rng.below(11)];
            file[..8].copy_from_slice(&len.to_le_bytes());
            (file, format!("header length {n} -> {len}"))
        }
        _ => {
            let (header, data) = split(base);
            let (mut h, mut what) = mutate_header(rng, &header);
            if rng.below(3) == 0 {
                let (h2, w2) = mutate_header(rng, &h);
                if !h2.is_empty() && !tokens(&h2).is_empty() {
                    (h, what) = (h2, format!("{what}; {w2}"));
                }
            }
            let pad = rng.below(4) != 0;
            (
                join(&h, &data, pad),
                format!("header: {what} (padded: {pad})"),
            )
        }
    }
}

/// Load `file`: `Ok(true)` for a consistent checkpoint, `Ok(false)` for a checkpoint error
/// naming the file, `Err` saying what else it did.
fn check(file: &[u8]) -> Result<bool, String> {
    let ck = match Checkpoint::from_bytes(file, Path::new(NAME)) {
        Err(e @ Error::Checkpoint { .. }) if e.to_string().contains(NAME) => return Ok(false),
        Err(e) => return Err(format!("not a checkpoint error naming the file: {e}")),
        Ok(ck) => ck,
    };
    let mut values = 0usize;
    for (name, t) in &ck.tensors {
        let numel = t.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if numel != Some(t.data.len()) {
            let (shape, n) = (&t.shape, t.data.len());
            return Err(format!("tensor {name:?}: shape {shape:?}, {n} values"));
        }
        values += t.data.len();
    }
    // Each value takes at least two bytes of the file (F16 and BF16).
    if values * 2 > file.len() {
        return Err(format!("{values} values from {} bytes", file.len()));
    }
    let bits = |c: &Checkpoint| -> Vec<(String, Vec<usize>, Vec<u32>)> {
        let bits = |t: &[f32]| t.iter().map(|v| v.to_bits()).collect();
        let t = c.tensors.iter();
        t.map(|(n, t)| (n.clone(), t.shape.clone(), bits(&t.data)))
            .collect()
    };
    let again = ck
        .to_bytes()
        .and_then(|b| Checkpoint::from_bytes(&b, Path::new(NAME)));
    match again {
        Ok(back) if bits(&back) == bits(&ck) && back.metadata == ck.metadata => Ok(true),
        Ok(_) => Err("saved and reloaded, it differs".into()),
        Err(e) => Err(format!("accepted, but does not save and reload: {e}")),
    }
}

/// Loading holds the file, its tensors as f32 (at most two values per four bytes of file, twice
/// that while a vector grows), a saved copy and fixed buffers.
fn max_alloc(len: usize) -> usize {
    16 * len + (1 << 20)
}

#[test]
fn mutated_checkpoints_are_refused_or_read_consistently_and_never_panic() {
    let mut failures = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    let bases = [saved_file(), foreign_file(), layered_file()];
    let n = cases(CASES);
    for (b, base) in bases.iter().enumerate() {
        assert_eq!(check(base), Ok(true), "base file {b}");
        let mut rng = Mutator::new(0x5eed_0000 + b as u64);
        for case in 0..n {
            let (file, what) = mutate(&mut rng, base);
            let limit = max_alloc(file.len());
            match guarded(CASE_SECS, limit, move || check(&file)).and_then(|r| r) {
                Err(why) => failures.push(format!("base {b} case {case} ({what}): {why}")),
                Ok(true) => accepted += 1,
                Ok(false) => refused += 1,
            }
        }
    }
    let shown = failures[..failures.len().min(12)].join("\n");
    assert!(failures.is_empty(), "{} failures:\n{shown}", failures.len());
    eprintln!("{refused} mutated files refused, {accepted} accepted");
    // The mutations reach past the first checks: most are refused, and some still load.
    assert!(
        refused > n && accepted > 0,
        "{refused} refused, {accepted} accepted"
    );
}
