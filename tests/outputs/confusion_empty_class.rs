//! A class with no test clips has no recall (`None` per class, `null` in metrics files, left
//! out of the unweighted accuracy); the confusion plot must not paint its row as a recall of 0,
//! which is what a class whose every clip was misclassified looks like.

use std::path::PathBuf;

use synchgraph::report::{plot, Confusion};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-confusion-empty-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn metrics_skip_a_class_without_clips() {
    // Class 0: 2 clips, both called 1 (recall 0); class 1: 1 clip, right; class 2: none.
    let c = Confusion::new(3, &[1, 1, 1], &[0, 0, 1]).unwrap();
    assert_eq!(c.per_class_recall(), vec![Some(0.0), Some(1.0), None]);
    // The plain mean over the classes that have clips.
    assert!((c.unweighted_accuracy() - (0.0 + 1.0) / 2.0).abs() < 1e-12);
    assert!((c.accuracy() - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn a_class_without_clips_is_not_drawn_as_a_recall_of_zero() {
    let c = Confusion::new(3, &[1, 1, 1], &[0, 0, 1]).unwrap();
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let path = scratch("empty-class.png");
    plot::confusion_plot(&path, "t", &c, &names).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // Three classes: 56 px cells; row labels one glyph wide give a 6 + 16 px margin, and the
    // grid starts 60 px down. A cell's top-left corner is clear of its centred count.
    let cell = |r: u32, col: u32| *img.get_pixel(22 + col * 56 + 1, 60 + r * 56 + 1);
    assert_eq!(cell(0, 0), plot::colormap(0.0), "recall 0 of class a");
    assert_eq!(cell(1, 1), plot::colormap(1.0), "recall 1 of class b");
    for col in 0..3 {
        assert_ne!(
            cell(2, col),
            plot::colormap(0.0),
            "class c has no clips, its cell {col} reads as a rate of 0"
        );
        assert_eq!(cell(2, col), plot::NON_FINITE, "cell {col} of class c");
    }
}
