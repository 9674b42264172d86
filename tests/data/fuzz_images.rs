//! Mutation fuzzing of the frame-image reader (harness in `tests/common/fuzz.rs`): corrupted PNG and
//! JPEG frames, their sizes overwritten with 0, 1, 0xFFFF and more, PNG chunks given valid
//! checksums after the edit half of the time so the decoder reads on, are refused by
//! `load_gray` with an error naming the file, or read into a `side x side` frame of finite
//! values in [0, 1]; and regressions the fuzzing found.

use std::path::PathBuf;
use std::sync::OnceLock;

use synchgraph::features::images::{load_gray, MAX_FRAME_PIXELS};
use synchgraph::Error;

use crate::common::cli::scratch;
use crate::fuzz::{check_error, fuzz, guarded, Field, CASE_SECS};

/// A folder of this process for the image cases.
fn dir() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| scratch("fuzz", "images"))
}

/// CRC-32 (ISO-HDLC, as PNG chunks use) of `b`.
fn crc32(b: &[u8]) -> u32 {
    let mut c = !0u32;
    for &x in b {
        c ^= u32::from(x);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// `png` with the checksum of every chunk that still lies whole in it written anew.
fn fix_crcs(mut png: Vec<u8>) -> Vec<u8> {
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let Some(end) = (at + 8).checked_add(len).filter(|e| e + 4 <= png.len()) else {
            break;
        };
        let crc = crc32(&png[at + 4..end]);
        png[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        at = end + 4;
    }
    png
}

fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// PNG seeds (8-bit gray, RGBA, 16-bit gray) with the IHDR fields, and JPEG seeds (colour and
/// gray) with the frame header's sizes.
fn seeds() -> Vec<(Vec<u8>, Vec<Field>)> {
    let rgb = image::RgbaImage::from_fn(12, 10, |x, y| {
        image::Rgba([(x * 20) as u8, (y * 25) as u8, ((x ^ y) * 16) as u8, 200])
    });
    let gray = image::GrayImage::from_fn(8, 6, |x, y| image::Luma([(x * 30 + y) as u8]));
    let gray16 = image::ImageBuffer::<image::Luma<u16>, _>::from_fn(5, 7, |x, y| {
        image::Luma([(x * 9000 + y * 700) as u16])
    });
    let png = image::ImageFormat::Png;
    let jpeg = image::ImageFormat::Jpeg;
    // IHDR: width, height (4 bytes each), bit depth, colour type, ..., interlace.
    let ihdr = |w: usize| Field { at: 16, width: w };
    let png_fields = vec![
        ihdr(4),
        ihdr(2),
        Field { at: 20, width: 4 },
        Field { at: 24, width: 2 },
    ];
    let mut out: Vec<(Vec<u8>, Vec<Field>)> = [
        image::DynamicImage::ImageLuma8(gray.clone()),
        image::DynamicImage::ImageRgba8(rgb.clone()),
        image::DynamicImage::ImageLuma16(gray16),
    ]
    .into_iter()
    .map(|i| (encode(i, png), png_fields.clone()))
    .collect();
    for img in [
        image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(rgb).to_rgb8()),
        image::DynamicImage::ImageLuma8(gray),
    ] {
        let b = encode(img, jpeg);
        // The start-of-frame segment: length, precision, height and width.
        let sof = b.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let f = |off| Field {
            at: sof + off,
            width: 2,
        };
        out.push((
            b,
            vec![
                f(2),
                f(5),
                f(7),
                Field {
                    at: sof + 9,
                    width: 2,
                },
            ],
        ));
    }
    out
}

/// Frames decode to this side.
const SIDE: usize = 8;

/// Write `bytes` as a frame (PNG or JPEG by its signature, PNG checksums rewritten when its
/// length is even) and read it: an error naming the file, or a `SIDE x SIDE` frame of finite
/// values in [0, 1].
fn check(bytes: Vec<u8>) -> Result<(), String> {
    let is_png = bytes.starts_with(b"\x89PNG");
    let bytes = if is_png && bytes.len() % 2 == 0 {
        fix_crcs(bytes)
    } else {
        bytes
    };
    let p = dir().join(if is_png { "case.png" } else { "case.jpg" });
    std::fs::write(&p, &bytes).map_err(|e| e.to_string())?;
    let g = match load_gray(&p, SIDE) {
        Err(e) => return check_error(&e, p.file_name().and_then(|n| n.to_str())),
        Ok(g) => g,
    };
    if g.width != SIDE || g.height != SIDE || g.data.len() != SIDE * SIDE {
        return Err(format!(
            "Ok with {}x{} of {}",
            g.width,
            g.height,
            g.data.len()
        ));
    }
    match g
        .data
        .iter()
        .position(|v| !(-1e-6..=1.0 + 1e-6).contains(v))
    {
        Some(i) => Err(format!("Ok with pixel {i} = {}", g.data[i])),
        None => Ok(()),
    }
}

/// What the reader promises: the decoder's buffers (up to 8 bytes a pixel, 16-bit RGBA) for
/// at most `MAX_FRAME_PIXELS` and at most the 8,256 pixels a byte of PNG can stand for, and
/// fixed buffers.
fn max_alloc(len: usize) -> usize {
    let pixels = (MAX_FRAME_PIXELS as usize).min(8256 * len);
    (64 << 20) + 8 * pixels
}

#[test]
fn corrupted_frame_images_are_refused_or_read_within_their_promises() {
    fuzz("images", &seeds(), 300, 0x1A6E_0003, max_alloc, check);
}

#[test]
fn the_image_seeds_read() {
    for (b, _) in seeds() {
        check(b).unwrap();
    }
}

/// A 68-byte gray PNG whose header claims 4096 x 65536 pixels (checksums valid): no deflate
/// stream of its 11 IDAT bytes holds 256 MiB.
const HUGE_PNG: [u8; 68] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x7C, 0xBC, 0xE7,
    0x9B, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x68, 0x40, 0x03, 0x00,
    0x44, 0x11, 0x08, 0x01, 0xE1, 0x6C, 0x58, 0x98, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

/// Read `bytes` as frame `name`, allowing 16 MiB at once: the error, which must name the file
/// and `size`.
fn refused_unallocated(name: &'static str, bytes: Vec<u8>, size: &'static str) {
    let r = guarded(CASE_SECS, 16 << 20, move || {
        let p = dir().join(name);
        std::fs::write(&p, &bytes).unwrap();
        match load_gray(&p, SIDE) {
            Err(e @ Error::Data { .. }) => {
                let m = e.to_string();
                if m.contains(name) && m.contains(size) {
                    Ok(())
                } else {
                    Err(format!("the error does not name {name} and {size}: {m}"))
                }
            }
            other => Err(format!("want Error::Data, got {other:?}")),
        }
    });
    r.and_then(|r| r).unwrap_or_else(|e| panic!("{name}: {e}"));
}

#[test]
fn a_png_claiming_more_pixels_than_its_bytes_can_hold_is_refused_unallocated() {
    refused_unallocated("huge.png", HUGE_PNG.to_vec(), "4096x65536");
}

#[test]
fn a_jpeg_claiming_more_pixels_than_its_bytes_can_hold_is_refused_unallocated() {
    let gray = image::GrayImage::from_fn(16, 12, |x, y| image::Luma([(x * 12 + y) as u8]));
    let mut b = encode(
        image::DynamicImage::ImageLuma8(gray),
        image::ImageFormat::Jpeg,
    );
    // The start-of-frame segment's height and width (big-endian) become 12000 x 16000.
    let sof = b.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    b[sof + 5..sof + 9].copy_from_slice(&[0x2E, 0xE0, 0x3E, 0x80]);
    refused_unallocated("huge.jpg", b, "16000x12000");
}

#[test]
fn a_jpeg_with_a_long_comment_claiming_50_megapixels_is_refused_unallocated() {
    let gray = image::GrayImage::from_fn(16, 12, |x, y| image::Luma([(x * 12 + y) as u8]));
    let b = encode(
        image::DynamicImage::ImageLuma8(gray),
        image::ImageFormat::Jpeg,
    );
    // A 20,000-byte comment segment after the start-of-image marker: within what deflate could
    // pack 50 megapixels into, not what a JPEG can (a bit or more per 8 x 8 block).
    let mut out = b[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE, 0x4E, 0x22]);
    out.extend(std::iter::repeat_n(b'1', 0x4E22 - 2));
    out.extend_from_slice(&b[2..]);
    let sof = out.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    out[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0x03, 0x00]);
    refused_unallocated("comment.jpg", out, "768x65535");
}

/// The fuzz case: a PNG whose header claims more pixels than a frame may have, in a file long
/// enough that a byte count alone would allow them (an even image deflates 1,032 to 1): refused
/// before the 64 MiB of an 8192 x 8192 gray frame are allocated.
#[test]
fn a_png_over_the_frame_pixel_limit_is_refused_unallocated() {
    let mut b = HUGE_PNG.to_vec();
    // IHDR width and height (big-endian, bytes 16..24) become 8192 x 8192.
    b[16..24].copy_from_slice(&[0, 0, 0x20, 0, 0, 0, 0x20, 0]);
    let crc = crc32(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, 10_000));
    refused_unallocated("over-limit.png", b, "8192x8192");
}
