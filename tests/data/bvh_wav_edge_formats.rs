//! BVH and WAV inputs that follow their format but were refused or misread: a
//! WAVE_FORMAT_EXTENSIBLE `fmt ` chunk with more than its 22 extension bytes (the format asks
//! `cbSize` to be at least 22, not exactly), a `data` chunk written before its `fmt ` chunk, BVH
//! text with classic Mac (CR-only) line ends, and a BVH file whose joint names are not UTF-8
//! (Latin-1, Shift-JIS).

use std::path::{Path, PathBuf};
use synchgraph::features::bvh::{parse_bvh, read_bvh};
use synchgraph::features::wav::read_wav;
use synchgraph::Error;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-review-bvhwav-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn mocap(name: &str) -> PathBuf {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mocap")).join(name);
    if p.exists() {
        p
    } else {
        Path::new("/work/shared/data/mocap").join(name)
    }
}

/// A RIFF chunk: id, length, body and RIFF's pad byte after an odd body.
fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// A RIFF/WAVE file of `chunks`, in the given order.
fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(&body);
    out
}

/// The first 16 bytes of a mono 16-bit 8 kHz `fmt ` chunk with format tag `tag`.
fn fmt16(tag: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&8000u32.to_le_bytes());
    f.extend_from_slice(&16000u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    f
}

/// A WAVE_FORMAT_EXTENSIBLE `fmt ` body (16-bit PCM sub-format) with `cb_size` and `extra`
/// bytes after the 22 the extension defines.
fn extensible_fmt(cb_size: u16, extra: &[u8]) -> Vec<u8> {
    let mut f = fmt16(0xFFFE);
    f.extend_from_slice(&cb_size.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes()); // valid bits
    f.extend_from_slice(&4u32.to_le_bytes()); // channel mask: front centre
    f.extend_from_slice(&[
        1, 0, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]); // KSDATAFORMAT_SUBTYPE_PCM
    f.extend_from_slice(extra);
    f
}

fn pcm16(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn read(name: &str, bytes: Vec<u8>) -> synchgraph::Result<Vec<f32>> {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    read_wav(&p).map(|a| {
        assert_eq!(a.sample_rate, 8000);
        a.samples
    })
}

#[test]
fn an_extensible_fmt_chunk_with_more_than_22_extension_bytes_is_read() {
    let data = pcm16(&[16384, -16384, 8192]);
    let want = vec![0.5, -0.5, 0.25];
    // The plain 40-byte form reads.
    let plain = riff(&[
        chunk(b"fmt ", &extensible_fmt(22, &[])),
        chunk(b"data", &data),
    ]);
    assert_eq!(read("ext40.wav", plain).unwrap(), want);
    // cbSize 24: two bytes beyond the extension, which the format allows (cbSize >= 22).
    let long = riff(&[
        chunk(b"fmt ", &extensible_fmt(24, &[0, 0])),
        chunk(b"data", &data),
    ]);
    assert_eq!(
        read("ext-cb24.wav", long).unwrap_or_else(|e| panic!("{e}")),
        want
    );
    // cbSize 22 in a 42-byte chunk: the chunk's length, not cbSize, says where the next chunk
    // starts; this was reported as a truncated file.
    let padded = riff(&[
        chunk(b"fmt ", &extensible_fmt(22, &[0, 0])),
        chunk(b"data", &data),
    ]);
    assert_eq!(
        read("ext42.wav", padded).unwrap_or_else(|e| panic!("{e}")),
        want
    );
    // A cbSize too small for the extension is still refused.
    let short = riff(&[
        chunk(b"fmt ", &extensible_fmt(20, &[])),
        chunk(b"data", &data),
    ]);
    assert!(matches!(
        read("ext-cb20.wav", short),
        Err(Error::UnsupportedFormat { .. })
    ));
}

#[test]
fn a_data_chunk_before_its_fmt_chunk_is_read() {
    // The file has a fmt chunk, after its samples: it was refused as "missing fmt chunk".
    let data = pcm16(&[16384, -16384, 8192]);
    let bytes = riff(&[
        chunk(b"LIST", b"INFOabc"),
        chunk(b"data", &data),
        chunk(b"fmt ", &fmt16(1)),
    ]);
    assert_eq!(
        read("data-first.wav", bytes).unwrap_or_else(|e| panic!("{e}")),
        vec![0.5, -0.5, 0.25]
    );
    // Without any fmt chunk the file is still refused.
    let none = riff(&[chunk(b"data", &data)]);
    match read("no-fmt.wav", none) {
        Err(Error::UnsupportedFormat { message, .. }) => {
            assert!(message.contains("fmt"), "{message}")
        }
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
}

#[test]
fn bvh_with_cr_only_line_ends_parses_like_lf() {
    let text = std::fs::read_to_string(mocap("131_01.bvh")).unwrap();
    let plain = parse_bvh(&text, Path::new("lf.bvh")).unwrap();
    let cr = text.replace("\r\n", "\n").replace('\n', "\r");
    let b = parse_bvh(&cr, Path::new("cr.bvh")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b, plain);
    // Error lines count CR line ends too: a bad value on the first frame line.
    let small = "HIERARCHY\rROOT Hips\r{\r OFFSET 0 0 0\r CHANNELS 1 Xrotation\r End Site\r {\r  \
                 OFFSET 0 1 0\r }\r}\rMOTION\rFrames: 1\rFrame Time: 0.1\rx\r";
    match parse_bvh(small, Path::new("cr.bvh")).unwrap_err() {
        Error::Parse { line, message, .. } => assert_eq!(line, 14, "{message}"),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn bvh_with_non_utf8_joint_names_is_read() {
    // A Latin-1 'é' in the root's name: the motion is plain ASCII numbers and is read as it
    // is; the name keeps its other characters. This was an "I/O error" (which this crate keeps
    // for operating-system errors).
    let src = mocap("131_01.bvh");
    let plain = read_bvh(&src).unwrap();
    let mut bytes = std::fs::read(&src).unwrap();
    let at = bytes.windows(9).position(|w| w == b"ROOT Hips").unwrap() + 6;
    bytes[at] = 0xE9; // "Hips" -> "H\xE9ps"
    let p = tmp("latin1.bvh");
    std::fs::write(&p, &bytes).unwrap();
    let b = read_bvh(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.motion, plain.motion);
    assert_eq!(b.joints.len(), plain.joints.len());
    assert_eq!(b.joints[0].name, "H\u{FFFD}ps");
    assert_eq!(b.joints[1..], plain.joints[1..]);
}
