//! `synchgraph predict` with a face-frame (video) model on a class folder of a `synchgraph
//! features` export: the folder's `.npy` clips are labelled, as they are for every other kind
//! of model and as the message on the export's top folder suggests (the folder used to be
//! refused as holding no frame folders, though each of its files was a clip the model reads),
//! and a `__MACOSX/` folder beside the clips is skipped as the data layouts skip it.

use crate::common;

use crate::features_frame_folders::frame_clips;
use common::cli::*;

#[test]
fn a_video_model_labels_the_clips_of_an_export_class_folder() {
    let d = scratch("predict-video-export", "class-folder");
    let (data, export, model) = (d.join("frames"), d.join("export"), d.join("model"));
    frame_clips(&data, &["clip0", "clip1"]);
    let args = [
        "features",
        "--data",
        s(&data),
        "--nodes",
        "3",
        "--out",
        s(&export),
    ];
    succeeds(&run_for(&args, &[], 120), "features");
    let train = lgrin_args(
        s(&export),
        s(&model),
        &[
            "--folds", "2", "--epochs", "1", "--hidden", "4", "--nodes", "3",
        ],
    );
    succeeds(&run_for(&train, &[], 300), "train lgrin");
    // The export's top folder points to its class folders...
    let top = run_for(&["predict", "--model", s(&model), s(&export)], &[], 120);
    fails_with(&top, &["class folders"]);
    // ... and a class folder labels each of its clips, as each clip named alone is labelled.
    let folder = run_for(
        &["predict", "--model", s(&model), s(&export.join("a"))],
        &[],
        120,
    );
    succeeds(&folder, "predict on an export class folder");
    let lines: Vec<String> = String::from_utf8_lossy(&folder.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (k, line) in lines.iter().enumerate() {
        let clip = export.join(format!("a/clip{k}.npy"));
        assert!(line.starts_with(&format!("{}\t", clip.display())), "{line}");
        let alone = run_for(&["predict", "--model", s(&model), s(&clip)], &[], 120);
        succeeds(&alone, "predict on one export clip");
        assert_eq!(String::from_utf8_lossy(&alone.stdout).trim_end(), line);
    }
    // A `__MACOSX/` folder (AppleDouble copies left by unzipping on macOS) is no clip folder.
    write(
        &export.join("a/__MACOSX/._clip0.npy"),
        b"\0\x05\x16\x07 not a clip",
    );
    let again = run_for(
        &["predict", "--model", s(&model), s(&export.join("a"))],
        &[],
        120,
    );
    succeeds(&again, "predict beside a __MACOSX folder");
    assert_eq!(String::from_utf8_lossy(&again.stdout).lines().count(), 2);
    let _ = std::fs::remove_dir_all(&d);
}
