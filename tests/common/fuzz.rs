//! The deterministic mutation fuzzer of every `fuzz_*` test and `checkpoint_fuzz`: a seeded
//! xorshift64* [`Mutator`] of valid seed inputs; [`guarded`], which runs one parser call on a
//! thread of its own and reports a panic, a hang or an allocation far larger than the input (a
//! claimed size believed before comparing it with the file); [`check_error`], what every error
//! message must hold. Self-tests: `tests/data/fuzz_harness.rs`. It installs its binary's global
//! allocator (the system one, noting each thread's largest request), so it is not in `common`:
//! a binary that fuzzes adds `#[path = "../common/fuzz.rs"] mod fuzz;` after `mod common;`.
//!
//! Every run makes the same inputs. For a longer search by hand, `SYNCHGRAPH_FUZZ_SCALE=N`
//! multiplies every test's case count by `N` ([`cases`]) and `SYNCHGRAPH_FUZZ_SEED=S` is mixed
//! into every generator's seed ([`Mutator::new`]), e.g.
//! `SYNCHGRAPH_FUZZ_SCALE=100 SYNCHGRAPH_FUZZ_SEED=7 cargo test --test graphs fuzz_`.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::{cell::Cell, sync::mpsc, time::Duration};

thread_local! {
    /// The largest allocation (or reallocation) request of this thread since the last reset.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, noting each thread's largest request in [`LARGEST`].
struct Tracking;

fn note(size: usize) {
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note(l.size());
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note(l.size());
        System.alloc_zeroed(l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        note(new);
        System.realloc(p, l, new)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

/// Seconds one fuzz case may take before [`guarded`] calls it a hang.
pub const CASE_SECS: u64 = 10;

/// A whole number from the environment variable `key`.
fn env_number(key: &str) -> Option<u64> {
    std::env::var(key).ok().and_then(|v| v.trim().parse().ok())
}

/// `n` cases, times the whole number in `SYNCHGRAPH_FUZZ_SCALE` when set.
pub fn cases(n: usize) -> usize {
    n * env_number("SYNCHGRAPH_FUZZ_SCALE").map_or(1, |s| s as usize)
}

/// Tokens spliced into inputs: non-finite, out-of-range and overflowing numbers, separators,
/// control characters, quotes, a byte-order mark and empty fields.
#[rustfmt::skip]
pub const TOKENS: &[&str] = &[
    "nan", "inf", "-inf", "-1", "0", "-0", "1e40", "1e-400", "3.5e38", "1e308", "4294967296",
    "99999999999", "99999999999999999999", "\0", "\r", "\n", ",,", ",", "{", "}", "\u{feff}",
    "\"", "", " ",
];

/// Bytes written over one byte of the input: signed and unsigned extremes, a sign, a digit, a
/// point and an exponent.
const BYTES: &[u8] = b"\x00\xff\x7f\x80-9.e";

/// What each kind of [`Mutator::mutate_once`] edit does, to name a case.
#[rustfmt::skip]
const KINDS: [&str; 11] = ["bit flip", "byte set", "delete", "insert", "duplicate", "truncate",
    "token splice", "token swap", "long line", "line edit", "line edit"];

/// Values written over 2- and 4-byte header [`Field`]s.
const FIELD_VALUES: [u32; 8] = [0, 1, 2, 3, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000];

/// A little-endian header field of a binary seed: its byte offset `at` and `width` (2 or 4).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub at: usize,
    pub width: usize,
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b','
}

/// A seeded xorshift64* generator that mutates seed inputs.
pub struct Mutator(u64);

impl Mutator {
    /// A generator of stream `seed` (mixed with `SYNCHGRAPH_FUZZ_SEED`; any value, 0 is moved
    /// off xorshift's fixed point).
    pub fn new(seed: u64) -> Self {
        let extra = env_number("SYNCHGRAPH_FUZZ_SEED").unwrap_or(0);
        Mutator((seed ^ extra ^ 0x2545_f491_4f6c_dd1d) | 1)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform below `n` (0 for `n` = 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// `seed` with 1 to 4 random mutations.
    pub fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
        self.mutate_logged(seed, &[]).0
    }

    /// `seed` with 1 to 4 random mutations (some overwriting its header `fields`), and what
    /// each did, to name the case.
    pub fn mutate_logged(&mut self, seed: &[u8], fields: &[Field]) -> (Vec<u8>, Vec<String>) {
        let mut b = seed.to_vec();
        let n = 1 + self.below(4);
        let log = (0..n).map(|_| self.mutate_once(&mut b, fields)).collect();
        (b, log)
    }

    /// One mutation of `b`, and what it was: a bit flip, a byte overwritten, a range deleted,
    /// inserted or duplicated, a truncation, a token of [`TOKENS`] inserted, spliced over a
    /// range or put in place of the delimited token there, a very long line, a line deleted,
    /// duplicated or swapped, or (given `fields`) a header field overwritten.
    pub fn mutate_once(&mut self, b: &mut Vec<u8>, fields: &[Field]) -> String {
        if b.is_empty() {
            b.push(b'0');
            return "insert '0' into an empty input".into();
        }
        // A position up to the end (inserting there appends), and a range of up to 16 bytes.
        let at = self.below(b.len() + 1);
        let end = (at + 1 + self.below(16)).min(b.len());
        let byte = at.min(b.len() - 1);
        let kind = self.below(if fields.is_empty() { 11 } else { 14 });
        let token = TOKENS[self.below(TOKENS.len())].bytes();
        match kind {
            0 => b[byte] ^= 1 << self.below(8),
            1 => b[byte] = BYTES[self.below(BYTES.len())],
            2 => drop(b.drain(at..end)),
            3 => drop(b.splice(at..at, (at..=end).map(|_| self.next_u64() as u8))),
            4 => drop(b.splice(at..at, b[at..end].to_vec())),
            5 => b.truncate(at),
            // Insert the token, or put it over the range.
            6 => drop(b.splice(at..[at, end][self.below(2)], token)),
            7 => {
                // Replace the whole token around `at` (delimited by whitespace or commas).
                let (mut lo, mut hi) = (b[..at].iter(), b[at..].iter());
                let lo = lo.rposition(|&c| is_delim(c)).map_or(0, |i| i + 1);
                let hi = hi.position(|&c| is_delim(c)).map_or(b.len(), |i| at + i);
                b.splice(lo..hi, token);
            }
            8 => {
                let long = ["7".repeat(5000), "1,".repeat(3000), "1".repeat(20_000)];
                b.splice(at..at, long[self.below(3)].bytes());
            }
            9 | 10 => {
                // A line deleted, duplicated, or swapped with another.
                let mut lines: Vec<&[u8]> = b.split_inclusive(|&c| c == b'\n').collect();
                let (i, j) = (self.below(lines.len()), self.below(lines.len()));
                match self.below(3) {
                    0 => drop(lines.remove(i)),
                    1 => lines.insert(j, lines[i]),
                    _ => lines.swap(i, j),
                }
                *b = lines.concat();
            }
            _ => {
                let f = fields[self.below(fields.len())];
                let v = FIELD_VALUES[self.below(FIELD_VALUES.len())];
                if let Some(dst) = b.get_mut(f.at..f.at + f.width) {
                    dst.copy_from_slice(&v.to_le_bytes()[..f.width]);
                }
                return format!("u{} at {} = 0x{v:X}", f.width * 8, f.at);
            }
        }
        format!("{} at {at}..{end}", KINDS[kind])
    }

    /// `text` with its first occurrence of one of `edits`' `from` (when present) replaced by
    /// one of its `to` values: a targeted change of a header field.
    pub fn edit_field(&mut self, text: &mut Vec<u8>, edits: &[(&str, &[&str])]) {
        let (from, tos) = edits[self.below(edits.len())];
        let to = tos[self.below(tos.len())];
        if let Some(k) = text.windows(from.len()).position(|w| w == from.as_bytes()) {
            text.splice(k..k + from.len(), to.bytes());
        }
    }
}

/// `seed` with each of its first and last `k` tokens (runs of bytes between whitespace and
/// commas) replaced by each of [`TOKENS`] in turn: a sweep of out-of-range, non-finite and
/// malformed values over the fields at both ends of a file.
pub fn token_sweep(seed: &[u8], k: usize) -> Vec<Vec<u8>> {
    let words = seed.split(|&c| is_delim(c)).scan(0, |at, w| {
        *at += w.len() + 1;
        Some((*at - w.len() - 1, *at - 1))
    });
    let spans: Vec<_> = words.filter(|(s, e)| e > s).collect();
    let ends = spans.len().saturating_sub(k).max(k);
    let chosen = spans.iter().take(k).chain(spans.iter().skip(ends));
    let sweep = |&(s, e): &(usize, usize)| {
        TOKENS.iter().map(move |t| {
            let mut b = seed.to_vec();
            b.splice(s..e, t.bytes());
            b
        })
    };
    chosen.flat_map(sweep).collect()
}

/// `bytes` as a Rust byte-string literal body (escaped, at most 600 bytes shown), to paste into
/// a regression test.
pub fn shown(bytes: &[u8]) -> String {
    let s = bytes.escape_ascii().to_string();
    match s.get(..600) {
        Some(head) if s.len() > 600 => format!("{head}... ({} bytes)", bytes.len()),
        _ => s,
    }
}

/// Run `f` on a thread of its own and return its value; `Err` saying why for a panic, for no
/// answer within `secs` seconds, and for a largest single allocation over `max_alloc` bytes.
pub fn guarded<T, F>(secs: u64, max_alloc: usize, f: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        LARGEST.with(|c| c.set(0));
        let got = catch_unwind(AssertUnwindSafe(f));
        let _ = tx.send((got, LARGEST.with(Cell::get)));
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Err(_) => Err(format!("no answer within {secs} s (a hang?)")),
        Ok((Err(p), _)) => {
            let msg = p.downcast_ref::<String>().cloned();
            let msg = msg.or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("panicked: {}", msg.unwrap_or_default()))
        }
        Ok((Ok(_), largest)) if largest > max_alloc => Err(format!(
            "allocated {largest} bytes at once (limit {max_alloc})"
        )),
        Ok((Ok(v), _)) => Ok(v),
    }
}

/// Check that an error's message says something (not ending at a colon) and names `file`
/// (when given).
pub fn check_error(e: &impl std::fmt::Display, file: Option<&str>) -> Result<(), String> {
    let m = e.to_string();
    if m.trim().is_empty() || m.trim_end().ends_with(':') {
        return Err(format!("error without a message: {m:?}"));
    }
    match file {
        Some(f) if !m.contains(f) => Err(format!("error does not name {f}: {m}")),
        _ => Ok(()),
    }
}

/// Run `load` (case `case` of `what`, on the mutated `input`) under [`guarded`] and return its
/// `Ok` value; fail the test on a panic, a hang, one allocation over `limit` bytes or an
/// error that fails [`check_error`].
pub fn loaded<T, E, F>(what: &str, case: usize, input: &[u8], limit: usize, load: F) -> Option<T>
where
    T: Send + 'static,
    E: std::fmt::Display,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    // The error is shown on the loading thread: `E` need not cross threads.
    let got = guarded(CASE_SECS, limit, move || load().map_err(|e| e.to_string()));
    let ctx = || format!("{what} case {case}, input b\"{}\"", shown(input));
    match got {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => check_error(&e, None)
            .err()
            .map(|why| panic!("{}: {why}", ctx())),
        Err(why) => panic!("{}: {why}", ctx()),
    }
}

/// Fuzz `n` inputs ([`cases`]) made from `seeds` (taken in turn, each with its header fields)
/// by a [`Mutator`] of stream `seed`, running `check` on each under [`guarded`] (`max_alloc`
/// given the input's length); fail listing the first failing cases with their edits.
pub fn fuzz<C>(
    name: &str,
    seeds: &[(Vec<u8>, Vec<Field>)],
    n: usize,
    seed: u64,
    max_alloc: fn(usize) -> usize,
    check: C,
) where
    C: Fn(Vec<u8>) -> Result<(), String> + Send + Sync + Copy + 'static,
{
    let n = cases(n);
    let mut m = Mutator::new(seed);
    let mut failures = Vec::new();
    for case in 0..n {
        let k = case % seeds.len();
        let (bytes, log) = m.mutate_logged(&seeds[k].0, &seeds[k].1);
        let limit = max_alloc(bytes.len());
        if let Err(why) = guarded(CASE_SECS, limit, move || check(bytes)).and_then(|r| r) {
            failures.push(format!("{name} case {case} (seed {k}, {log:?}): {why}"));
        }
    }
    let failed = failures.len();
    failures.truncate(12);
    let shown = failures.join("\n");
    assert!(failed == 0, "{failed} of {n} {name} cases failed:\n{shown}");
}

/// The shared data folder (`../shared/data` beside the checkout), where some seeds come from.
pub fn shared_data() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"))
}

/// Counts of accepted and refused inputs of a fuzz run, to show that both sides were reached.
#[derive(Debug, Default)]
pub struct Tally([usize; 2]);

impl Tally {
    /// Count one outcome.
    pub fn add<T>(&mut self, r: &Option<T>) {
        self.0[usize::from(r.is_none())] += 1;
    }

    /// Fail unless the run both accepted and refused some inputs (a fuzz run that only ever
    /// errors, say on a broken seed, tests nothing of the accepted side).
    pub fn assert_both(&self, what: &str) {
        let [ok, err] = self.0;
        assert!(ok > 0 && err > 0, "{what}: {ok} accepted, {err} refused");
    }
}
