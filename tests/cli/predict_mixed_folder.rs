//! `synchgraph predict FOLDER` labels the files of the folder that the model's feature kind
//! reads: a BVH file beside the `.npy` clips of a feature-matrix model (or a WAV beside the
//! BVH clips of a motion model) is no clip of that model and is skipped, where it once failed the
//! whole folder on a file the model could never have taken. A file named on its own is still
//! read, and refused by name.

use crate::common;

use common::cli::*;
use synchgraph::data::emotion_features::npy_bytes;

#[test]
fn a_folder_of_mixed_modalities_labels_the_clips_of_the_models_kind() {
    let d = scratch("review4-predict", "mixed");
    let model = tiny_npy_model(&d);

    let mixed = d.join("mixed");
    write(&mixed.join("clip0.npy"), npy_bytes(&matrix(20, 3, 1)));
    write(&mixed.join("clip1.npy"), npy_bytes(&matrix(20, 3, 2)));
    write(&mixed.join("motion.bvh"), b"HIERARCHY\nROOT Hips\n");
    write(&mixed.join("notes.txt"), b"session notes");
    let out = run_for(&["predict", "--model", s(&model), s(&mixed)], &[], 60);
    succeeds(&out, "predict on a mixed folder");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let paths: Vec<&str> = stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{stdout}");
    assert!(paths.iter().all(|p| p.ends_with(".npy")), "{stdout}");

    // Named on its own, the BVH file is read and refused by name.
    let out = run_for(
        &[
            "predict",
            "--model",
            s(&model),
            s(&mixed.join("motion.bvh")),
        ],
        &[],
        60,
    );
    fails_with(&out, &["motion.bvh"]);
}

#[test]
fn a_clip_that_cannot_be_scored_is_named_by_its_file() {
    let d = scratch("review4-predict", "huge");
    let model = tiny_npy_model(&d);
    // Features far outside the trained range: finite (their node means too), but the
    // probabilities are not.
    let huge = synchgraph::features::FrameMatrix {
        rows: 20,
        cols: 3,
        data: vec![6e37; 60],
    };
    let clips = d.join("clips");
    write(&clips.join("a/good.npy"), npy_bytes(&matrix(20, 3, 1)));
    write(&clips.join("b/far.npy"), npy_bytes(&huge));
    let out = run_for(
        &["predict", "--model", s(&model), s(&clips.join("b"))],
        &[],
        60,
    );
    fails_with(&out, &["far.npy", "probabilities are not finite"]);
    let out = run_for(
        &[
            "eval",
            "--model",
            s(&model),
            "--data",
            s(&clips),
            "--out",
            s(&d.join("eval")),
        ],
        &[],
        60,
    );
    fails_with(&out, &["far.npy", "probabilities are not finite"]);
}
