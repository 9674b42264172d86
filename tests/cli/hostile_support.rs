//! Shared helpers of the hostile-input tests (`hostile_*.rs`): scratch folders, a time-limited
//! run of the binary, and generated inputs (WAV clips, feature folders, digit images, the small
//! spiking-network config).

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{run_for, s, scratch, write};

/// A fresh scratch folder for one test.
pub(crate) fn tmp(name: &str) -> PathBuf {
    scratch("robust", name)
}

/// Run the binary with `args`; a run still going after 60 s fails the test.
pub(crate) fn run(args: &[&str]) -> Output {
    run_for(args, &[], 60)
}

// ---------------------------------------------------------------- generated files

/// A PCM WAV file with the given header fields and 16-bit samples.
pub(crate) fn wav_bytes(channels: u16, rate: u32, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
    let block = channels * 2;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    b
}

/// `n` samples of a tone with a little noise, so every feature varies.
pub(crate) fn tone(n: usize, period: f64, seed: u64) -> Vec<i16> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = ((x >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.05;
            (((i as f64 * std::f64::consts::TAU / period).sin() * 0.4 + noise) * 32767.0) as i16
        })
        .collect()
}

/// A features layout: class `a` holds `bad` (named `x.<ext>`) and one good clip, class `b` two
/// good clips.
pub(crate) fn features_layout(dir: &Path, ext: &str, bad: &[u8], good: &[u8]) {
    write(&dir.join(format!("a/x.{ext}")), bad);
    write(&dir.join(format!("a/x2.{ext}")), good);
    write(&dir.join(format!("b/y1.{ext}")), good);
    write(&dir.join(format!("b/y2.{ext}")), good);
}

/// `synchgraph features` from `data` to `out` with `extra` flags (`--nodes 4` unless given).
pub(crate) fn features_run(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["features", "--data", s(data), "--out", s(out)];
    args.extend_from_slice(extra);
    if !extra.contains(&"--nodes") {
        args.extend_from_slice(&["--nodes", "4"]);
    }
    run(&args)
}

/// The text of the small spiking-network config (`assets/snn/small.toml`).
pub(crate) fn small_snn_config() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/snn/small.toml"
    ))
    .unwrap()
}

/// A gzip digits CSV of `n` images, labels cycling over 0..3.
pub(crate) fn digits_gz(path: &Path, n: usize) {
    let mut text = String::new();
    for i in 0..n {
        let px: Vec<String> = (0..64)
            .map(|p| ((p * 3 + i * 5) % 17).to_string())
            .collect();
        text.push_str(&format!("{},{}\n", px.join(","), i % 3));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    write(path, enc.finish().unwrap());
}
