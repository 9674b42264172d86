//! WAV reading, FFT and MFCC tests (no GPU needed).

use synchgraph::features::fft::{dft_naive, Complex, FftPlan};
use synchgraph::features::mfcc::{mfcc, MfccConfig};
use synchgraph::features::wav::{read_wav, read_wav_for_frames, Audio};
use synchgraph::Error;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/fixtures")
        .join(name)
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-wav-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn write_wav(path: &std::path::Path, spec: hound::WavSpec, frames: &[Vec<f64>]) {
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for f in frames {
        for &v in f {
            match spec.sample_format {
                hound::SampleFormat::Float => w.write_sample(v as f32).unwrap(),
                hound::SampleFormat::Int => {
                    let full = (1i64 << (spec.bits_per_sample - 1)) as f64;
                    let q = (v * full).round().clamp(-full, full - 1.0) as i32;
                    if spec.bits_per_sample == 8 {
                        w.write_sample(q as i8).unwrap()
                    } else {
                        w.write_sample(q).unwrap()
                    }
                }
            }
        }
    }
    w.finalize().unwrap();
}

fn spec(channels: u16, rate: u32, bits: u16, float: bool) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    }
}

#[test]
fn wav_all_depths_and_stereo_mixdown() {
    let n = 300;
    let sig: Vec<f64> = (0..n).map(|i| 0.5 * (i as f64 * 0.05).sin()).collect();
    for (bits, float, tol) in [
        (8, false, 1.0 / 64.0),
        (16, false, 1e-4),
        (24, false, 1e-6),
        (32, false, 1e-6),
        (32, true, 1e-6),
    ] {
        for rate in [8000u32, 44100] {
            let p = tmp(&format!("s{bits}{float}{rate}.wav"));
            let frames: Vec<Vec<f64>> = sig.iter().map(|&v| vec![v + 0.2, v - 0.2]).collect();
            write_wav(&p, spec(2, rate, bits, float), &frames);
            let a = read_wav(&p).unwrap();
            assert_eq!(a.sample_rate, rate);
            assert_eq!(a.samples.len(), n);
            for (x, y) in a.samples.iter().zip(&sig) {
                assert!(
                    (*x as f64 - y).abs() <= tol,
                    "bits {bits} float {float}: {x} vs {y}"
                );
                assert!((-1.0..=1.0).contains(x));
            }
        }
    }
    let p = tmp("full.wav");
    write_wav(&p, spec(1, 16000, 16, false), &[vec![-1.0], vec![0.99996]]);
    let a = read_wav(&p).unwrap();
    assert_eq!(a.samples[0], -1.0);
}

#[test]
fn wav_errors() {
    let empty = tmp("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(read_wav(&empty), Err(Error::Empty { .. })));

    let nodata = tmp("nodata.wav");
    write_wav(&nodata, spec(1, 16000, 16, false), &[]);
    assert!(matches!(read_wav(&nodata), Err(Error::Empty { .. })));

    let full = tmp("trunc_src.wav");
    let frames: Vec<Vec<f64>> = (0..1000)
        .map(|i| vec![(i as f64 * 0.01).sin() * 0.3])
        .collect();
    write_wav(&full, spec(1, 16000, 16, false), &frames);
    let bytes = std::fs::read(&full).unwrap();
    let cut = tmp("trunc.wav");
    std::fs::write(&cut, &bytes[..bytes.len() - 501]).unwrap();
    let e = read_wav(&cut).unwrap_err();
    assert!(matches!(e, Error::Truncated { .. }), "{e}");
    let cut_header = tmp("trunc_header.wav");
    std::fs::write(&cut_header, &bytes[..30]).unwrap();
    let e = read_wav(&cut_header).unwrap_err();
    assert!(
        matches!(e, Error::Truncated { .. } | Error::UnsupportedFormat { .. }),
        "{e}"
    );

    // format tag 2 = Microsoft ADPCM
    let mut adpcm = bytes.clone();
    adpcm[20] = 2;
    let p = tmp("adpcm.wav");
    std::fs::write(&p, &adpcm).unwrap();
    let e = read_wav(&p).unwrap_err();
    assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
    assert!(e.to_string().contains("adpcm.wav"));

    let p = tmp("text.wav");
    std::fs::write(&p, b"this is not a wav file at all, just some text").unwrap();
    assert!(matches!(read_wav(&p), Err(Error::UnsupportedFormat { .. })));

    let short = tmp("short.wav");
    write_wav(&short, spec(1, 16000, 16, false), &frames[..100]);
    let e = read_wav_for_frames(&short, 0.025).unwrap_err();
    assert!(
        matches!(
            e,
            Error::TooShort {
                samples: 100,
                needed: 400,
                ..
            }
        ),
        "{e}"
    );
    let a = read_wav(&short).unwrap();
    assert!(matches!(
        mfcc(&a, &MfccConfig::default()),
        Err(Error::TooShort { .. })
    ));
}

/// A mono WAVE_FORMAT_EXTENSIBLE (PCM sub-format) file with `valid` bits in `container`-bit
/// words; `words` are the stored little-endian sample words.
fn extensible_wav(container: u16, valid: u16, words: &[u32]) -> Vec<u8> {
    let bytes = (container / 8) as usize;
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&0xFFFEu16.to_le_bytes()); // WAVE_FORMAT_EXTENSIBLE
    fmt.extend_from_slice(&1u16.to_le_bytes()); // channels
    fmt.extend_from_slice(&16000u32.to_le_bytes());
    fmt.extend_from_slice(&(16000 * bytes as u32).to_le_bytes());
    fmt.extend_from_slice(&(bytes as u16).to_le_bytes()); // block align
    fmt.extend_from_slice(&container.to_le_bytes());
    fmt.extend_from_slice(&22u16.to_le_bytes()); // extension size
    fmt.extend_from_slice(&valid.to_le_bytes());
    fmt.extend_from_slice(&4u32.to_le_bytes()); // channel mask: front centre
                                                // KSDATAFORMAT_SUBTYPE_PCM
    fmt.extend_from_slice(&[
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B,
        0x71,
    ]);
    let data: Vec<u8> = words
        .iter()
        .flat_map(|w| w.to_le_bytes()[..bytes].to_vec())
        .collect();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + 8 + fmt.len() + 8 + data.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(&fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

#[test]
fn padded_sample_containers_are_refused_and_extensible_pcm_reads() {
    // 24 valid bits in 32-bit words: the format puts them at the top of the word, and reading
    // the bottom gave noise, so such a file is refused by name rather than guessed at.
    let half = 1u32 << 22; // 0.5 as a 24-bit sample
    let p = tmp("ext24in32.wav");
    std::fs::write(
        &p,
        extensible_wav(32, 24, &[half << 8, 0, (!half + 1) << 8]),
    )
    .unwrap();
    let e = read_wav(&p).unwrap_err();
    assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("24-bit samples stored in 32-bit containers")
            && e.to_string().contains("ext24in32.wav"),
        "{e}"
    );
    // The same extensible header with full words reads as plain PCM.
    let p = tmp("ext24in24.wav");
    std::fs::write(
        &p,
        extensible_wav(24, 24, &[half, 0, (!half + 1) & 0xFF_FFFF]),
    )
    .unwrap();
    assert_eq!(read_wav(&p).unwrap().samples, vec![0.5, 0.0, -0.5]);
    let p = tmp("ext32in32.wav");
    std::fs::write(
        &p,
        extensible_wav(32, 32, &[1 << 30, 0, (!(1u32 << 30)) + 1]),
    )
    .unwrap();
    assert_eq!(read_wav(&p).unwrap().samples, vec![0.5, 0.0, -0.5]);
}

#[test]
fn float_wav_with_a_nan_or_infinite_sample_is_refused() {
    // Stereo float WAV; frame 3, channel 1 holds the bad value. Clipping to [-1, 1] would turn
    // infinity into a full-scale sample and keep NaN, so both must be refused, naming the file
    // and the sample.
    for (bad, shown) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        let p = tmp(&format!("bad_float_{shown}.wav"));
        let mut frames: Vec<Vec<f64>> = (0..8).map(|i| vec![0.1 * i as f64, -0.2]).collect();
        frames[3][1] = bad;
        write_wav(&p, spec(2, 16000, 32, true), &frames);
        let e = read_wav(&p).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Data { .. }), "{msg}");
        for part in [
            &format!("bad_float_{shown}.wav"),
            "sample 3 of channel 1",
            &format!("is {shown} "),
        ] {
            assert!(msg.contains(part), "{msg} lacks {part}");
        }
    }
    // Finite samples beyond full scale are clipped, not refused.
    let p = tmp("loud_float.wav");
    write_wav(
        &p,
        spec(1, 16000, 32, true),
        &[vec![1.5], vec![-2.0], vec![0.25]],
    );
    assert_eq!(read_wav(&p).unwrap().samples, vec![1.0, -1.0, 0.25]);
}

#[test]
fn fft_matches_naive_dft() {
    for n in [1usize, 2, 8, 64, 512, 3, 5, 12, 100, 551] {
        let x: Vec<Complex> = (0..n)
            .map(|i| Complex::new((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
            .collect();
        let want = dft_naive(&x);
        let mut got = x.clone();
        FftPlan::new(n).forward(&mut got);
        for (a, b) in got.iter().zip(&want) {
            assert!(
                (a.re - b.re).abs() < 1e-8 * n as f64 && (a.im - b.im).abs() < 1e-8 * n as f64,
                "n {n}"
            );
        }
    }
}

fn read_csv(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

fn check_against(audio: &Audio, cfg: &MfccConfig, csv: &str) {
    let want = read_csv(csv);
    let got = mfcc(audio, cfg).unwrap();
    assert_eq!(got.rows, want.len());
    assert_eq!(got.cols, 13);
    let mut worst = 0.0f64;
    for (r, row) in want.iter().enumerate() {
        for (c, w) in row.iter().enumerate() {
            let g = got.get(r, c) as f64;
            let err = (g - w).abs() / (1.0 + w.abs());
            worst = worst.max(err);
            assert!(err < 1e-6, "frame {r} coef {c}: {g} vs {w}");
        }
    }
    eprintln!("{csv}: worst relative error {worst:e}");
}

#[test]
fn mfcc_matches_python_speech_features() {
    let audio = read_wav(fixture("fsdd_3_jackson_0_cut.wav")).unwrap();
    let cfg = MfccConfig {
        nfft: Some(512),
        ..MfccConfig::default()
    };
    check_against(&audio, &cfg, "mfcc_fsdd_3_jackson_0_cut.csv");
    let cfg2 = MfccConfig {
        ceplifter: 0.0,
        append_energy: false,
        ..cfg
    };
    check_against(
        &audio,
        &cfg2,
        "mfcc_fsdd_3_jackson_0_cut_noenergy_nolifter.csv",
    );
}
