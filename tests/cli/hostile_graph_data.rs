//! Hostile graph data given to `train gcn`: absurd Planetoid dims headers, a node in two splits,
//! one class, zero epochs or batch size, and fold counts the data cannot take. Every case must
//! end with a non-zero exit status (1 for a run-time error, 2 for a command-line error), no panic
//! or abort, and a message naming the problem, quickly: cases that used to hang run under a time
//! limit.

use crate::common;
use crate::hostile_support::{run, tmp};

use common::cli::{fails_with, run_for, s};
use common::fixtures::{
    planetoid_files as planetoid, tu_pairs as tu, PLANETOID_EDGES as EDGES,
    PLANETOID_NODES as NODES, PLANETOID_SPLIT as SPLIT,
};

// ---------------------------------------------------------------- train gcn

#[test]
fn planetoid_with_an_absurd_dims_header_is_refused() {
    let d = tmp("planetoid-dims");
    // 6 x 1e14 values cannot be held at all; 6 x 1e8 can, but the first weight matrix
    // [1e8, 16] is over every device's binding limit.
    for (name, dims, needle) in [
        ("huge", "100000000000000", "dims"),
        ("big", "100000000", "over this device's limit"),
    ] {
        let data = d.join(name);
        planetoid(&data, &format!("# {dims} dims\n{NODES}"), EDGES, SPLIT);
        let out = run_for(
            &[
                "train",
                "gcn",
                "--data",
                s(&data),
                "--epochs",
                "1",
                "--out",
                s(&d.join("o")),
            ],
            &[],
            30,
        );
        fails_with(&out, &[needle]);
    }
}

#[test]
fn planetoid_node_in_two_splits_is_refused() {
    let d = tmp("planetoid-overlap");
    planetoid(
        &d.join("data"),
        NODES,
        EDGES,
        "train 0 1\nval 2 3\ntest 4 1\n",
    );
    let out = run(&[
        "train",
        "gcn",
        "--data",
        s(&d.join("data")),
        "--epochs",
        "1",
        "--out",
        s(&d.join("o")),
    ]);
    fails_with(&out, &["g.split.txt", "node 1", "train", "test"]);
}

#[test]
fn graph_data_with_one_class_is_refused() {
    let d = tmp("one-class");
    planetoid(
        &d.join("planetoid"),
        "0 0 1 0\n1 0 1 1\n2 0 1 2\n3 0 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2 3\n",
    );
    // Every labelled node in class 1: two class indices, but one class.
    planetoid(
        &d.join("planetoid-ones"),
        "0 1 1 0\n1 1 1 1\n2 1 1 2\n3 1 1 0\n",
        "0 1\n",
        "train 0\nval 1\ntest 2 3\n",
    );
    tu(&d.join("tu"), &[1, 1, 1, 1, 1, 1]);
    let o = d.join("o");
    for (data, flags) in [
        ("planetoid", &[][..]),
        ("planetoid-ones", &[][..]),
        ("tu", &["--folds", "2"][..]),
    ] {
        let data = d.join(data);
        let mut a = vec![
            "train",
            "gcn",
            "--data",
            s(&data),
            "--epochs",
            "1",
            "--out",
            s(&o),
        ];
        a.extend_from_slice(flags);
        let out = run(&a);
        fails_with(&out, &["one class", "at least two"]);
    }
}

#[test]
fn gcn_zero_epochs_or_batch_size_are_refused() {
    let d = tmp("gcn-zero");
    tu(&d.join("tu"), &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    for (flag, needle) in [("--epochs", "--epochs"), ("--batch-size", "--batch-size")] {
        let out = run(&[
            "train",
            "gcn",
            "--data",
            s(&d.join("tu")),
            "--folds",
            "2",
            flag,
            "0",
            "--out",
            s(&d.join("o")),
        ]);
        fails_with(&out, &[needle, "at least 1"]);
    }
}

#[test]
fn a_fold_count_the_data_cannot_take_names_the_flag() {
    // MUTAG has 188 graphs: 1 fold and 189 folds cannot be made, and the error says which flag.
    let d = tmp("gcn-folds");
    let mutag = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");
    for folds in ["1", "189"] {
        let out = run(&[
            "train",
            "gcn",
            "--data",
            mutag,
            "--folds",
            folds,
            "--epochs",
            "1",
            "--out",
            s(&d.join("o")),
        ]);
        fails_with(&out, &[&format!("--folds {folds}"), "k-fold"]);
    }
}
