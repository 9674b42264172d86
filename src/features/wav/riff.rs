//! RIFF chunks of a WAV file: where its `fmt ` and `data` chunks lie, and the canonical header
//! the decoder reads in front of the file's own samples.

/// Where the `fmt ` body and the `data` chunk of a RIFF/WAVE file lie.
#[derive(Debug, Clone, Copy)]
pub(super) struct RiffChunks {
    /// Start and length of the `fmt ` chunk's body.
    pub(super) fmt: (usize, usize),
    /// Start of the `data` chunk's body and its announced length.
    pub(super) data: (usize, u32),
}

/// The first `fmt ` chunk and the first `data` chunk, found by walking the RIFF chunks with
/// their pad bytes (a chunk of odd length is followed by one, as RIFF asks). The format puts
/// `fmt ` first, but a `data` chunk written before it is found too when its length lets the
/// walk go on past it. `None` when `bytes` is not RIFF/WAVE, the `fmt ` chunk does not fit, or
/// either chunk is not found: the decoder reads such files as they are and reports them itself.
pub(super) fn riff_chunks(bytes: &[u8]) -> Option<RiffChunks> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12usize;
    let mut fmt = None;
    let mut data = None;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let body = at + 8;
        match &head[..4] {
            b"data" if data.is_none() => data = Some((body, len)),
            b"fmt " if fmt.is_none() => {
                bytes.get(body..body + len as usize)?;
                fmt = Some((body, len as usize));
            }
            _ => {}
        }
        if let (Some(fmt), Some(data)) = (fmt, data) {
            return Some(RiffChunks { fmt, data });
        }
        at = body
            .checked_add(len as usize)?
            .checked_add(len as usize & 1)?;
    }
    None
}

/// WAVE_FORMAT_EXTENSIBLE's `fmt ` chunk length: the 16 bytes of the plain header, `cbSize` and
/// the 22 bytes of the extension.
const EXTENSIBLE_FMT_LEN: usize = 40;

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
/// the 40-byte form), a WAVE_FORMAT_EXTENSIBLE one longer than 40 bytes whose `cbSize` holds
/// the extension (the format asks for at least 22 bytes; the decoder takes exactly 22 and
/// reads a longer chunk out of step) keeps its 40 with a `cbSize` of 22, a data length of
/// [`UNKNOWN_DATA_LEN`] becomes the whole frames up to the end of the file, and the byte rate
/// becomes the sample rate times the block alignment (the decoder refuses any other, which
/// some writers leave; it describes no sample).
pub(super) fn canonical_header(bytes: &[u8], c: RiffChunks) -> Vec<u8> {
    let mut fmt = &bytes[c.fmt.0..c.fmt.0 + c.fmt.1];
    let u16_at = |i: usize| fmt.get(i..i + 2).map(|t| u16::from_le_bytes([t[0], t[1]]));
    let tag = u16_at(0);
    // WAVE_FORMAT_PCM and WAVE_FORMAT_IEEE_FLOAT.
    if matches!(tag, Some(1 | 3)) && fmt.len() > 16 {
        fmt = &fmt[..16];
    }
    // WAVE_FORMAT_EXTENSIBLE with its extension and more.
    let cut_extension = tag == Some(0xFFFE)
        && fmt.len() > EXTENSIBLE_FMT_LEN
        && u16_at(16).is_some_and(|cb| usize::from(cb) >= EXTENSIBLE_FMT_LEN - 18);
    if cut_extension {
        fmt = &fmt[..EXTENSIBLE_FMT_LEN];
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
    if cut_extension {
        out[fmt_at + 16..fmt_at + 18]
            .copy_from_slice(&((EXTENSIBLE_FMT_LEN - 18) as u16).to_le_bytes());
    }
    if fmt.len() % 2 == 1 {
        out.push(0);
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out
}

/// The block alignment (bytes per frame, all channels) of the file's `fmt ` chunk; `None` when
/// the chunk is too short to hold it (the decoder reports such files itself).
pub(super) fn fmt_block_align(bytes: &[u8], c: RiffChunks) -> Option<u16> {
    let fmt = bytes.get(c.fmt.0..c.fmt.0 + c.fmt.1)?;
    fmt.get(12..14).map(|b| u16::from_le_bytes([b[0], b[1]]))
}
