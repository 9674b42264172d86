//! What the WAV reader refuses, and the errors it gives: encodings other than PCM and 32-bit
//! float, padded sample containers, data that ends inside a frame, and the decoder's own errors.

use std::io::ErrorKind;
use std::path::Path;

use super::riff::{fmt_block_align, RiffChunks};
use crate::error::{Error, Result};

/// The error of `path` for a decoder error: a truncated file, an I/O error or an unsupported
/// format.
pub(super) fn map_hound(path: &Path, e: hound::Error) -> Error {
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
pub(super) fn check_encoding(path: &Path, fmt: &[u8]) -> Result<()> {
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

/// Refuse a sample rate so large that the byte rate it implies (the rate times the block
/// alignment, a 32-bit field of the `fmt ` chunk) overflows: no recording has such a rate, so
/// the field is damaged (the decoder would report it only as an inconsistent chunk). `fmt` is
/// the `fmt ` chunk's body; what is too short to tell is left to the decoder.
pub(super) fn check_sample_rate(path: &Path, fmt: &[u8]) -> Result<()> {
    let (Some(rate), Some(align)) = (fmt.get(4..8), fmt.get(12..14)) else {
        return Ok(());
    };
    let rate = u32::from_le_bytes([rate[0], rate[1], rate[2], rate[3]]);
    let align = u16::from_le_bytes([align[0], align[1]]);
    if rate.checked_mul(u32::from(align)).is_none() {
        return Err(Error::UnsupportedFormat {
            path: path.display().to_string(),
            message: format!(
                "sample rate {rate} Hz: with frames of {align} bytes its byte rate overflows \
                 32 bits; the sample rate field is damaged"
            ),
        });
    }
    Ok(())
}

/// Refuse a block alignment (bytes per frame) that does not split into one container per
/// channel, and samples stored in a container of another width than their bits: narrower
/// cannot hold them, and a wider one is the WAVE_FORMAT_EXTENSIBLE case of 24 valid bits in
/// 32-bit words. Writers disagree on which end of the word holds the bits (the format says the
/// top, some writers use the bottom), so such a file cannot be decoded without guessing;
/// reading the wrong end gives noise, not an error. The decoder itself reads samples one after
/// another whatever the alignment, so a frame with bytes to spare would be read out of step.
/// `block_align` is the bytes per frame of the file's `fmt ` chunk, when it was found.
pub(super) fn refuse_padded_containers(
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

/// The [`Error::Truncated`] of a data chunk whose length is not a whole number of frames: past
/// the end of the file the file ends inside its sample data, as for any long data length;
/// within it the samples end inside a frame. A block alignment that does not split into the
/// channels is the fault reported instead (the decoder counts the frames by it); `None` when the
/// `fmt ` chunk holds no channels or no alignment, which the decoder reports.
pub(super) fn partial_frame(path: &Path, bytes: &[u8], c: RiffChunks) -> Option<Error> {
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
