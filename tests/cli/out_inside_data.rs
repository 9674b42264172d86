//! `train lgrin --out` inside the `--data` folder is refused before anything is written: the
//! output folder would otherwise be made first and then read back as an empty class folder,
//! failing the run with an error about the data and leaving a folder that breaks every later
//! run on that data. `--out` naming the data folder itself stays allowed (its files are not
//! clips), as does a sibling folder whose name starts like the data folder's.

use crate::common;

use common::cli::{fails_with, lgrin_args, npy_dataset, s, scratch, succeeds, synchgraph};

#[test]
fn an_output_folder_inside_the_data_folder_is_refused_before_it_is_made() {
    let d = scratch("clitrain", "out-inside-data");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let extra = ["--folds", "2", "--epochs", "1", "--hidden", "4"];
    for out in [
        data.join("run"),
        data.join("new/nested/run"),
        data.join("a/run"),
        d.join("data/../data/run"),
    ] {
        let o = synchgraph()
            .args(lgrin_args(s(&data), s(&out), &extra))
            .output()
            .unwrap();
        fails_with(&o, &["--out", "is inside the --data folder"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("class folder has no"), "{err}");
        assert!(!out.exists(), "{} was made", out.display());
    }
    assert!(!data.join("new").exists());
    // The data folder is still usable, and a sibling named like it is not inside it.
    let sibling = d.join("data-run");
    let o = synchgraph()
        .args(lgrin_args(s(&data), s(&sibling), &extra))
        .output()
        .unwrap();
    succeeds(&o, "sibling --out");
    assert!(sibling.join("metrics.json").is_file());
}

/// `features --out` and `eval --out` inside the data folder are refused the same way: an export
/// left there would be read back as a class folder of the data on every later run.
#[test]
fn features_and_eval_outputs_inside_the_data_folder_are_refused() {
    let d = scratch("clitrain", "out-inside-data-features-eval");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let out = data.join("export");
    let o = synchgraph()
        .args(["features", "--data", s(&data), "--out", s(&out)])
        .output()
        .unwrap();
    fails_with(&o, &["--out", "is inside the --data folder"]);
    assert!(!out.exists(), "{} was made", out.display());
    let o = synchgraph()
        .args([
            "eval",
            "--model",
            s(&d.join("no-model")),
            "--data",
            s(&data),
            "--out",
            s(&out),
        ])
        .output()
        .unwrap();
    fails_with(&o, &["--out", "is inside the --data folder"]);
    assert!(!out.exists(), "{} was made", out.display());
}
