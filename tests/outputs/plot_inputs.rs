//! Figure inputs at the edges: an infinite raster duration is refused, a tick at zero is
//! labelled as zero (not as the rounding residue of its arithmetic), and a confusion matrix of
//! very many classes gives a figure of bounded size.

use std::path::PathBuf;

use synchgraph::report::{plot, Confusion};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-plot-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn a_raster_of_infinite_duration_is_refused() {
    let path = scratch("raster.png");
    for duration in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0] {
        let r = plot::raster_plot(&path, "SPIKES", &[(0, 1.0)], 2, duration, 1);
        assert!(r.is_err(), "duration {duration} was accepted");
    }
    plot::raster_plot(&path, "SPIKES", &[(0, 1.0)], 2, 10.0, 1).unwrap();
}

/// The pixels of the tick labels left of the y axis (x < 80) in the row band of tick `k`
/// (0 at the bottom), in the 800x500 layout of `plot::line_plot` (plot area rows 40..450).
fn tick_label(path: &std::path::Path, k: u32) -> Vec<[u8; 3]> {
    let img = image::open(path).unwrap().to_rgb8();
    let y = 450 - 410 * k / 4;
    (y - 4..y + 6)
        .flat_map(|y| (0..78).map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect()
}

#[test]
fn a_tick_at_zero_is_labelled_zero() {
    // Ticks at lo + (hi - lo) * k / 4: for -0.75..0.25 the fourth is exactly 0; for -0.3..0.1
    // (f32 values) it is -1.9e-9, which must read the same.
    let exact = scratch("exact.png");
    plot::line_plot(&exact, "T", "epoch", &[("s", &[-0.75, 0.25])]).unwrap();
    let residue = scratch("residue.png");
    plot::line_plot(&residue, "T", "epoch", &[("s", &[-0.3, 0.1])]).unwrap();
    assert!(
        tick_label(&exact, 3).iter().any(|p| p[0] < 100),
        "no label drawn"
    );
    assert_eq!(
        tick_label(&exact, 3),
        tick_label(&residue, 3),
        "the zero tick of -0.3..0.1 is labelled differently from an exact zero"
    );
}

#[test]
fn a_confusion_plot_of_many_classes_has_a_bounded_size() {
    let k = 60usize;
    let truth: Vec<u32> = (0..k as u32).collect();
    let predicted: Vec<u32> = truth.iter().map(|&t| (t + 1) % k as u32).collect();
    let conf = Confusion::new(k, &predicted, &truth).unwrap();
    let names: Vec<String> = (0..k).map(|i| format!("class {i}")).collect();
    let path = scratch("confusion.png");
    plot::confusion_plot(&path, "MANY", &conf, &names).unwrap();
    let (w, h) = image::image_dimensions(&path).unwrap();
    assert!(w <= 1400 && h <= 1400, "{k} classes gave a {w}x{h} figure");
}

#[test]
fn a_confusion_plot_of_few_classes_keeps_its_layout() {
    let conf = Confusion::new(3, &[0, 1, 2, 2], &[0, 1, 1, 2]).unwrap();
    let names: Vec<String> = ["anger", "fear", "neutral"].map(String::from).to_vec();
    let path = scratch("few.png");
    plot::confusion_plot(&path, "FEW", &conf, &names).unwrap();
    let label_w = 7 * 6 + 16;
    assert_eq!(
        image::image_dimensions(&path).unwrap(),
        (label_w + 3 * 56 + 20, 60 + 3 * 56 + 40)
    );
}
