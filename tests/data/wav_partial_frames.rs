//! A data chunk whose announced length is not a whole number of sample frames: past the end of
//! the file it is a truncated file like any other long length (`arecord` piped to a file leaves
//! 0x7FFFFFFF), and within the file it ends inside a frame, which is truncation too. Both were
//! reported as invalid headers. Frames that do not split into the channels are named as such
//! whatever the data length.

use crate::wav_chunks::{pcm16, wav_raw};
use synchgraph::features::wav::read_wav;
use synchgraph::Error;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-wavpart-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A RIFF/WAVE file: 8 kHz 16-bit PCM with `channels`, data length field `data_len`, `data`.
fn wav(channels: u16, data_len: u32, data: &[u8]) -> Vec<u8> {
    let align = 2 * channels;
    let mut fmt = 1u16.to_le_bytes().to_vec();
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&8000u32.to_le_bytes());
    fmt.extend_from_slice(&(8000 * u32::from(align)).to_le_bytes());
    fmt.extend_from_slice(&align.to_le_bytes());
    fmt.extend_from_slice(&16u16.to_le_bytes());
    wav_raw(&fmt, data_len, data)
}

fn expect_truncated(name: &str, bytes: Vec<u8>) {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    match read_wav(&p) {
        Err(Error::Truncated { path, .. }) => assert!(path.ends_with(name), "{path}"),
        other => panic!("{name}: expected Error::Truncated, got {other:?}"),
    }
}

#[test]
fn an_odd_data_length_past_the_end_of_the_file_is_truncation() {
    let data = pcm16(&[16384, 0, -16384]);
    // An even long length is already truncation; the odd one must be too.
    expect_truncated("long_even.wav", wav(1, 100, &data));
    expect_truncated("long_odd.wav", wav(1, 101, &data));
    expect_truncated("arecord_pipe.wav", wav(1, 0x7FFF_FFFF, &data));
    // Stereo: a whole number of samples but not of frames, past the end of the file.
    expect_truncated("long_stereo.wav", wav(2, 102, &data));
}

#[test]
fn a_data_chunk_that_ends_inside_a_frame_is_truncation() {
    // Three bytes: one sample and half of the next.
    let mut data = pcm16(&[16384]);
    data.push(7);
    expect_truncated("half_sample.wav", wav(1, 3, &data));
    // Stereo: three samples, the last frame lacks its right channel.
    let data = pcm16(&[16384, 0, -16384]);
    expect_truncated("half_frame.wav", wav(2, 6, &data));
}

#[test]
fn frames_that_do_not_split_into_the_channels_are_named_whatever_the_data_length() {
    // 8-bit stereo in 3-byte frames, 9 bytes: an odd number of samples as well.
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 2] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    body.extend_from_slice(&8000u32.to_le_bytes());
    body.extend_from_slice(&24000u32.to_le_bytes());
    for v in [3u16, 8] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    body.extend_from_slice(b"data");
    body.extend_from_slice(&9u32.to_le_bytes());
    body.extend_from_slice(&[128; 9]);
    body.push(0);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    let p = tmp("align3_odd.wav");
    std::fs::write(&p, out).unwrap();
    match read_wav(&p) {
        Err(Error::UnsupportedFormat { message, .. }) => assert!(
            message.contains("block align 3") && message.contains("2 channels"),
            "{message}"
        ),
        other => panic!("expected UnsupportedFormat naming the block align, got {other:?}"),
    }
}
