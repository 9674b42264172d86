//! Hostile saved models given to `predict` and `eval`: checkpoints whose metadata, tensors or
//! configuration disagree, an `--out` over a model folder, and features that give non-finite
//! probabilities. Every case must end with a non-zero exit status (1 for a run-time error, 2 for
//! a command-line error), no panic or abort, and a message naming the problem, quickly: cases
//! that used to hang run under a time limit.

use crate::common;
use crate::hostile_support::{run, tmp};

use common::cli::{fails_with, lgrin_args, matrix, npy_dataset, s, write};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::features::FrameMatrix;
use synchgraph::report::Checkpoint;

// ---------------------------------------------------------------- saved models

#[test]
fn saved_model_with_inconsistent_metadata_is_refused() {
    let d = tmp("model-meta");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let model = d.join("model");
    let out = run(&lgrin_args(
        s(&data),
        s(&model),
        &["--folds", "2", "--epochs", "1"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = model.join("model.safetensors");
    let original = Checkpoint::load(&path).unwrap();
    let clip = data.join("a/clip0.npy");
    // Each broken checkpoint is saved as the model of its own folder.
    let saved = |name: &str, ck: &Checkpoint| {
        let dir = d.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        ck.save(&dir.join("model.safetensors")).unwrap();
        dir
    };
    let edit = |name: &str, key: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut ck = original.clone();
        let mut v: serde_json::Value = serde_json::from_str(&ck.metadata[key]).unwrap();
        f(&mut v);
        ck.set_meta(key, v.to_string());
        saved(name, &ck)
    };
    // A corrupted weight: refused by name, not a prediction of class 0 with NaN probabilities.
    let mut nan = original.clone();
    nan.tensors.get_mut("classifier1.weight").unwrap().data[3] = f32::NAN;
    // A negative batch-norm variance: refused, not NaN probabilities read as class 0.
    let mut negvar = original.clone();
    negvar.tensors.get_mut("input_bn.running_var").unwrap().data[0] = -1.0;
    // Tensors and metadata that disagree: an extra tensor, a missing one, a wrong name list.
    let mut extra = original.clone();
    extra.insert("bogus.weight", &[2], vec![0.5, 0.5]).unwrap();
    let mut missing = original.clone();
    missing.tensors.remove("psi_p");
    let mut listed = original.clone();
    listed.set_meta("tensor_names", "[\"nothing\"]");
    // A tensor of the right name and the wrong shape.
    let mut shape = original.clone();
    let p = shape.tensors.get_mut("psi_p").unwrap();
    p.shape = vec![1, p.data.len()];
    // A checkpoint of another command's model.
    let mut gcn = Checkpoint::new();
    gcn.set_meta("model", "gcn-graph");
    for (dir, needle) in [
        (
            edit("nodes", "features", &|v| v["nodes"] = 12.into()),
            "12 nodes",
        ),
        (
            edit("dims", "features", &|v| v["dims"] = 20.into()),
            "20 features",
        ),
        (
            edit("kind", "features", &|v| v["kind"] = "foo".into()),
            "unknown feature kind 'foo'",
        ),
        (
            edit("classes", "classes", &|v| v[1] = v[0].clone()),
            "named twice",
        ),
        (
            saved("nan", &nan),
            "tensor 'classifier1.weight' holds a NaN",
        ),
        (saved("gcn", &gcn), "'gcn-graph' model, not an L-GrIN model"),
        (
            saved("negvar", &negvar),
            "tensor 'input_bn.running_var' holds a negative variance",
        ),
        (
            saved("extra", &extra),
            "the file names a tensor 'bogus.weight' that the model does not have",
        ),
        (
            saved("missing", &missing),
            "the file lacks the model's tensor 'psi_p'",
        ),
        (
            saved("listed", &listed),
            "its 'tensor_names' names a tensor 'nothing'",
        ),
        (saved("shape", &shape), "psi_p"),
        (
            edit("window", "features", &|v| {
                v["window_seconds"] = (-1.0).into()
            }),
            "-1 s windows",
        ),
        (
            edit("nclasses", "classes", &|v| {
                v.as_array_mut().unwrap().push("c".into())
            }),
            "3 class names for a 2-class model",
        ),
        // A configuration far larger than the file: refused by its count before the model is
        // built (a million layers would otherwise be allocated until memory runs out).
        (
            edit("layers", "config", &|v| v["layers"] = 1_000_000.into()),
            "more than twice the",
        ),
        (
            edit("widths", "config", &|v| v["g1"] = (u64::MAX / 8).into()),
            "more than usize::MAX trainable values",
        ),
    ] {
        let out = run(&["predict", "--model", s(&dir), s(&clip)]);
        fails_with(&out, &["model.safetensors", needle]);
    }
    // Evaluating into the model folder would overwrite the training metrics.
    let before = std::fs::read(model.join("metrics.json")).unwrap();
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        s(&model),
    ]);
    fails_with(&out, &["--out", "is the --model folder"]);
    assert_eq!(std::fs::read(model.join("metrics.json")).unwrap(), before);
    // Nor into another trained model's folder.
    let other = d.join("nan");
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--out",
        s(&other),
    ]);
    fails_with(&out, &["--out", "holds a trained model"]);
    // Features far outside the trained range give non-finite probabilities: refused by clip,
    // not read as a confident first class (eval once reported 100 % on such clips).
    let huge = d.join("huge");
    write(
        &huge.join("a/clip0.npy"),
        npy_bytes(&FrameMatrix {
            rows: 20,
            cols: 4,
            data: vec![3e38; 80],
        }),
    );
    write(&huge.join("b/clip0.npy"), npy_bytes(&matrix(20, 4, 3)));
    let out = run(&[
        "predict",
        "--model",
        s(&model),
        s(&huge.join("a/clip0.npy")),
    ]);
    fails_with(&out, &["clip 0", "not finite"]);
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&huge),
        "--out",
        s(&d.join("huge-eval")),
    ]);
    fails_with(&out, &["not finite"]);
}
