//! What the GCN trainers return and repeat: the graph classifier keeps its selected epoch's
//! weights, the node classifier trains bit-identically for a seed, evaluates without dropout,
//! decays only the parameters it should, by the configured amount, and refuses zero epochs.

use crate::common;

use std::path::Path;

use common::gpu;
use synchgraph::autodiff::optim::Adam;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::data::planetoid::Planetoid;
use synchgraph::graph::HostCsr;
use synchgraph::models::gcn::{
    GraphGcn, GraphGcnConfig, NodeGcn, NodeGcnConfig, NodeRun, NodeTask,
};
use synchgraph::Gpu;

const CORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora");

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
