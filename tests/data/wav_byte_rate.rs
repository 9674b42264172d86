//! The byte rate of a WAV `fmt ` chunk (`nAvgBytesPerSec`) only restates the sample rate times
//! the block alignment, and some writers leave it wrong (0, or the rate of another format):
//! such a file is read by its samples, as other WAV readers read it, instead of being refused
//! as "not a valid RIFF/WAVE file (inconsistent fmt chunk)". A sample rate of 0 Hz is still
//! refused as such.

use synchgraph::features::wav::read_wav;
use synchgraph::Error;

/// A mono 16-bit PCM file at `rate` Hz whose `fmt ` chunk states `byte_rate`.
fn wav(name: &str, rate: u32, byte_rate: u32, samples: &[i16]) -> std::path::PathBuf {
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&1u16.to_le_bytes());
    fmt.extend_from_slice(&1u16.to_le_bytes());
    fmt.extend_from_slice(&rate.to_le_bytes());
    fmt.extend_from_slice(&byte_rate.to_le_bytes());
    fmt.extend_from_slice(&2u16.to_le_bytes());
    fmt.extend_from_slice(&16u16.to_le_bytes());
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&16u32.to_le_bytes());
    body.extend_from_slice(&fmt);
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(&data);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    let p = std::env::temp_dir().join(format!("sg-wav-byte-rate-{}-{name}", std::process::id()));
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn a_wrong_byte_rate_does_not_hide_the_samples() {
    let samples = [-16384i16, 0, 8192, 16384];
    let want = vec![-0.5, 0.0, 0.25, 0.5];
    // The consistent file, then byte rates of 0 and of a stereo file of the same rate.
    for (name, byte_rate) in [("right", 16000), ("zero", 0), ("stereo", 32000)] {
        let a = read_wav(wav(name, 8000, byte_rate, &samples)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.sample_rate, &a.samples), (8000, &want), "{name}");
    }
}

#[test]
fn a_sample_rate_of_zero_is_refused_as_such_whatever_the_byte_rate() {
    for byte_rate in [0, 16000] {
        let e = read_wav(wav(&format!("rate0-{byte_rate}"), 0, byte_rate, &[1, 2])).unwrap_err();
        assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
        assert!(e.to_string().contains("sample rate is 0 Hz"), "{e}");
    }
}
