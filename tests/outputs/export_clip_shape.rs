//! Every clip of a `synchgraph features` export holds exactly the export's node count of rows and
//! its feature width of columns, as `features.json` (`settings.nodes`, `settings.dims`) and the
//! per-clip `nodes` and `dims` columns of `clips.csv` say. A clip file of another shape (say one
//! copied in from an export of another node count) is refused by `train lgrin`, `features`,
//! `eval` and `predict`, naming the file and both counts, instead of being regrouped to the
//! export's node count; a `clips.csv` whose columns disagree with the export is refused too.

use crate::common;

use std::path::Path;

use common::cli::*;
use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::Error;

/// `synchgraph features --data data --out out --nodes nodes`, which must succeed.
fn export(data: &Path, out: &Path, nodes: &str) {
    let args = [
        "features",
        "--data",
        s(data),
        "--out",
        s(out),
        "--nodes",
        nodes,
    ];
    succeeds(&run_for(&args, &[], 60), "features");
}

/// Replace line `line` (0 is the header) of the export's `clips.csv` by `f` of it.
fn edit_clip_list(export: &Path, line: usize, f: impl Fn(&str) -> String) {
    let path = export.join("clips.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(k, l)| if k == line { f(l) } else { l.to_string() })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_clip_copied_from_an_export_of_another_node_count_is_refused_everywhere() {
    let d = scratch("export-rows", "copied");
    let data = d.join("data");
    npy_dataset(&data, 3, 3);
    let (x4, x6, model) = (d.join("x4"), d.join("x6"), d.join("model"));
    let (m2, again, ev) = (d.join("m2"), d.join("again"), d.join("ev"));
    export(&data, &x4, "4");
    export(&data, &x6, "6");
    let train = lgrin_args(
        s(&x4),
        s(&model),
        &["--folds", "3", "--epochs", "1", "--hidden", "8"],
    );
    succeeds(&run_for(&train, &[], 120), "train lgrin on the export");

    // The 6-node matrix of a/clip1 replaces the export's 4-node one; clips.csv is unchanged.
    std::fs::copy(x6.join("a/clip1.npy"), x4.join("a/clip1.npy")).unwrap();
    let needles = ["clip1.npy", "6 rows", "4 nodes", "export"];
    let retrain = lgrin_args(s(&x4), s(&m2), &["--folds", "3", "--epochs", "1"]);
    fails_with(&run_for(&retrain, &[], 120), &needles);
    let args = ["features", "--data", s(&x4), "--out", s(&again)];
    fails_with(&run_for(&args, &[], 60), &needles);
    let args = [
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&x4),
        "--out",
        s(&ev),
    ];
    fails_with(&run_for(&args, &[], 60), &needles);
    for input in [x4.join("a/clip1.npy"), x4.join("a")] {
        let args = ["predict", "--model", s(&model), s(&input)];
        fails_with(&run_for(&args, &[], 60), &needles);
    }
    // The export's own clips are still labelled.
    let intact = x4.join("b");
    let args = ["predict", "--model", s(&model), s(&intact)];
    succeeds(
        &run_for(&args, &[], 60),
        "predict on the intact class folder",
    );

    // A matrix with the export's node count but another width is named as the odd one, even
    // when it is the first clip.
    write(&x4.join("a/clip1.npy"), npy_bytes(&matrix(4, 3, 1)));
    write(&x4.join("a/clip0.npy"), npy_bytes(&matrix(4, 5, 1)));
    let args = ["features", "--data", s(&x4), "--out", s(&again)];
    fails_with(&run_for(&args, &[], 60), &["a/clip0.npy", "5 columns", "3"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_clip_list_whose_node_or_width_column_disagrees_with_the_export_is_refused() {
    let d = scratch("export-rows", "columns");
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let (x, m) = (d.join("x"), d.join("m"));
    export(&data, &x, "4");
    let header = std::fs::read_to_string(x.join("clips.csv")).unwrap();
    assert!(
        header.starts_with("file,class,speaker,nodes,dims\n"),
        "{header}"
    );
    assert!(load_clips(&x, Some(DatasetFormat::Features)).is_ok());

    // The line of b/clip0 (after a/clip0 and a/clip1) edited as another export would have it.
    for (nodes, dims, needles) in [
        ("6", "3", ["b/clip0.npy", "nodes 6", "4"]),
        ("4", "7", ["b/clip0.npy", "dims 7", "3"]),
        ("x", "3", ["b/clip0.npy", "'x'", "nodes"]),
    ] {
        edit_clip_list(&x, 3, |l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{nodes},{dims}", f[0], f[1], f[2])
        });
        let e = load_clips(&x, Some(DatasetFormat::Features)).unwrap_err();
        assert!(matches!(e, Error::Data { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains("clips.csv"), "{text}");
        for n in needles {
            assert!(text.contains(n), "'{n}' missing from: {text}");
        }
        let args = lgrin_args(s(&x), s(&m), &["--folds", "2", "--epochs", "1"]);
        fails_with(&run_for(&args, &[], 60), &["clips.csv", "b/clip0.npy"]);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_edited_index_or_a_clip_listed_twice_is_refused() {
    let d = scratch("export-rows", "edited");
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let (x, m) = (d.join("x"), d.join("m"));
    export(&data, &x, "4");
    let (index, list) = (x.join("features.json"), x.join("clips.csv"));
    let original = std::fs::read_to_string(&index).unwrap();
    let original_list = std::fs::read_to_string(&list).unwrap();
    let with = |key: &str, v: serde_json::Value| {
        let mut meta: serde_json::Value = serde_json::from_str(&original).unwrap();
        meta["settings"][key] = v;
        std::fs::write(&index, meta.to_string()).unwrap();
    };
    let train = lgrin_args(s(&x), s(&m), &["--folds", "2", "--epochs", "1"]);
    let train: Vec<&str> = train.into_iter().take_while(|&a| a != "--nodes").collect();

    // `settings.nodes` edited from 4 to 8: the clip list says otherwise.
    with("nodes", 8.into());
    let e = load_clips(&x, Some(DatasetFormat::Features)).unwrap_err();
    let text = e.to_string();
    for n in [
        "clips.csv",
        "a/clip0.npy",
        "nodes 4",
        "says 8",
        "features.json",
    ] {
        assert!(text.contains(n), "'{n}' missing from: {text}");
    }
    // With a clip list that gives no shapes, the 4-row matrices are refused, not regrouped
    // to 8 nodes.
    let bare: String = original_list
        .lines()
        .map(|l| l.split(',').next().unwrap().to_string() + "\n")
        .collect();
    std::fs::write(&list, bare).unwrap();
    assert!(load_clips(&x, Some(DatasetFormat::Features)).is_ok());
    fails_with(
        &run_for(&train, &[], 60),
        &["a/clip0.npy", "4 rows", "8 nodes", "features.json"],
    );

    // A width that is no width names the index.
    with("nodes", 4.into());
    with("dims", "x".into());
    fails_with(
        &run_for(&train, &[], 60),
        &["features.json", "'settings.dims' is \"x\""],
    );
    std::fs::write(&index, &original).unwrap();
    std::fs::write(&list, &original_list).unwrap();
    succeeds(
        &run_for(&train, &[], 60),
        "train lgrin on the restored export",
    );

    // A clip listed twice, the second time spelled another way.
    std::fs::write(&list, original_list.clone() + "a/./clip0.npy,a,,4,3\n").unwrap();
    let e = load_clips(&x, Some(DatasetFormat::Features)).unwrap_err();
    assert!(
        e.to_string().contains("lists the clip a/./clip0.npy twice"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
