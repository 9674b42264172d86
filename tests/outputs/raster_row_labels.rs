//! `plot::raster_plot` labels its vertical axis with the rows drawn there. Row 0 is drawn at the
//! top, yet the top of the axis was labelled with the row count (say "200"), which reads as the
//! top row being row 200; the top now reads "0" and the bottom the last row, "199".

use synchgraph::report::plot;

/// How many glyphs of text ink (runs of inked columns) the band `ys` holds left of the y axis.
fn glyphs(img: &image::RgbImage, ys: std::ops::Range<u32>) -> usize {
    let inked: Vec<bool> = (0..58)
        .map(|x| ys.clone().any(|y| img.get_pixel(x, y).0 == [20, 20, 20]))
        .collect();
    inked
        .iter()
        .zip(std::iter::once(&false).chain(&inked))
        .filter(|(now, before)| **now && !**before)
        .count()
}

/// The top of the row axis reads "0" (one glyph), its bottom "199" (three glyphs).
#[test]
fn the_row_axis_names_the_first_row_at_the_top_and_the_last_at_the_bottom() {
    let dir = std::env::temp_dir().join(format!("sg-raster-rows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("raster.png");
    plot::raster_plot(&path, "R", &[(0, 1.0), (199, 2.0)], 200, 10.0, 100).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // The 900x540 layout: plot area rows 40..530 - 50 = 490.
    assert_eq!(
        glyphs(&img, 40..47),
        1,
        "the top of the row axis is not labelled 0"
    );
    assert_eq!(
        glyphs(&img, 483..490),
        3,
        "the bottom of the row axis is not labelled 199"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
