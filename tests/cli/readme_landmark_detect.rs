//! README ("Predicting with a saved L-GrIN model"): "A landmark CSV's optional header must name
//! its columns in the layout's order, `frame,x0,y0,...,x67,y67` or `x0,y0,...,x67,y67`; another
//! order is an error that names the first column out of place." That holds for the detected
//! layout too (no `--format`, as `train lgrin`, `features`, `eval` and `load_clips(dir, None)`
//! read data): a header naming the landmark columns in another order (all x, then all y) is
//! detected as landmarks and refused by the landmark reader, not read as 137 features with the
//! frame number among them.

use std::path::{Path, PathBuf};

use synchgraph::data::emotion::load_clips;
use synchgraph::data::emotion_features::{extract_all, FeatureSettings};

/// Two class folders of two landmark CSVs each, whose header is
/// `frame,x0,...,x67,y0,...,y67`: the layout's columns, x and y not side by side.
fn grouped_header_clips(dir: &Path) {
    let mut header = vec!["frame".to_string()];
    header.extend((0..68).map(|k| format!("x{k}")));
    header.extend((0..68).map(|k| format!("y{k}")));
    for class in ["calm", "happy"] {
        let folder = dir.join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for clip in 0..2 {
            let mut text = header.join(",") + "\n";
            for frame in 0..6 {
                let mut row = vec![frame.to_string()];
                row.extend((0..136).map(|c| format!("{}", 100.0 + c as f64 + frame as f64 * 0.5)));
                text += &(row.join(",") + "\n");
            }
            std::fs::write(folder.join(format!("{class}{clip}.csv")), text).unwrap();
        }
    }
}

#[test]
fn a_detected_landmark_csv_in_another_order_is_an_error() {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "synchgraph-review3-readme-landmarks-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    grouped_header_clips(&dir);
    let outcome = load_clips(&dir, None).and_then(|list| {
        let format = list.format;
        let mut settings = FeatureSettings::for_format(format, 4);
        extract_all(&list.clips, &mut settings, 1, &|| {})
            .map(|_| format!("read as {format:?}, {} columns per node", settings.dims))
    });
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Ok(read) => panic!("a landmark header in another order was not refused: {read}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("y0") && msg.contains("x1"), "{msg}");
        }
    }
}
