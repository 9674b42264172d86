//! `synchgraph predict` on the files of a `synchgraph features` export: a clip named by a
//! relative path from inside the export's class folder (`clip0.npy`, `.`) is checked against the
//! export's node count and normalisation exactly as the same clip named from outside (it was
//! once taken for a plain feature file: a wrong node count was regrouped and a normalised export
//! normalised twice, silently), and the export's top folder, whose only file is its clip list,
//! is refused with a pointer to its class folders instead of reading `clips.csv` as a clip.
//! Hidden files of a folder (`._clip.npy`) are skipped, as `train` and `eval` skip them.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::cli::*;
use synchgraph::data::emotion_features::npy_bytes;

/// `predict --model <model> <input>` run in the folder `cwd`.
fn predict_in(cwd: &Path, model: &Path, input: &str) -> Output {
    synchgraph()
        .current_dir(cwd)
        .args(["predict", "--model", s(model), input])
        .output()
        .unwrap()
}

/// The label and probability columns of each output line, in order (the path column apart).
fn answers(out: &Output) -> Vec<String> {
    succeeds(out, "predict");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').skip(1).collect::<Vec<_>>().join("\t"))
        .collect()
}

#[test]
fn export_clips_named_from_inside_their_class_folder_are_checked_as_exports() {
    let d = scratch("review3-predict", "relative");
    let data = d.join("data");
    npy_dataset(&data, 3, 3);
    // A speaker-normalised export of 4 nodes, a model trained on it, and an export of 3 nodes.
    let export = d.join("export4");
    let model = d.join("model");
    let export3 = d.join("export3");
    for (nodes, out, norm) in [("4", &export, "speaker"), ("3", &export3, "none")] {
        let args = [
            "features",
            "--data",
            s(&data),
            "--nodes",
            nodes,
            "--normalize",
            norm,
            "--out",
            s(out),
        ];
        succeeds(&run_for(&args, &[], 60), "features");
    }
    let train = lgrin_args(
        s(&export),
        s(&model),
        &["--folds", "2", "--epochs", "1", "--hidden", "8"],
    );
    let train: Vec<&str> = train.into_iter().take_while(|&a| a != "--nodes").collect();
    succeeds(&run_for(&train, &[], 120), "train lgrin");

    // The normalised export's clips reach the model as they are, however they are named.
    let outside = answers(&predict_in(&d, &model, "export4/a"));
    assert_eq!(outside.len(), 3);
    let class_folder = export.join("a");
    assert_eq!(answers(&predict_in(&class_folder, &model, ".")), outside);
    assert_eq!(
        answers(&predict_in(&class_folder, &model, "clip0.npy")),
        outside[..1]
    );

    // An export of another node count is refused from inside its class folder too.
    let out = predict_in(&export3.join("a"), &model, "clip0.npy");
    fails_with(&out, &["exported with 3 nodes per clip; the model takes 4"]);
    let out = predict_in(&export3.join("a"), &model, ".");
    fails_with(&out, &["exported with 3 nodes per clip; the model takes 4"]);
}

#[test]
fn the_top_folder_of_an_export_points_to_its_class_folders_and_hidden_files_are_skipped() {
    let d = scratch("review3-predict", "top");
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let export = d.join("export");
    let model = d.join("model");
    let args = [
        "features",
        "--data",
        s(&data),
        "--nodes",
        "4",
        "--out",
        s(&export),
    ];
    succeeds(&run_for(&args, &[], 60), "features");
    let train = lgrin_args(
        s(&data),
        s(&model),
        &["--folds", "2", "--epochs", "1", "--hidden", "8"],
    );
    succeeds(&run_for(&train, &[], 120), "train lgrin");
    let out = run_for(&["predict", "--model", s(&model), s(&export)], &[], 60);
    fails_with(
        &out,
        &["is a `synchgraph features` export", "class folders"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("clips.csv line"), "{err}");
    // Its class folders are labelled as before.
    let out = run_for(
        &["predict", "--model", s(&model), s(&export.join("a"))],
        &[],
        60,
    );
    assert_eq!(answers(&out).len(), 2);

    // Hidden files (a macOS `._` resource fork beside its clip) are no clips, as in `eval`.
    let hidden = d.join("hidden");
    write(&hidden.join("clip0.npy"), npy_bytes(&matrix(20, 3, 1)));
    write(&hidden.join("._clip0.npy"), b"\0\x05\x16\x07 not a clip");
    let out = run_for(&["predict", "--model", s(&model), s(&hidden)], &[], 60);
    assert_eq!(answers(&out).len(), 1);
}
