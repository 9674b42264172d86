//! Mutation fuzzing of `read_wav` (harness in `tests/common/fuzz.rs`): corrupted RIFF/WAVE files,
//! their header fields (channels, sample rate, byte rate, block align, bits, chunk sizes)
//! overwritten with 0, 1, 0xFFFF and 0xFFFFFFFF, are refused with an error naming the file or
//! read into finite samples in [-1, 1], never more samples than the file has bytes; a plain
//! PCM or float file is read exactly as an independent reading of `read_wav`'s documentation
//! has it (or refused where that refuses it); and regressions the fuzzing found.

use std::path::PathBuf;
use std::sync::OnceLock;

use synchgraph::features::wav::read_wav;

use crate::common::cli::scratch;
use crate::fuzz::{check_error, fuzz, shared_data, Field};

/// A RIFF/WAVE file of a `fmt ` chunk with body `fmt`, the chunks `extra` and a `data` chunk.
fn riff(fmt: &[u8], extra: &[(&[u8; 4], &[u8])], data: &[u8]) -> Vec<u8> {
    let mut body = b"WAVE".to_vec();
    let chunks = std::iter::once((b"fmt ", fmt))
        .chain(extra.iter().copied())
        .chain(std::iter::once((b"data", data)));
    for (id, b) in chunks {
        body.extend_from_slice(id);
        body.extend_from_slice(&(b.len() as u32).to_le_bytes());
        body.extend_from_slice(b);
        if b.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The 16-byte body of a `fmt ` chunk.
fn fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let align = channels * bits.div_ceil(8);
    let mut f = Vec::new();
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&channels.to_le_bytes());
    f.extend_from_slice(&rate.to_le_bytes());
    f.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
    f.extend_from_slice(&align.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    f
}

/// The size field of every chunk, and the fields of the `fmt ` chunk, of a well-formed `wav`.
fn fields(wav: &[u8]) -> Vec<Field> {
    let mut out = vec![Field { at: 4, width: 4 }];
    let mut at = 12;
    while at + 8 <= wav.len() {
        let len = u32::from_le_bytes(wav[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push(Field {
            at: at + 4,
            width: 4,
        });
        if &wav[at..at + 4] == b"fmt " {
            let b = at + 8;
            let f = |off, width| Field { at: b + off, width };
            out.extend([f(0, 2), f(2, 2), f(4, 4), f(8, 4), f(12, 2), f(14, 2)]);
            if len >= 18 {
                out.push(f(16, 2));
            }
            if len >= 20 {
                out.push(f(18, 2));
            }
        }
        at += 8 + len + (len & 1);
    }
    out
}

/// Seed files: PCM 8/16/24/32-bit, mono and stereo, float, WAVEFORMATEX and
/// WAVE_FORMAT_EXTENSIBLE headers, extra chunks, and the start of a real recording.
fn seeds() -> Vec<(Vec<u8>, Vec<Field>)> {
    let ramp = |n: usize, k: usize| -> Vec<u8> { (0..n).map(|i| (i * k) as u8).collect() };
    let mut float = Vec::new();
    for i in 0..24 {
        float.extend_from_slice(&((i as f32 / 12.0) - 1.0).to_le_bytes());
    }
    let mut fmt_ex = fmt(3, 2, 16_000, 32);
    fmt_ex.extend_from_slice(&0u16.to_le_bytes());
    let mut ext = fmt(0xFFFE, 1, 44_100, 16);
    ext.extend_from_slice(&22u16.to_le_bytes());
    ext.extend_from_slice(&16u16.to_le_bytes());
    ext.extend_from_slice(&4u32.to_le_bytes());
    ext.extend_from_slice(&[1, 0]);
    ext.extend_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]);
    let real = std::fs::read(shared_data().join("fsdd/recordings/0_george_0.wav")).unwrap();
    let real = riff(&real[20..36], &[], &real[44..444]);
    let wavs = vec![
        riff(&fmt(1, 1, 8000, 16), &[], &ramp(64, 37)),
        riff(
            &fmt(1, 2, 11_025, 8),
            &[(b"LIST", b"INFOabc")],
            &ramp(40, 11),
        ),
        riff(
            &fmt(1, 1, 22_050, 24),
            &[(b"fact", &[4, 0, 0, 0])],
            &ramp(48, 5),
        ),
        riff(&fmt(1, 2, 48_000, 32), &[], &ramp(64, 3)),
        riff(&fmt_ex, &[], &float),
        riff(&ext, &[], &ramp(32, 9)),
        real,
    ];
    wavs.into_iter()
        .map(|w| {
            let f = fields(&w);
            (w, f)
        })
        .collect()
}

/// The file every case is written to.
fn case_path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| scratch("fuzz", "wav").join("case.wav"))
}

/// What the documentation of `read_wav` says of a file, worked out independently of it.
#[derive(Debug, PartialEq)]
enum Expected {
    /// Read, at this rate, into these mono samples.
    Samples(u32, Vec<f32>),
    /// Refused.
    Refused,
    /// Not worked out here (WAVE_FORMAT_EXTENSIBLE, other format tags).
    Unknown,
}

/// The documented reading of a plain PCM or float file `b`: the first `fmt ` and `data`
/// chunks found walking the chunks with their pad bytes; the `fmt ` chunk's first 16 bytes;
/// integer PCM of 8 (unsigned), 16, 24 or 32 bits or finite 32-bit float, one container of
/// exactly the sample's width per channel, a sample rate above 0 whose byte rate fits 32 bits; a data length of 0xFFFFFFFF for the whole frames to
/// the end of the file, any other one whole frames within the file; channels mixed to mono.
fn expected(b: &[u8]) -> Expected {
    use Expected::{Refused, Samples, Unknown};
    let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    if b.len() < 12 || &b[..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return Refused;
    }
    let (mut fmt, mut data, mut at) = (None, None, 12usize);
    while at + 8 <= b.len() && (fmt.is_none() || data.is_none()) {
        let len = u32_at(at + 4) as usize;
        match &b[at..at + 4] {
            b"fmt " if fmt.is_none() => fmt = Some((at + 8, len)),
            b"data" if data.is_none() => data = Some((at + 8, len)),
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    let (Some((f, flen)), Some((d, dlen))) = (fmt, data) else {
        return Unknown;
    };
    if flen < 16 || f + flen > b.len() {
        return if f + 2 <= b.len() && matches!(u16_at(f), 1 | 3) {
            Refused
        } else {
            Unknown
        };
    }
    let (tag, channels, rate) = (u16_at(f), usize::from(u16_at(f + 2)), u32_at(f + 4));
    let (align, bits) = (usize::from(u16_at(f + 12)), u16_at(f + 14));
    if !matches!(tag, 1 | 3) {
        return Unknown;
    }
    let width = usize::from(bits / 8);
    let plain = if tag == 1 {
        matches!(bits, 8 | 16 | 24 | 32)
    } else {
        bits == 32
    };
    let byte_rate = u32::try_from(align).ok().and_then(|a| rate.checked_mul(a));
    if !plain || channels == 0 || rate == 0 || align != channels * width || byte_rate.is_none() {
        return Refused;
    }
    let present = b.len() - d.min(b.len());
    let dlen = if dlen == u32::MAX as usize {
        present - present % align
    } else {
        dlen
    };
    if dlen == 0 || dlen > present || dlen % align != 0 {
        return Refused;
    }
    let mut mono = Vec::new();
    for frame in b[d..d + dlen].chunks_exact(align) {
        let mut sum = 0f32;
        for s in frame.chunks_exact(width) {
            let v = match (tag, width) {
                (3, _) => f32::from_le_bytes(s.try_into().unwrap()),
                (_, 1) => ((f64::from(s[0]) - 128.0) / 128.0) as f32,
                (_, 2) => (f64::from(i16::from_le_bytes([s[0], s[1]])) / 32768.0) as f32,
                (_, 3) => {
                    (f64::from(i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) / 8_388_608.0) as f32
                }
                _ => {
                    (f64::from(i32::from_le_bytes(s.try_into().unwrap())) / 2_147_483_648.0) as f32
                }
            };
            if !v.is_finite() {
                return Refused;
            }
            sum += v.clamp(-1.0, 1.0);
        }
        mono.push(sum / channels as f32);
    }
    Samples(rate, mono)
}

/// Write `bytes` as a file and read it: an error naming the file, or finite samples in
/// [-1, 1] at a positive rate, no more of them than the file has bytes; and for a plain PCM or
/// float file, what [`expected`] says.
fn check(bytes: Vec<u8>) -> Result<(), String> {
    let p = case_path();
    std::fs::write(p, &bytes).map_err(|e| e.to_string())?;
    let want = expected(&bytes);
    let a = match read_wav(p) {
        Err(e) if matches!(want, Expected::Samples(..)) => {
            return Err(format!("refused a file the documentation reads: {e}"))
        }
        Err(e) => return check_error(&e, Some("case.wav")),
        Ok(a) => a,
    };
    if a.sample_rate == 0 || a.samples.is_empty() || a.samples.len() > bytes.len() {
        return Err(format!(
            "Ok with {} samples at {} Hz from {} bytes",
            a.samples.len(),
            a.sample_rate,
            bytes.len()
        ));
    }
    if let Some(i) = a.samples.iter().position(|v| !(-1.0..=1.0).contains(v)) {
        return Err(format!("Ok with sample {i} = {}", a.samples[i]));
    }
    match want {
        Expected::Refused => Err(format!(
            "read {} samples at {} Hz from a file the documentation refuses",
            a.samples.len(),
            a.sample_rate
        )),
        Expected::Samples(rate, s) if (rate, &s) != (a.sample_rate, &a.samples) => {
            Err(format!(
                "read {} samples at {} Hz where the documentation gives {} at {rate} Hz{}",
                a.samples.len(),
                a.sample_rate,
                s.len(),
                s.iter().zip(&a.samples).position(|(w, g)| w != g).map_or(
                    String::new(),
                    |i| format!("; sample {i} is {} not {}", a.samples[i], s[i])
                )
            ))
        }
        _ => Ok(()),
    }
}

/// Reading a file holds it, its samples as f32 (at most four bytes each per byte of the file,
/// twice that while the vector grows) and fixed buffers.
fn max_alloc(len: usize) -> usize {
    16 * len + (64 << 10)
}

#[test]
fn corrupted_wav_files_are_refused_or_read_within_their_promises() {
    fuzz("wav", &seeds(), 700, 0x5EED_0A11, max_alloc, check);
}

#[test]
fn the_seed_files_read() {
    for (i, (w, _)) in seeds().into_iter().enumerate() {
        let p = case_path().with_file_name(format!("seed{i}.wav"));
        std::fs::write(&p, &w).unwrap();
        let a = read_wav(&p).unwrap_or_else(|e| panic!("seed {i}: {e}"));
        assert!(!a.samples.is_empty(), "seed {i}");
    }
}

/// A mono 16-bit PCM file of two samples whose sample rate field reads 0x80000000.
const HUGE_RATE: [u8; 48] = [
    b'R', b'I', b'F', b'F', 40, 0, 0, 0, b'W', b'A', b'V', b'E', b'f', b'm', b't', b' ', 16, 0, 0,
    0, 1, 0, 1, 0, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 2, 0, 16, 0, b'd', b'a', b't',
    b'a', 4, 0, 0, 0, 0x00, 0x40, 0x00, 0xC0,
];

#[test]
fn a_sample_rate_whose_byte_rate_overflows_is_refused_naming_it() {
    let p = case_path().with_file_name("huge-rate.wav");
    std::fs::write(&p, HUGE_RATE).unwrap();
    match read_wav(&p) {
        Err(e @ synchgraph::Error::UnsupportedFormat { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("huge-rate.wav") && m.contains("sample rate 2147483648 Hz"),
                "{m}"
            );
        }
        other => panic!("want UnsupportedFormat naming the rate, got {other:?}"),
    }
}
