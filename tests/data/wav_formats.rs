//! WAV headers beyond the plain 16-byte PCM `fmt ` chunk: a PCM or float `fmt ` chunk with
//! extension bytes is read by its first 16 whatever the bit depth; compressed encodings (A-law,
//! mu-law, ADPCM), directly or as the sub-format of WAVE_FORMAT_EXTENSIBLE, are refused naming
//! the encoding; float samples of another width than 32 bits are refused as such; a block
//! alignment that does not hold whole, equal samples for every channel is refused rather than
//! read as a run of unaligned samples; six channels mix down to their mean.

use synchgraph::features::wav::read_wav;
use synchgraph::Error;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-wavfmt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A `fmt ` chunk body: tag, channels, rate, byte rate (consistent), block align, bits, `extra`.
fn fmt(tag: u16, channels: u16, align: u16, bits: u16, extra: &[u8]) -> Vec<u8> {
    let rate = 8000u32;
    let mut f = Vec::new();
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&channels.to_le_bytes());
    f.extend_from_slice(&rate.to_le_bytes());
    f.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
    f.extend_from_slice(&align.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    f.extend_from_slice(extra);
    f
}

/// The WAVE_FORMAT_EXTENSIBLE extension: cbSize 22, valid bits, channel mask and the
/// sub-format GUID of format tag `sub`.
fn extensible(valid: u16, sub: u16) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend_from_slice(&22u16.to_le_bytes());
    e.extend_from_slice(&valid.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&sub.to_le_bytes());
    e.extend_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]);
    e
}

fn wav(name: &str, fmt: &[u8], data: &[u8]) -> std::path::PathBuf {
    let mut out = b"RIFF".to_vec();
    let pad = data.len() & 1;
    out.extend_from_slice(&((4 + 8 + fmt.len() + 8 + data.len() + pad) as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out.resize(out.len() + pad, 0);
    let p = tmp(name);
    std::fs::write(&p, out).unwrap();
    p
}

fn unsupported(p: &std::path::Path, parts: &[&str]) {
    let e = read_wav(p).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::UnsupportedFormat { .. }), "{msg}");
    let name = p.file_name().unwrap().to_string_lossy();
    assert!(msg.contains(name.as_ref()), "{msg} does not name the file");
    for part in parts {
        assert!(msg.contains(part), "{msg} lacks '{part}'");
    }
}

#[test]
fn pcm_and_float_fmt_chunks_with_extension_bytes_are_read_by_their_first_sixteen() {
    let i32s: Vec<u8> = [1i32 << 30, 0, -(1 << 30)]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let f32s: Vec<u8> = [0.5f32, 0.0, -0.5]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut ext40 = 22u16.to_le_bytes().to_vec();
    ext40.resize(24, 0);
    for (name, f, data) in [
        // WAVEFORMATEX (cbSize 0) around 32-bit integer PCM.
        ("pcm32_ex.wav", fmt(1, 1, 4, 32, &[0, 0]), &i32s),
        ("pcm32_40.wav", fmt(1, 1, 4, 32, &ext40), &i32s),
        ("float_40.wav", fmt(3, 1, 4, 32, &ext40), &f32s),
        // Float with a non-zero cbSize and its extra bytes.
        ("float_cb2.wav", fmt(3, 1, 4, 32, &[2, 0, 0, 0]), &f32s),
    ] {
        let p = wav(name, &f, data);
        let a = read_wav(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(a.samples, vec![0.5, 0.0, -0.5], "{name}");
    }
}

#[test]
fn compressed_encodings_are_refused_naming_the_encoding() {
    for (tag, align, bits, shown) in [
        (6u16, 1u16, 8u16, "A-law"),
        (7, 1, 8, "mu-law"),
        (2, 256, 4, "Microsoft ADPCM"),
        (0x11, 256, 4, "IMA ADPCM"),
    ] {
        let p = wav(
            &format!("tag{tag}.wav"),
            &fmt(tag, 1, align, bits, &[2, 0, 0xF9, 0x01]),
            &[1, 2, 3, 4],
        );
        unsupported(&p, &[shown, &format!("format tag 0x{tag:04X}")]);
        let p = wav(
            &format!("ext_tag{tag}.wav"),
            &fmt(0xFFFE, 1, 1, 8, &extensible(8, tag)),
            &[1, 2, 3, 4],
        );
        unsupported(&p, &[shown]);
    }
}

#[test]
fn float_samples_of_another_width_than_32_bits_are_refused_as_such() {
    let f64s: Vec<u8> = [0.5f64, -0.5]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let p = wav("float64.wav", &fmt(3, 1, 8, 64, &[0, 0]), &f64s);
    unsupported(&p, &["64-bit float", "only 32-bit float"]);
    let p = wav(
        "ext_float64.wav",
        &fmt(0xFFFE, 1, 8, 64, &extensible(64, 3)),
        &f64s,
    );
    unsupported(&p, &["64-bit float", "only 32-bit float"]);
}

#[test]
fn a_block_align_that_does_not_hold_one_sample_per_channel_is_refused() {
    let bytes: Vec<u8> = (0..20u8).collect();
    // 16-bit stereo in 5-byte frames: not two 2-byte samples.
    let p = wav("align5.wav", &fmt(1, 2, 5, 16, &[]), &bytes);
    unsupported(&p, &["block align 5", "2 channels"]);
    // 8-bit stereo in 3-byte frames.
    let p = wav("align3.wav", &fmt(1, 2, 3, 8, &[]), &bytes[..12]);
    unsupported(&p, &["block align 3", "2 channels"]);
    // 32-bit float in 8-byte containers.
    let p = wav("float_in64.wav", &fmt(3, 1, 8, 32, &[0, 0]), &bytes[..16]);
    unsupported(&p, &["32-bit samples stored in 64-bit containers"]);
    // Extensible: 32 valid bits declared in 24-bit containers.
    let p = wav(
        "valid32_in24.wav",
        &fmt(0xFFFE, 1, 3, 24, &extensible(32, 1)),
        &[0; 9],
    );
    unsupported(&p, &["32-bit samples", "24-bit containers"]);
}

#[test]
fn six_channels_and_extensible_float_read() {
    // Six 16-bit channels, frame values c * 1000 for channel c: the mean is 2500.
    let frame: Vec<u8> = (0..6i16).flat_map(|c| (c * 1000).to_le_bytes()).collect();
    let p = wav("six.wav", &fmt(1, 6, 12, 16, &[]), &frame.repeat(3));
    let a = read_wav(&p).unwrap();
    assert_eq!(a.samples, vec![2500.0 / 32768.0; 3]);
    let f32s: Vec<u8> = [0.25f32, -0.75]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let p = wav(
        "ext_float.wav",
        &fmt(0xFFFE, 2, 8, 32, &extensible(32, 3)),
        &f32s,
    );
    assert_eq!(read_wav(&p).unwrap().samples, vec![-0.25]);
}
