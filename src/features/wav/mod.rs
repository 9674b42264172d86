//! WAV reading through `hound`: any sample rate, mono or multi-channel (mixed to mono), 8/16/24/32-bit
//! integer PCM and 32-bit float, normalised to [-1, 1].
//!
//! The file's RIFF chunks are found and its header rewritten in `riff.rs`; what the reader
//! refuses, and the errors it gives, is in `format_checks.rs`.

mod format_checks;
mod riff;

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

use format_checks::{
    check_encoding, check_sample_rate, map_hound, partial_frame, refuse_padded_containers,
};
use riff::{canonical_header, fmt_block_align, riff_chunks};

/// A mono signal with its sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Mono samples in [-1, 1].
    pub samples: Vec<f32>,
}

impl Audio {
    /// Duration in seconds.
    pub fn duration(&self) -> f64 {
        self.samples.len() as f64 / self.sample_rate as f64
    }

    /// Fail with [`Error::TooShort`] when fewer than `frame_len` samples are present.
    pub fn require_frame(&self, path: &str, frame_len: usize) -> Result<()> {
        if self.samples.len() < frame_len {
            return Err(Error::TooShort {
                path: path.to_string(),
                samples: self.samples.len(),
                needed: frame_len,
            });
        }
        Ok(())
    }
}

/// Read a WAV file, mix all channels to mono and scale to [-1, 1]. Chunks other than `fmt ` and
/// `data` (`LIST`, `fact`, ...) are skipped whatever their length, with RIFF's pad byte after an
/// odd-length one, and a `data` chunk written before the `fmt ` chunk is read too; a PCM or
/// float `fmt ` chunk with extra bytes (WAVEFORMATEX's `cbSize` and what follows it) is read by
/// its first 16, a WAVE_FORMAT_EXTENSIBLE one by its first 40, and a data length of
/// `0xFFFFFFFF` (a file streamed to a pipe) means the samples up to the end of the file. Any
/// other data length past the end of the file is a truncated file. The `fmt ` chunk's byte
/// rate, which only restates the sample rate times the block alignment, is not checked.
///
/// Errors: [`Error::Empty`] for a zero-byte file or one without samples, [`Error::Truncated`] when
/// the file ends early or its data chunk ends inside a sample frame, [`Error::UnsupportedFormat`]
/// for non-PCM/float encodings (A-law, mu-law, ADPCM, ... named in the message, directly or as
/// the sub-format of WAVE_FORMAT_EXTENSIBLE), float samples of another width than 32 bits, a
/// block alignment that does not hold one sample container per channel, samples in containers
/// of another width than their bits (24 valid bits in 32), a sample rate of 0 Hz or one whose
/// byte rate (the rate times the bytes per frame) overflows 32 bits (a damaged field),
/// [`Error::Data`] for a NaN or infinite float sample. Float samples beyond [-1, 1] are clipped
/// to it.
pub fn read_wav(path: impl AsRef<Path>) -> Result<Audio> {
    let path = path.as_ref();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() == 0 {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "zero-byte file".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let chunks = riff_chunks(&bytes);
    if let Some(c) = chunks {
        let fmt = &bytes[c.fmt.0..c.fmt.0 + c.fmt.1];
        check_encoding(path, fmt)?;
        check_sample_rate(path, fmt)?;
    }
    // The decoder reads a rewritten header followed by the file's own samples (not copied).
    let header = chunks.map(|c| canonical_header(&bytes, c));
    let samples = chunks.map_or(&bytes[..], |c| &bytes[c.data.0.min(bytes.len())..]);
    let reader = hound::WavReader::new(header.as_deref().unwrap_or(&[]).chain(samples)).map_err(
        |e| match (e, chunks) {
            // The decoder refuses a data length that is not a whole number of frames as an
            // invalid header; the samples end inside a frame, or the file before its data.
            (
                e @ hound::Error::FormatError(
                    "data chunk length is not a multiple of sample size"
                    | "invalid data chunk length",
                ),
                Some(c),
            ) => partial_frame(path, &bytes, c).unwrap_or_else(|| map_hound(path, e)),
            (e, _) => map_hound(path, e),
        },
    )?;
    let spec = reader.spec();
    refuse_padded_containers(path, spec, chunks.and_then(|c| fmt_block_align(&bytes, c)))?;
    let channels = spec.channels as usize;
    if spec.sample_rate == 0 {
        return Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message: "the sample rate is 0 Hz".into(),
        });
    }
    if channels == 0 {
        return Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message: "zero channels".into(),
        });
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => {
            if spec.bits_per_sample != 32 {
                return Err(Error::UnsupportedFormat {
                    path: path.display().to_string(),
                    message: format!(
                        "{}-bit float; only 32-bit float is supported",
                        spec.bits_per_sample
                    ),
                });
            }
            let raw: Vec<f32> = reader
                .into_samples::<f32>()
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| map_hound(path, e))?;
            if let Some(i) = raw.iter().position(|v| !v.is_finite()) {
                return Err(Error::data(
                    path,
                    format!(
                        "sample {} of channel {} is {} (a float WAV must hold finite samples)",
                        i / channels,
                        i % channels,
                        raw[i]
                    ),
                ));
            }
            raw.into_iter().map(|v| v.clamp(-1.0, 1.0)).collect()
        }
        hound::SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            if !matches!(bits, 8 | 16 | 24 | 32) {
                return Err(Error::UnsupportedFormat {
                    path: path.display().to_string(),
                    message: format!("{bits}-bit integer PCM; supported: 8, 16, 24, 32"),
                });
            }
            let scale = 1.0 / (1u64 << (bits - 1)) as f64;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| (v as f64 * scale) as f32))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| map_hound(path, e))?
        }
    };
    if interleaved.is_empty() {
        return Err(Error::Empty {
            path: path.display().to_string(),
            message: "the WAV data chunk holds no samples".into(),
        });
    }
    if interleaved.len() % channels != 0 {
        return Err(Error::Truncated {
            path: path.display().to_string(),
            message: "the last frame is missing channels".into(),
        });
    }
    let samples = interleaved
        .chunks_exact(channels)
        .map(|f| f.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok(Audio {
        sample_rate: spec.sample_rate,
        samples,
    })
}

/// Read a WAV file and check that it covers at least one analysis frame of `frame_seconds`.
pub fn read_wav_for_frames(path: impl AsRef<Path>, frame_seconds: f64) -> Result<Audio> {
    let path = path.as_ref();
    let audio = read_wav(path)?;
    let need = (frame_seconds * audio.sample_rate as f64).round() as usize;
    audio.require_frame(&path.display().to_string(), need.max(1))?;
    Ok(audio)
}
