//! `eval` whose data cannot be scored (a missing folder, a class the model does not know, a
//! clip that cannot be read) fails naming the problem and leaves no `--out` folder that it made
//! (nor the parents it made for it); an `--out` that existed before is kept. A class the model
//! does not know is refused from the clip list, before any feature is extracted.

use crate::common;

use common::cli::{fails_with, npy_dataset, run_for, s, scratch, succeeds, tiny_npy_model, write};

fn eval(
    model: &std::path::Path,
    data: &std::path::Path,
    out: &std::path::Path,
) -> std::process::Output {
    run_for(
        &[
            "eval",
            "--model",
            s(model),
            "--data",
            s(data),
            "--out",
            s(out),
        ],
        &[],
        60,
    )
}

#[test]
fn a_failed_eval_leaves_no_out_folder_it_made() {
    let d = scratch("cli-eval-failed", "leftover");
    let model = tiny_npy_model(&d);
    let new = d.join("new");
    let out = new.join("scores");

    // A data folder that does not exist.
    let o = eval(&model, &d.join("no-such-data"), &out);
    fails_with(&o, &["no-such-data"]);
    assert!(!new.exists(), "eval left {} behind", new.display());

    // A clip that cannot be read.
    let broken = d.join("broken");
    npy_dataset(&broken, 1, 3);
    write(&broken.join("b/clip0.npy"), b"not an npy file");
    let o = eval(&model, &broken, &out);
    fails_with(&o, &["clip0.npy"]);
    assert!(!new.exists(), "eval left {} behind", new.display());

    // A class the model was not trained on.
    let extra = d.join("extra");
    npy_dataset(&extra, 1, 3);
    std::fs::rename(extra.join("b"), extra.join("c")).unwrap();
    let o = eval(&model, &extra, &out);
    fails_with(&o, &["class 'c'", "not one of the model's classes (a, b)"]);
    assert!(!new.exists(), "eval left {} behind", new.display());

    // An --out folder that was there before stays, with what it held.
    std::fs::create_dir_all(&out).unwrap();
    write(&out.join("notes.txt"), b"kept");
    let o = eval(&model, &broken, &out);
    fails_with(&o, &["clip0.npy"]);
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"kept");
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    let o = eval(&model, &broken, &out);
    fails_with(&o, &["clip0.npy"]);
    assert!(out.is_dir(), "eval removed the existing {}", out.display());

    // The same model and folder score readable data.
    let o = eval(&model, &d.join("data"), &out);
    succeeds(&o, "eval");
    assert!(out.join("metrics.json").is_file());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_class_the_model_lacks_is_refused_before_features_are_extracted() {
    let d = scratch("cli-eval-failed", "unknown-class");
    let model = tiny_npy_model(&d);
    // The unknown class's clip cannot be read: the class is named, not the clip, since the
    // class list is checked first.
    let extra = d.join("extra");
    npy_dataset(&extra, 1, 3);
    write(&extra.join("c/clip0.npy"), b"not an npy file");
    let o = eval(&model, &extra, &d.join("scores"));
    fails_with(&o, &["class 'c'", "not one of the model's classes (a, b)"]);
    let _ = std::fs::remove_dir_all(&d);
}
