//! WAV files read through `read_wav` whatever the RIFF chunks around their samples: an
//! odd-length chunk (padded to an even length, as RIFF asks) or a long `fact` chunk before the
//! samples, 8-bit samples (stored unsigned), a PCM `fmt ` chunk with extra bytes, and a data
//! length of 0xFFFFFFFF (a file streamed to a pipe) beside a data length that is truncation.

use synchgraph::features::wav::read_wav;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-review3-wav-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A mono 16-bit 8 kHz PCM WAV of `samples`, with `extra` chunks (id, body) between `fmt ` and
/// `data`; each body of odd length gets RIFF's pad byte.
fn wav_with_chunks(samples: &[i16], extra: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut body = b"WAVE".to_vec();
    body.extend_from_slice(b"fmt ");
    body.extend_from_slice(&16u32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes()); // PCM
    body.extend_from_slice(&1u16.to_le_bytes()); // mono
    body.extend_from_slice(&8000u32.to_le_bytes());
    body.extend_from_slice(&16000u32.to_le_bytes());
    body.extend_from_slice(&2u16.to_le_bytes());
    body.extend_from_slice(&16u16.to_le_bytes());
    for (id, data) in extra {
        body.extend_from_slice(*id);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(2 * samples.len() as u32).to_le_bytes());
    for s in samples {
        body.extend_from_slice(&s.to_le_bytes());
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn an_odd_length_chunk_before_the_samples_is_skipped_with_its_pad_byte() {
    let samples = [16384i16, 0, -16384, 8192];
    // A LIST chunk holding an odd number of bytes ("INFO" + a 3-byte name), padded to even.
    let mut list = b"INFOINAM".to_vec();
    list.extend_from_slice(&3u32.to_le_bytes());
    list.extend_from_slice(b"ab\0");
    let p = tmp("odd-list.wav");
    std::fs::write(&p, wav_with_chunks(&samples, &[(b"LIST", list)])).unwrap();
    let a = read_wav(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sample_rate, 8000);
    assert_eq!(a.samples, vec![0.5, 0.0, -0.5, 0.25]);
    // Two odd chunks in a row.
    let p = tmp("odd-two.wav");
    std::fs::write(
        &p,
        wav_with_chunks(&samples, &[(b"junk", vec![1]), (b"abcd", vec![1, 2, 3])]),
    )
    .unwrap();
    assert_eq!(
        read_wav(&p).unwrap_or_else(|e| panic!("{e}")).samples.len(),
        4
    );
}

#[test]
fn a_fact_chunk_longer_than_four_bytes_is_skipped_whole() {
    let samples = [16384i16, -16384];
    let p = tmp("fact8.wav");
    let fact = [2u32.to_le_bytes(), 0u32.to_le_bytes()].concat();
    std::fs::write(&p, wav_with_chunks(&samples, &[(b"fact", fact)])).unwrap();
    assert_eq!(
        read_wav(&p).unwrap_or_else(|e| panic!("{e}")).samples,
        vec![0.5, -0.5]
    );
}

#[test]
fn eight_bit_samples_are_unsigned_around_128() {
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&16u32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&8000u32.to_le_bytes());
    body.extend_from_slice(&8000u32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&8u16.to_le_bytes());
    body.extend_from_slice(b"data");
    body.extend_from_slice(&3u32.to_le_bytes());
    body.extend_from_slice(&[0u8, 128, 192]);
    body.push(0); // pad byte of the odd data chunk
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    let p = tmp("u8.wav");
    std::fs::write(&p, out).unwrap();
    assert_eq!(read_wav(&p).unwrap().samples, vec![-1.0, 0.0, 0.5]);
}

/// A RIFF/WAVE file of the given `fmt ` body, data length field and sample bytes.
pub(crate) fn wav_raw(fmt: &[u8], data_len: u32, data: &[u8]) -> Vec<u8> {
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    body.extend_from_slice(fmt);
    if fmt.len() % 2 == 1 {
        body.push(0);
    }
    body.extend_from_slice(b"data");
    body.extend_from_slice(&data_len.to_le_bytes());
    body.extend_from_slice(data);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The 16 bytes of a mono 16-bit 8 kHz PCM `fmt ` chunk.
fn pcm16_fmt() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&8000u32.to_le_bytes());
    f.extend_from_slice(&16000u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    f
}

pub(crate) fn pcm16(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

#[test]
fn a_pcm_fmt_chunk_with_extra_bytes_is_read_by_its_first_sixteen() {
    // cbSize 2 and two more bytes: 20 bytes, which the decoder alone refuses.
    let mut fmt = pcm16_fmt();
    fmt.extend_from_slice(&2u16.to_le_bytes());
    fmt.extend_from_slice(&[0, 0]);
    let data = pcm16(&[16384, -16384]);
    let p = tmp("fmt20.wav");
    std::fs::write(&p, wav_raw(&fmt, data.len() as u32, &data)).unwrap();
    assert_eq!(
        read_wav(&p).unwrap_or_else(|e| panic!("{e}")).samples,
        vec![0.5, -0.5]
    );
}

#[test]
fn an_unknown_data_length_reads_to_the_end_and_a_long_one_is_truncation() {
    let mut data = pcm16(&[16384, 0, -16384]);
    // Half a frame at the end is not a sample.
    data.push(7);
    let p = tmp("streamed.wav");
    std::fs::write(&p, wav_raw(&pcm16_fmt(), u32::MAX, &data)).unwrap();
    assert_eq!(
        read_wav(&p).unwrap_or_else(|e| panic!("{e}")).samples,
        vec![0.5, 0.0, -0.5]
    );
    // Any other length past the end of the file is still a truncated file.
    let data = pcm16(&[16384, 0, -16384]);
    let p = tmp("long.wav");
    std::fs::write(&p, wav_raw(&pcm16_fmt(), 100, &data)).unwrap();
    match read_wav(&p) {
        Err(synchgraph::Error::Truncated { .. }) => {}
        other => panic!("expected Truncated, got {other:?}"),
    }
}
