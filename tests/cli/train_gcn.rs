//! `synchgraph train gcn` end to end on the real shared data (a few epochs, CI-sized): the
//! loss falls, every output file is written and metrics.json holds every documented key; plus
//! snapshots of both models' parameter shapes and counts, and the CLI's errors. What the
//! trainers themselves keep and repeat is `tests/models/gcn_trained_weights.rs`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gpu;
use synchgraph::models::gcn::{
    param_shapes, GraphGcn, GraphGcnConfig, NodeGcn, NodeGcnConfig, ReadoutLayers,
};

const CORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora");
const MUTAG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-train-gcn-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn train(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["train", "gcn"])
        .args(args)
        .output()
        .expect("running synchgraph")
}

fn metrics(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The outputs of a run of `runs` runs with `entries` `per_run` entries (one per run, or per
/// run and fold).
fn check_outputs(out: &Path, runs: usize, entries: usize) -> serde_json::Value {
    let m = metrics(out);
    for key in [
        "test_accuracy",
        "test_accuracy_std",
        "runs",
        "epochs",
        "seconds_per_epoch",
        "adapter",
        "per_run",
        "config",
        "loss_history",
    ] {
        assert!(m.get(key).is_some(), "metrics.json lacks {key}: {m}");
    }
    assert_eq!(m["runs"], runs);
    assert_eq!(m["per_run"].as_array().unwrap().len(), entries);
    let acc = m["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert!(m["seconds_per_epoch"].as_f64().unwrap() > 0.0);
    common::assert_run_metrics(&m, true, None, 0);
    let png = std::fs::read(out.join("loss.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let st = std::fs::read(out.join("model.safetensors")).unwrap();
    assert!(st.len() > 8);
    let tmp: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(tmp.is_empty(), "no temporary files left behind");
    m
}

#[test]
fn cora_few_epochs_loss_falls() {
    let out = out_dir("cora");
    let o = train(&[
        "--data",
        CORA,
        "--epochs",
        "12",
        "--patience",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = check_outputs(&out, 1, 1);
    let train: Vec<f64> = m["loss_history"]["train"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let val: Vec<f64> = m["loss_history"]["val"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(train.len(), 12);
    assert!(
        train[11] < train[0] - 0.05,
        "training loss falls: {train:?}"
    );
    assert!(val[11] < val[0], "validation loss falls: {val:?}");
    assert_eq!(m["config"]["model"]["gcn"]["hidden"], 16);
    assert_eq!(m["dataset"], "cora");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn mutag_two_folds() {
    let out = out_dir("mutag");
    let o = train(&[
        "--data",
        MUTAG,
        "--epochs",
        "4",
        "--folds",
        "2",
        "--hidden",
        "16",
        "--lr-step",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = check_outputs(&out, 1, 2);
    assert_eq!(m["folds"], 2);
    assert_eq!(m["format"], "tu");
    let gcn = &m["config"]["model"]["gcn"];
    assert_eq!(gcn["readout_layers"], "all");
    assert_eq!(gcn["selection"], "val-accuracy");
    assert_eq!(gcn["schedule"]["Step"]["step"], 2, "{gcn}");
    let runs = m["per_run"].as_array().unwrap();
    let tested: u64 = runs
        .iter()
        .map(|r| r["test_graphs"].as_u64().unwrap())
        .sum();
    assert_eq!(tested, 188, "the folds cover every graph once");
    let xu = &m["xu_protocol"];
    assert!(
        (0.0..=1.0).contains(&xu["test_accuracy"].as_f64().unwrap()),
        "{xu}"
    );
    assert!(xu["epoch"][0].as_u64().unwrap() < 4);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn mutag_last_layer_readout_selected_by_validation_loss() {
    let out = out_dir("mutag-last");
    let o = train(&[
        "--data",
        MUTAG,
        "--epochs",
        "3",
        "--folds",
        "2",
        "--hidden",
        "8",
        "--readout-layers",
        "last",
        "--select",
        "val-loss",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = check_outputs(&out, 1, 2);
    assert_eq!(m["folds"], 2);
    let gcn = &m["config"]["model"]["gcn"];
    assert_eq!(gcn["readout_layers"], "last");
    assert_eq!(gcn["selection"], "val-loss");
    // Last layer only: 3 x 8 pooled values per graph into 2 classes.
    assert_eq!(m["parameters"], 7 * 8 + 8 + 2 * (8 * 8 + 8) + 24 * 2 + 2);
    for r in m["per_run"].as_array().unwrap() {
        assert!(r["best_epoch"].as_u64().unwrap() < 3, "{r}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_data_folder_is_a_clear_error() {
    let out = out_dir("bad");
    let empty = out_dir("empty-data");
    std::fs::create_dir_all(&empty).unwrap();
    let o = train(&[
        "--data",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("neither a Planetoid"), "{err}");
    std::fs::write(empty.join("x.nodes.txt"), "0 0 1 0\n").unwrap();
    let o = train(&[
        "--data",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("x.edges.txt"), "{err}");
    let _ = std::fs::remove_dir_all(&empty);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn cora_takes_lr_dropout_and_weight_decay_and_refuses_tu_flags() {
    // Planetoid honours the training constants (they used to be TU-only and silently ignored).
    let out = out_dir("cora-constants");
    let o = train(&[
        "--data",
        CORA,
        "--epochs",
        "2",
        "--lr",
        "0.05",
        "--dropout",
        "0.25",
        "--weight-decay",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gcn = &metrics(&out)["config"]["model"]["gcn"];
    assert_eq!(gcn["lr"], f64::from(0.05f32), "{gcn}");
    assert_eq!(gcn["dropout"], 0.25, "{gcn}");
    assert_eq!(gcn["weight_decay"], 0.0, "{gcn}");
    assert_eq!(gcn["patience"], 10, "{gcn}");
    let _ = std::fs::remove_dir_all(&out);

    // A flag only the other format reads is refused, naming it and the data's format.
    for (data, flags, needles) in [
        (
            CORA,
            &["--folds", "3", "--layers", "2"][..],
            &["--folds, --layers only apply to TU", "Planetoid"][..],
        ),
        (
            MUTAG,
            &["--patience", "5"][..],
            &["--patience only applies to Planetoid", "TU"][..],
        ),
    ] {
        let mut a = vec![
            "--data",
            data,
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend_from_slice(flags);
        let o = train(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{flags:?} on {data}");
        for n in needles {
            assert!(err.contains(n), "{err} lacks {n}");
        }
        assert!(!out.join("metrics.json").exists());
    }

    // Negative values reach the checks (not clap's "unexpected argument").
    for (flag, value) in [
        ("--lr", "-1"),
        ("--dropout", "-0.5"),
        ("--weight-decay", "-1"),
    ] {
        for data in [CORA, MUTAG] {
            let o = train(&[
                "--data",
                data,
                "--epochs",
                "1",
                flag,
                value,
                "--out",
                out.to_str().unwrap(),
            ]);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!o.status.success());
            assert!(
                err.contains("needs lr > 0, dropout in [0, 1) and weight decay >= 0"),
                "{flag} {value} on {data}: {err}"
            );
            assert!(err.contains(value), "{err}");
        }
    }
}

#[test]
fn bad_training_constants_are_refused_by_both_models() {
    let g = gpu();
    for (lr, dropout, decay) in [
        (0.0, 0.5, 5e-4),
        (f32::NAN, 0.5, 5e-4),
        (f32::INFINITY, 0.5, 5e-4),
        (0.01, 1.0, 5e-4),
        (0.01, -0.1, 5e-4),
        (0.01, f32::NAN, 5e-4),
        (0.01, 0.5, -1e-4),
        (0.01, 0.5, f32::INFINITY),
    ] {
        let node = NodeGcnConfig {
            lr,
            dropout,
            weight_decay: decay,
            ..NodeGcnConfig::default()
        };
        let e = NodeGcn::new(&g, 5, 3, node, 0)
            .err()
            .expect("node GCN refuses");
        assert!(matches!(e, synchgraph::Error::InvalidInput(_)), "{e}");
        let graph = GraphGcnConfig {
            lr,
            dropout,
            weight_decay: decay,
            ..GraphGcnConfig::default()
        };
        let e = GraphGcn::new(&g, 5, 3, graph, 0)
            .err()
            .expect("graph GCN refuses");
        assert!(e.to_string().contains("graph GCN needs lr > 0"), "{e}");
    }
    let edge = NodeGcnConfig {
        dropout: 0.0,
        weight_decay: 0.0,
        ..NodeGcnConfig::default()
    };
    assert!(NodeGcn::new(&g, 5, 3, edge, 0).is_ok());
}

fn summary(store: &synchgraph::autodiff::ParamStore) -> String {
    let mut s: String = param_shapes(store)
        .into_iter()
        .map(|(n, sh)| format!("{n} {sh:?}\n"))
        .collect();
    s.push_str(&format!("total {}", store.numel()));
    s
}

#[test]
fn model_shapes_snapshot() {
    let g = gpu();
    let node = NodeGcn::new(&g, 1433, 7, NodeGcnConfig::default(), 0).unwrap();
    insta::assert_snapshot!(summary(&node.store), @r"
    gcn1.weight [1433, 16]
    gcn2.weight [16, 7]
    total 23040
    ");
    let graph = GraphGcn::new(&g, 7, 2, GraphGcnConfig::default(), 0).unwrap();
    insta::assert_snapshot!(summary(&graph.store), @r"
    gcn1.weight [7, 64]
    gcn1.bias [64]
    gcn2.weight [64, 64]
    gcn2.bias [64]
    gcn3.weight [64, 64]
    gcn3.bias [64]
    classifier.weight [597, 2]
    classifier.bias [2]
    total 10028
    ");
    let last_only = GraphGcnConfig {
        readout_layers: ReadoutLayers::Last,
        ..GraphGcnConfig::default()
    };
    let graph = GraphGcn::new(&g, 7, 2, last_only, 0).unwrap();
    insta::assert_snapshot!(summary(&graph.store), @r"
    gcn1.weight [7, 64]
    gcn1.bias [64]
    gcn2.weight [64, 64]
    gcn2.bias [64]
    gcn3.weight [64, 64]
    gcn3.bias [64]
    classifier.weight [192, 2]
    classifier.bias [2]
    total 9218
    ");
    assert!(NodeGcn::new(&g, 0, 7, NodeGcnConfig::default(), 0).is_err());
}
