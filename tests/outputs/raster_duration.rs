//! The end of a spike raster's time axis reads its duration however short or fractional it is.
//! It was drawn as `{duration:.0} MS`, so a 0.5 ms raster read "0 MS" (as if it spanned no time)
//! and 2.5 ms read "2 MS"; durations under 1 ms now read in microseconds and fractions keep
//! their digits.

use synchgraph::report::plot;

/// The pixels of the band below the time axis (the 900x540 layout: axis at y 490, labels from
/// 498, 7 px high) of a raster with no spikes over `duration_ms`.
fn end_label(duration_ms: f32) -> Vec<[u8; 3]> {
    let dir = std::env::temp_dir().join(format!("sg-raster-duration-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("raster-{}.png", duration_ms.to_bits()));
    plot::raster_plot(&path, "R", &[], 2, duration_ms, 1).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    let _ = std::fs::remove_file(&path);
    (498..505)
        .flat_map(|y| (100..900).map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect()
}

/// Different short or fractional durations give different labels on the figure.
#[test]
fn sub_millisecond_and_fractional_durations_are_told_apart_on_the_figure() {
    let durations = [0.25, 0.5, 0.75, 2.0, 2.5];
    let labels: Vec<_> = durations.iter().map(|&d| end_label(d)).collect();
    for i in 0..durations.len() {
        for j in i + 1..durations.len() {
            assert_ne!(
                labels[i], labels[j],
                "{} ms and {} ms are labelled alike",
                durations[i], durations[j]
            );
        }
    }
}

/// The label text: milliseconds from 1 ms (up to four significant digits, no trailing zeros),
/// microseconds below, and scientific notation below a microsecond.
#[test]
fn the_duration_label_reads_in_milliseconds_or_microseconds() {
    for (ms, want) in [
        (1000.0, "1000 MS"),
        (250.0, "250 MS"),
        (2.5, "2.5 MS"),
        (1.0, "1 MS"),
        (12.345, "12.35 MS"),
        (0.5, "500 US"),
        (0.0125, "12.5 US"),
        (0.001, "1 US"),
        (0.0005, "5.0E-4 MS"),
    ] {
        assert_eq!(plot::duration_label(ms), want, "{ms} ms");
    }
}
