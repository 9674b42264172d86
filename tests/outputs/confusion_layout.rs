//! `plot::confusion_plot` lays out its text whatever the class count: with one or two classes
//! the figure is still wide enough for the title and the "ROWS TRUE, COLUMNS PREDICTED" footer
//! (they used to be cut off at the right edge), and with cells too small for row labels no
//! margin is kept for the labels that are left out.

use std::path::{Path, PathBuf};

use synchgraph::report::{plot, Confusion};

/// Text colour of the figures (`BLACK` in src/report/plot/mod.rs).
const INK: [u8; 3] = [20, 20, 20];

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-confusion-layout-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Which pixels of the `w` x `h` box at (x, y) hold text ink; pixels outside the image count
/// as blank.
fn ink(path: &Path, (x, y): (u32, u32), (w, h): (u32, u32), from_bottom: bool) -> Vec<bool> {
    let img = image::open(path).unwrap().to_rgb8();
    let y = if from_bottom { img.height() - y } else { y };
    (y..y + h)
        .flat_map(|py| (x..x + w).map(move |px| (px, py)))
        .map(|(px, py)| px < img.width() && py < img.height() && img.get_pixel(px, py).0 == INK)
        .collect()
}

fn plot_of(k: usize, name: &str) -> PathBuf {
    let labels: Vec<u32> = (0..k as u32).collect();
    let conf = Confusion::new(k, &labels, &labels).unwrap();
    let names: Vec<String> = (0..k)
        .map(|i| char::from(b'a' + i as u8).to_string())
        .collect();
    let path = scratch(name);
    plot::confusion_plot(&path, "confusion (test)", &conf, &names).unwrap();
    path
}

#[test]
fn one_or_two_classes_keep_the_title_and_footer_whole() {
    // Three one-letter classes give a figure wide enough for both texts; fewer classes must
    // draw the same ink. The footer starts at the grid's left edge (22 px: one letter + 16)
    // and is 28 glyphs of 6 px; the title starts at x = 6 and is 16 glyphs of 12 px.
    let reference = plot_of(3, "three.png");
    let footer = |p: &Path| ink(p, (22, 24), (28 * 6 + 10, 7), true);
    let title = |p: &Path| ink(p, (6, 12), (16 * 12 + 10, 14), false);
    assert!(footer(&reference).iter().any(|&b| b), "no footer found");
    assert!(title(&reference).iter().any(|&b| b), "no title found");
    for k in [1, 2] {
        let path = plot_of(k, &format!("k{k}.png"));
        let (w, _) = image::image_dimensions(&path).unwrap();
        assert!(
            footer(&path) == footer(&reference),
            "{k} classes, {w} px wide: footer cut off"
        );
        assert!(
            title(&path) == title(&reference),
            "{k} classes, {w} px wide: title cut off"
        );
    }
}

#[test]
fn no_margin_is_kept_for_row_labels_that_are_not_drawn() {
    // 200 classes get 6 px cells, too small for the 7 px font: the row labels are left out,
    // so their 40-character names must not widen the figure by 256 px of blank margin.
    let k = 200;
    let labels: Vec<u32> = (0..k as u32).collect();
    let conf = Confusion::new(k, &labels, &labels).unwrap();
    let names: Vec<String> = (0..k).map(|i| format!("{i:0>40}")).collect();
    let path = scratch("many.png");
    plot::confusion_plot(&path, "MANY", &conf, &names).unwrap();
    let (w, _) = image::image_dimensions(&path).unwrap();
    assert!(
        w <= 16 + k as u32 * 6 + 20,
        "{k} classes gave a {w} px wide figure"
    );
}
