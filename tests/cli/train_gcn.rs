//! `synchgraph train gcn` end to end on the real shared data (a few epochs, CI-sized): the
//! loss falls, every output file is written and metrics.json holds every documented key; plus
//! snapshots of both models' parameter shapes and counts, and the CLI's errors.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gpu;
use synchgraph::autodiff::optim::Adam;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::data::planetoid::Planetoid;
use synchgraph::graph::HostCsr;
use synchgraph::models::gcn::{
    param_shapes, GraphGcn, GraphGcnConfig, NodeGcn, NodeGcnConfig, NodeRun, NodeTask,
    ReadoutLayers,
};
use synchgraph::Gpu;

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

fn check_outputs(out: &Path, runs: usize) -> serde_json::Value {
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
    assert_eq!(m["per_run"].as_array().unwrap().len(), runs);
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
    let m = check_outputs(&out, 1);
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
    let m = check_outputs(&out, 2);
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
    let m = check_outputs(&out, 2);
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

/// The graph classifier that training returns (and the CLI saves) holds the kept epoch's
/// weights: on the validation graphs it scores the validation accuracy recorded for that epoch,
/// not the last epoch's.
#[test]
fn graph_gcn_returns_the_kept_epochs_weights() {
    use synchgraph::autodiff::Tape;

    let g = gpu();
    let (task, train, val, test) = common::fixtures::mutag_split();
    let config = GraphGcnConfig {
        epochs: 19,
        lr: 0.01,
        ..GraphGcnConfig::default()
    };
    let (model, run) =
        GraphGcn::train(&g, &task, &train, &val, &test, config, 0, 0, &mut |_| {}).unwrap();
    let last = run.history.last().unwrap().val_accuracy;
    assert_ne!(
        last, run.val_accuracy,
        "precondition: the last epoch (best {}) must score differently on validation",
        run.best_epoch
    );
    let batch = task.batch(&g, &val).unwrap();
    let mut tape = Tape::new(&g, false, 0);
    let logits = model
        .forward(&mut tape, &batch)
        .unwrap()
        .value()
        .to_f32()
        .unwrap();
    let correct = val
        .iter()
        .zip(logits.chunks(task.classes))
        .filter(|(&i, row)| {
            let best = (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            best as u32 == task.labels[i]
        })
        .count();
    assert_eq!(correct as f64 / val.len() as f64, run.val_accuracy);
}

/// Cora as `synchgraph train gcn` builds it (src/cli/train/gcn/node.rs): the symmetric adjacency
/// normalised to Â = D^-1/2 (A + I) D^-1/2, the row-normalised features as a sparse matrix of
/// their nonzeros, and the Planetoid split.
fn cora_task(g: &Gpu) -> NodeTask {
    NodeTask::from_planetoid(g, &Planetoid::load(Path::new(CORA)).unwrap()).unwrap()
}

/// Kipf & Welling's configuration (dropout 0.5, weight decay 5e-4) for `epochs` epochs without
/// early stopping.
fn few_epochs(epochs: usize) -> NodeGcnConfig {
    NodeGcnConfig {
        epochs,
        patience: 0,
        ..NodeGcnConfig::default()
    }
}

/// Every parameter's name and values as read back.
fn values(store: &ParamStore) -> Vec<(String, Vec<f32>)> {
    store
        .ids()
        .map(|id| {
            let v = store.value(id).to_f32().unwrap();
            (store.name(id).to_string(), v)
        })
        .collect()
}

/// Bit patterns, so that equality is bit-identity (and -0.0 differs from 0.0).
fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every number of a run that training computes (losses and accuracies per epoch and of the
/// final model), as bit patterns; the timing is left out.
fn run_bits(run: &NodeRun) -> Vec<u64> {
    let mut b = vec![
        run.epochs_run as u64,
        run.test_accuracy.to_bits(),
        run.val_accuracy.to_bits(),
    ];
    for h in &run.history {
        b.extend([
            h.epoch as u64,
            u64::from(h.train_loss.to_bits()),
            u64::from(h.val_loss.to_bits()),
            h.val_accuracy.to_bits(),
            h.test_accuracy.to_bits(),
        ]);
    }
    b
}

/// Fraction of `rows` whose argmax of `logits` (`classes` wide) is the label.
fn accuracy_of(logits: &[f32], classes: usize, labels: &[u32], rows: &[usize]) -> f64 {
    let hit = rows
        .iter()
        .filter(|&&r| {
            let row = &logits[r * classes..(r + 1) * classes];
            let best = (0..classes).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            best as u32 == labels[r]
        })
        .count();
    hit as f64 / rows.len() as f64
}

/// "Results are deterministic for a given seed" for the node classifier: two trainings on Cora
/// with the same seed (dropout 0.5 on, so its masks must repeat too) give bit-identical losses,
/// accuracies and parameters.
#[test]
fn node_gcn_same_seed_trains_bit_identically_on_cora() {
    let g = gpu();
    let task = cora_task(&g);
    let train = || NodeGcn::train(&g, &task, few_epochs(5), 11, &mut |_| {}).unwrap();
    let (a, run_a) = train();
    let (b, run_b) = train();
    assert_eq!(run_a.history.len(), 5);
    assert_eq!(run_bits(&run_a), run_bits(&run_b), "{run_a:?}\n{run_b:?}");
    let (va, vb) = (values(&a.store), values(&b.store));
    assert_eq!(va.len(), 2);
    for ((name, x), (name_b, y)) in va.iter().zip(&vb) {
        assert_eq!(name, name_b);
        assert!(bits(x) == bits(y), "{name} differs between the two runs");
    }
    // The comparison is not vacuous: training moved the weights away from their initial values.
    let init = NodeGcn::new(&g, task.features.n_cols, task.classes, few_epochs(5), 11).unwrap();
    for ((name, x), (_, y)) in va.iter().zip(values(&init.store)) {
        assert!(bits(x) != bits(&y), "{name} did not train");
    }
}

/// Kipf & Welling's forward pass on the host, in f64: Â · relu(Â · X · W1) · W2 without any
/// dropout (what evaluation mode must compute).
fn host_logits(task: &NodeTask, w1: &[f32], w2: &[f32], hidden: usize) -> Vec<f32> {
    let classes = task.classes;
    // Sparse [n, k] · dense [k, w] on the host.
    let spmm = |m: &HostCsr, d: &[f64], w: usize| -> Vec<f64> {
        let rows = m.row_ptr.len() - 1;
        let mut out = vec![0.0f64; rows * w];
        for r in 0..rows {
            for k in m.row_ptr[r] as usize..m.row_ptr[r + 1] as usize {
                let (c, v) = (m.col_idx[k] as usize, f64::from(m.values[k]));
                for j in 0..w {
                    out[r * w + j] += v * d[c * w + j];
                }
            }
        }
        out
    };
    let w1: Vec<f64> = w1.iter().map(|&x| f64::from(x)).collect();
    let xw = spmm(&task.features.host, &w1, hidden);
    let h: Vec<f64> = spmm(&task.adj.host, &xw, hidden)
        .into_iter()
        .map(|x| x.max(0.0))
        .collect();
    let n = h.len() / hidden;
    let mut hw = vec![0.0f64; n * classes];
    for r in 0..n {
        for k in 0..hidden {
            for c in 0..classes {
                hw[r * classes + c] += h[r * hidden + k] * f64::from(w2[k * classes + c]);
            }
        }
    }
    spmm(&task.adj.host, &hw, classes)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// Evaluation is dropout-free: after training with dropout 0.5, evaluation passes (a tape not
/// in training mode, whatever its seed) give bit-identical logits, those logits are the
/// dropout-free Â · relu(Â X W1) · W2, and they score the accuracies the run reports for its
/// final model; a training-mode pass (dropout on) gives other logits.
#[test]
fn node_gcn_evaluation_is_dropout_free() {
    let g = gpu();
    let task = cora_task(&g);
    let config = few_epochs(3);
    let (model, run) = NodeGcn::train(&g, &task, config.clone(), 5, &mut |_| {}).unwrap();
    let pass = |training: bool, seed: u64| -> Vec<f32> {
        let mut tape = Tape::new(&g, training, seed);
        let logits = model.forward(&mut tape, &task.adj, &task.features).unwrap();
        logits.value().to_f32().unwrap()
    };
    let (first, second) = (pass(false, 1), pass(false, 2));
    assert_eq!(first.len(), task.labels.len() * task.classes);
    assert!(
        bits(&first) == bits(&second),
        "two evaluation passes differ"
    );
    let acc = |rows: &[usize]| accuracy_of(&first, task.classes, &task.labels, rows);
    assert_eq!(acc(&task.test), run.test_accuracy);
    assert_eq!(acc(&task.val), run.val_accuracy);

    let w = values(&model.store);
    assert_eq!(
        (w[0].0.as_str(), w[1].0.as_str()),
        ("gcn1.weight", "gcn2.weight")
    );
    let want = host_logits(&task, &w[0].1, &w[1].1, config.hidden);
    common::assert_close("evaluation logits", &first, &want, 1e-5, 1e-4);

    // The check above would catch dropout: a training-mode pass differs from it.
    let dropped = pass(true, 1);
    let moved = dropped
        .iter()
        .zip(&first)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    assert!(
        moved > first.len() / 2,
        "dropout changed only {moved} logits"
    );
}

/// One Adam step (lr 0.01) with an exactly zero gradient on every parameter (the gradient of
/// 0 · Σ p²), so that only the L2 weight decay the store holds for a parameter can move it.
/// Returns every parameter's name with its values before and after.
fn zero_gradient_step(g: &Gpu, store: &mut ParamStore) -> Vec<(String, Vec<f32>, Vec<f32>)> {
    let before = values(store);
    let mut tape = Tape::new(g, true, 0);
    let ids: Vec<_> = store.ids().collect();
    let mut loss = None;
    for id in ids {
        let p = tape.param(store, id);
        let term = tape.l2_penalty(&p, 0.0).unwrap();
        loss = Some(match loss {
            None => term,
            Some(l) => tape.add(&l, &term).unwrap(),
        });
    }
    store.zero_grad();
    tape.backward(&loss.unwrap(), store).unwrap();
    Adam::new(0.01).step(store).unwrap();
    before
        .into_iter()
        .zip(values(store))
        .map(|((name, b), (_, a))| (name, b, a))
        .collect()
}

/// Assert that the zero-gradient step moved each parameter as its expected decay `wd` says
/// (`expected` lists every parameter's name and decay, in store order): bit-identical where
/// `wd` is 0, else every non-zero element against its sign by Adam's first step on the
/// gradient wd · w alone, w - lr · g / (|g| + eps) (lr 0.01, eps 1e-8).
fn assert_decay_step(moved: &[(String, Vec<f32>, Vec<f32>)], expected: &[(String, f32)]) {
    let names: Vec<&str> = moved.iter().map(|m| m.0.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, want);
    for ((name, before, after), (_, wd)) in moved.iter().zip(expected) {
        if *wd == 0.0 {
            assert!(
                bits(before) == bits(after),
                "{name} moved without a gradient: it has weight decay"
            );
            continue;
        }
        for (i, (&b, &a)) in before.iter().zip(after).enumerate() {
            let g = f64::from(*wd) * f64::from(b);
            let step = 0.01 * g / (g.abs() + 1e-8);
            let want = f64::from(b) - step;
            assert!(
                b == 0.0 || (f64::from(a) - f64::from(b)) * f64::from(b) < 0.0,
                "{name}[{i}]: weight decay {wd} should pull {b} towards 0, got {a}"
            );
            assert!(
                (f64::from(a) - want).abs() <= 1e-6,
                "{name}[{i}]: {b} should become {want} under weight decay {wd}, got {a}"
            );
        }
    }
}

/// The node classifier decays the first layer's weight only (tkipf/gcn), by the configured
/// amount: the store holds that decay for `gcn1.weight` and 0 for `gcn2.weight`, and an Adam
/// step with a zero gradient moves `gcn1.weight` alone.
#[test]
fn node_gcn_weight_decay_is_on_the_first_layer_only() {
    let g = gpu();
    for decay in [5e-4, 0.125] {
        let config = NodeGcnConfig {
            weight_decay: decay,
            ..NodeGcnConfig::default()
        };
        let mut model = NodeGcn::new(&g, 6, 3, config, 2).unwrap();
        let store = &model.store;
        let decays: Vec<(&str, f32)> = store
            .ids()
            .map(|id| (store.name(id), store.weight_decay(id)))
            .collect();
        assert_eq!(decays, [("gcn1.weight", decay), ("gcn2.weight", 0.0)]);
        let expected = [
            ("gcn1.weight".to_string(), decay),
            ("gcn2.weight".into(), 0.0),
        ];
        let moved = zero_gradient_step(&g, &mut model.store);
        assert_decay_step(&moved, &expected);
    }
    assert_eq!(NodeGcnConfig::default().weight_decay, 5e-4);
}

/// The graph classifier decays its weights (every GCN layer's and the classifier's) by the
/// configured amount and never its biases: the store's per-parameter decay, and an Adam step
/// with a zero gradient that moves the weights but not the (non-zero) biases.
#[test]
fn graph_gcn_weight_decay_is_on_the_weights_not_the_biases() {
    let g = gpu();
    for (layers, decay) in [(3, 5e-4), (2, 0.125)] {
        let config = GraphGcnConfig {
            layers,
            hidden: 8,
            weight_decay: decay,
            ..GraphGcnConfig::default()
        };
        let mut model = GraphGcn::new(&g, 7, 2, config, 3).unwrap();
        let store = &model.store;
        let mut want = Vec::new();
        for l in 1..=layers {
            want.push((format!("gcn{l}.weight"), decay));
            want.push((format!("gcn{l}.bias"), 0.0));
        }
        want.push(("classifier.weight".to_string(), decay));
        want.push(("classifier.bias".to_string(), 0.0));
        let got: Vec<(String, f32)> = store
            .ids()
            .map(|id| (store.name(id).to_string(), store.weight_decay(id)))
            .collect();
        assert_eq!(got, want);
        // The biases start at zero, where decay has nothing to shrink: give them values first.
        let biases: Vec<_> = store
            .ids()
            .filter(|&id| store.name(id).ends_with(".bias"))
            .collect();
        for id in biases {
            let n = model.store.value(id).numel();
            let v: Vec<f32> = (0..n).map(|i| 0.25 + i as f32 * 0.01).collect();
            let t = synchgraph::Tensor::from_f32(&g, &[n], &v).unwrap();
            model.store.set_value(id, t).unwrap();
        }
        let moved = zero_gradient_step(&g, &mut model.store);
        assert_decay_step(&moved, &want);
    }
}

/// Zero epochs is refused by both trainers, not reported as a run with test accuracy 0.
#[test]
fn zero_epochs_are_refused() {
    let g = gpu();
    let e = NodeGcn::train(&g, &cora_task(&g), few_epochs(0), 0, &mut |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("at least 1 epoch"), "{e}");
    let (task, train, val, test) = common::fixtures::mutag_split();
    let config = GraphGcnConfig {
        epochs: 0,
        ..GraphGcnConfig::default()
    };
    let e = GraphGcn::train(&g, &task, &train, &val, &test, config, 0, 0, &mut |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("at least 1 epoch"), "{e}");
}
