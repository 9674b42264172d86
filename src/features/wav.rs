//! WAV reading through `hound`: any sample rate, mono or multi-channel (mixed to mono), 8/16/24/32-bit
//! integer PCM and 32-bit float, normalised to [-1, 1].

use crate::error::{Error, Result};
use std::io::{ErrorKind, Read};
use std::path::Path;

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

fn map_hound(path: &Path, e: hound::Error) -> Error {
    let p = path.display().to_string();
    match e {
        hound::Error::IoError(io)
            if io.kind() == ErrorKind::UnexpectedEof || io.to_string().contains("enough bytes") =>
        {
            Error::Truncated {
                path: p,
                message: "the file ends inside its header or sample data".into(),
            }
        }
        hound::Error::IoError(io) => Error::io(path, io),
        hound::Error::UnfinishedSample => Error::Truncated {
            path: p,
            message: "the sample data ends inside a sample".into(),
        },
        hound::Error::Unsupported => Error::UnsupportedFormat {
            path: p,
            message: "only PCM integer (8/16/24/32-bit) and 32-bit IEEE float WAV is supported"
                .into(),
        },
        hound::Error::FormatError(m) => Error::UnsupportedFormat {
            path: p,
            message: format!("not a valid RIFF/WAVE file ({m})"),
        },
        other => Error::UnsupportedFormat {
            path: p,
            message: other.to_string(),
        },
    }
}

/// Read a WAV file, mix all channels to mono and scale to [-1, 1]. Chunks other than `fmt ` and
/// `data` (`LIST`, `fact`, ...) are skipped whatever their length, with RIFF's pad byte after an
/// odd-length one; a PCM or float `fmt ` chunk with extra bytes (WAVEFORMATEX's `cbSize` and
/// what follows it) is read by its first 16, and a data length of `0xFFFFFFFF` (a file streamed
/// to a pipe) means the samples up to the end of the file. Any other data length past the end
/// of the file is a truncated file. The `fmt ` chunk's byte rate, which only restates the
/// sample rate times the block alignment, is not checked.
///
/// Errors: [`Error::Empty`] for a zero-byte file or one without samples, [`Error::Truncated`] when
/// the file ends early or its data chunk ends inside a sample frame, [`Error::UnsupportedFormat`]
/// for non-PCM/float encodings (A-law, mu-law, ADPCM, ... named in the message, directly or as
/// the sub-format of WAVE_FORMAT_EXTENSIBLE), float samples of another width than 32 bits, a
/// block alignment that does not hold one sample container per channel, samples in containers
/// of another width than their bits (24 valid bits in 32) or a sample rate of 0 Hz,
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
        check_encoding(path, &bytes[c.fmt.0..c.fmt.0 + c.fmt.1])?;
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

/// WAVE_FORMAT_EXTENSIBLE: the encoding is the sub-format GUID of the extension.
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// The GUID of WAVE_FORMAT_EXTENSIBLE's sub-format after its first two bytes, which hold the
/// format tag it stands for (`KSDATAFORMAT_SUBTYPE_PCM` is tag 1 followed by these).
const SUBFORMAT_GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// The usual name of a WAV format tag the reader does not decode.
fn encoding_name(tag: u16) -> &'static str {
    match tag {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        _ => "an unknown encoding",
    }
}

/// Refuse, naming it, an encoding other than integer PCM and IEEE float (directly or as the
/// sub-format of WAVE_FORMAT_EXTENSIBLE), and plain IEEE float of another width than 32 bits,
/// before the decoder sees them: it reports the first as merely unsupported and the others
/// (4-bit ADPCM, 64-bit float) as invalid files. `fmt` is the `fmt ` chunk's body; what is too
/// short to tell is left to the decoder.
fn check_encoding(path: &Path, fmt: &[u8]) -> Result<()> {
    let u16_at = |i: usize| fmt.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let Some(tag) = u16_at(0) else {
        return Ok(());
    };
    let encoding = if tag == WAVE_FORMAT_EXTENSIBLE {
        match (u16_at(24), fmt.get(26..40)) {
            (Some(sub), Some(tail)) if tail == SUBFORMAT_GUID_TAIL => sub,
            _ => return Ok(()),
        }
    } else {
        tag
    };
    let refuse = |message: String| {
        Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message,
        })
    };
    match encoding {
        1 => Ok(()),
        // The extensible form's valid bits are checked once the decoder has read them.
        3 => match u16_at(14) {
            Some(bits) if tag == 3 && bits != 32 => {
                refuse(format!("{bits}-bit float; only 32-bit float is supported"))
            }
            _ => Ok(()),
        },
        other => refuse(format!(
            "{} (format tag 0x{other:04X}) is not supported; only PCM integer (8/16/24/32-bit) \
             and 32-bit IEEE float WAV is; convert the file to PCM",
            encoding_name(other)
        )),
    }
}

/// Refuse a block alignment (bytes per frame) that does not split into one container per
/// channel, and samples stored in a container of another width than their bits: narrower
/// cannot hold them, and a wider one is the WAVE_FORMAT_EXTENSIBLE case of 24 valid bits in
/// 32-bit words. Writers disagree on which end of the word holds the bits (the format says the
/// top, some writers use the bottom), so such a file cannot be decoded without guessing;
/// reading the wrong end gives noise, not an error. The decoder itself reads samples one after
/// another whatever the alignment, so a frame with bytes to spare would be read out of step.
/// `block_align` is the bytes per frame of the file's `fmt ` chunk, when it was found.
fn refuse_padded_containers(
    path: &Path,
    spec: hound::WavSpec,
    block_align: Option<u16>,
) -> Result<()> {
    let (align, channels) = match block_align {
        Some(align) if spec.channels > 0 => (align, spec.channels),
        _ => return Ok(()),
    };
    let refuse = |message: String| {
        Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message,
        })
    };
    if align % channels != 0 {
        return Err(unsplit_frames(path, align, channels));
    }
    let container_bits = u32::from(align / channels) * 8;
    let bits = u32::from(spec.bits_per_sample);
    if container_bits < bits {
        return refuse(format!(
            "{bits}-bit samples declared in {container_bits}-bit containers (block align \
             {align} bytes for {channels} channels)"
        ));
    }
    if container_bits > bits {
        let plain = match spec.sample_format {
            hound::SampleFormat::Int => format!("{bits}- or {container_bits}-bit PCM"),
            hound::SampleFormat::Float => "32-bit float".to_string(),
        };
        return refuse(format!(
            "{bits}-bit samples stored in {container_bits}-bit containers; convert the file \
             to plain {plain}"
        ));
    }
    Ok(())
}

/// The [`Error::UnsupportedFormat`] of a block alignment of `align` bytes per frame that does
/// not split into `channels` equal samples.
fn unsplit_frames(path: &Path, align: u16, channels: u16) -> Error {
    Error::UnsupportedFormat {
        path: path.display().to_string(),
        message: format!(
            "block align {align} bytes per frame does not split into {channels} channels of \
             equal, whole-byte samples"
        ),
    }
}

/// Where the `fmt ` body and the `data` chunk of a RIFF/WAVE file lie.
#[derive(Debug, Clone, Copy)]
struct RiffChunks {
    /// Start and length of the `fmt ` chunk's body.
    fmt: (usize, usize),
    /// Start of the `data` chunk's body and its announced length.
    data: (usize, u32),
}

/// The `fmt ` chunk (the first) and the `data` chunk that follows it, found by walking the RIFF
/// chunks with their pad bytes (a chunk of odd length is followed by one, as RIFF asks). `None`
/// when `bytes` is not RIFF/WAVE, the `fmt ` chunk does not fit, or no `data` chunk follows it:
/// the decoder reads such files as they are and reports them itself.
fn riff_chunks(bytes: &[u8]) -> Option<RiffChunks> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12usize;
    let mut fmt = None;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let body = at + 8;
        match &head[..4] {
            b"data" => {
                return fmt.map(|fmt| RiffChunks {
                    fmt,
                    data: (body, len),
                })
            }
            b"fmt " if fmt.is_none() => {
                bytes.get(body..body + len as usize)?;
                fmt = Some((body, len as usize));
            }
            _ => {}
        }
        at = body
            .checked_add(len as usize)?
            .checked_add(len as usize & 1)?;
    }
    None
}

/// Data-chunk length that a writer streaming to a pipe leaves when it cannot seek back to fill
/// in the real one: the samples run to the end of the file.
const UNKNOWN_DATA_LEN: u32 = u32::MAX;

/// The header of `bytes` as a WAV file holding only its `fmt ` and `data` chunks, up to the
/// data chunk's length (the file's samples follow it unchanged): the decoder skips other
/// chunks without their pad byte and reads a `fact` chunk as four bytes whatever its length,
/// so either before the samples made a valid file fail as truncated. Two more things the
/// decoder refuses are written in the form it reads: a PCM or float `fmt ` chunk longer than
/// 16 bytes keeps the 16 that describe the samples (the decoder takes extra bytes only in some
/// lengths and bit depths: not 32-bit PCM with a `cbSize`, nor float with a non-zero one or
/// the 40-byte form), a data length of [`UNKNOWN_DATA_LEN`] becomes the whole frames up to
/// the end of the file, and the byte rate becomes the sample rate times the block alignment
/// (the decoder refuses any other, which some writers leave; it describes no sample).
fn canonical_header(bytes: &[u8], c: RiffChunks) -> Vec<u8> {
    let mut fmt = &bytes[c.fmt.0..c.fmt.0 + c.fmt.1];
    let tag = fmt.get(..2).map(|t| u16::from_le_bytes([t[0], t[1]]));
    // WAVE_FORMAT_PCM and WAVE_FORMAT_IEEE_FLOAT.
    if matches!(tag, Some(1 | 3)) && fmt.len() > 16 {
        fmt = &fmt[..16];
    }
    let data = &bytes[c.data.0.min(bytes.len())..];
    let data_len = match fmt_block_align(bytes, c) {
        Some(align) if c.data.1 == UNKNOWN_DATA_LEN && align > 0 => {
            let whole = data.len() - data.len() % usize::from(align);
            u32::try_from(whole).unwrap_or(UNKNOWN_DATA_LEN - 1)
        }
        _ => c.data.1,
    };
    let mut out = Vec::with_capacity(28 + fmt.len());
    out.extend_from_slice(b"RIFF");
    let riff_len = 4 + 8 + fmt.len() + (fmt.len() & 1) + 8 + data.len();
    out.extend_from_slice(&u32::try_from(riff_len).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    let fmt_at = out.len();
    out.extend_from_slice(fmt);
    // The byte rate restates the sample rate times the block alignment, and the decoder refuses
    // a file whose writer left it wrong: it is written as the two fields it follows from.
    if let Some(f) = out.get_mut(fmt_at..fmt_at + 16) {
        let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
        let align = u32::from(u16::from_le_bytes([f[12], f[13]]));
        if let Some(byte_rate) = rate.checked_mul(align) {
            f[8..12].copy_from_slice(&byte_rate.to_le_bytes());
        }
    }
    if fmt.len() % 2 == 1 {
        out.push(0);
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out
}

/// The [`Error::Truncated`] of a data chunk whose length is not a whole number of frames: past
/// the end of the file the file ends inside its sample data, as for any long data length;
/// within it the samples end inside a frame. A block alignment that does not split into the
/// channels is the fault reported instead (the decoder counts the frames by it); `None` when the
/// `fmt ` chunk holds no channels or no alignment, which the decoder reports.
fn partial_frame(path: &Path, bytes: &[u8], c: RiffChunks) -> Option<Error> {
    let align = fmt_block_align(bytes, c)?;
    let fmt = bytes.get(c.fmt.0..c.fmt.0 + c.fmt.1)?;
    let channels = fmt.get(2..4).map(|b| u16::from_le_bytes([b[0], b[1]]))?;
    if channels == 0 || align == 0 {
        return None;
    }
    if align % channels != 0 {
        return Some(unsplit_frames(path, align, channels));
    }
    let present = bytes.len().saturating_sub(c.data.0);
    let message = if c.data.1 as usize > present {
        "the file ends inside its header or sample data".to_string()
    } else {
        format!(
            "the sample data ends inside a frame (a data chunk of {} bytes, frames of {align} \
             bytes)",
            c.data.1
        )
    };
    Some(Error::Truncated {
        path: path.display().to_string(),
        message,
    })
}

/// The block alignment (bytes per frame, all channels) of the file's `fmt ` chunk; `None` when
/// the chunk is too short to hold it (the decoder reports such files itself).
fn fmt_block_align(bytes: &[u8], c: RiffChunks) -> Option<u16> {
    let fmt = bytes.get(c.fmt.0..c.fmt.0 + c.fmt.1)?;
    fmt.get(12..14).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

/// Read a WAV file and check that it covers at least one analysis frame of `frame_seconds`.
pub fn read_wav_for_frames(path: impl AsRef<Path>, frame_seconds: f64) -> Result<Audio> {
    let path = path.as_ref();
    let audio = read_wav(path)?;
    let need = (frame_seconds * audio.sample_rate as f64).round() as usize;
    audio.require_frame(&path.display().to_string(), need.max(1))?;
    Ok(audio)
}
