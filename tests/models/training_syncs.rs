//! Training loops wait for the GPU as seldom as their results allow, counted by
//! `Gpu::host_waits` (one per readback or synchronize) on a device of each test's own: L-GrIN,
//! the graph-classification GCN and the node-classification GCN once per epoch (the step
//! losses and the evaluation passes read back together), the Synch-Graph GCN once per
//! evaluation and once at the end. The kept epoch's state stays on the GPU: restoring it gives
//! back exactly the values it held, and a non-finite loss read late is still reported at its
//! own epoch. L-GrIN's steps upload no features (`Gpu::uploaded_bytes`): the clips stay on the GPU.

use crate::common;

use common::fixtures::{
    mutag_split as mutag, triangle_clips as triangles, two_class_node_graphs as synthetic,
};
use synchgraph::autodiff::StepLosses;
use synchgraph::graph::Csr;
use synchgraph::kernels::elementwise;
use synchgraph::models::gcn::{GraphGcn, GraphGcnConfig, NodeGcn, NodeGcnConfig, NodeTask};
use synchgraph::models::lgrin::{train, Lgrin, LgrinConfig};
use synchgraph::models::synchgraph_gcn::{FitResult, Gcn, GcnConfig};
use synchgraph::{Gpu, Tensor};

/// A device of the test's own, so that no other test's readbacks reach its counter.
fn own_gpu() -> Gpu {
    Gpu::open_default().unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"))
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Differences between consecutive counts, the first against `start`.
fn steps(start: u64, counts: &[u64]) -> Vec<u64> {
    let mut prev = start;
    counts
        .iter()
        .map(|&c| {
            let d = c - prev;
            prev = c;
            d
        })
        .collect()
}

#[test]
fn host_waits_count_readbacks_and_synchronize_but_not_recorded_work() {
    let g = own_gpu();
    let w0 = g.host_waits();
    let a = Tensor::from_f32(&g, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let b = elementwise::add(&a, &a).unwrap();
    g.flush().unwrap();
    assert_eq!(
        g.host_waits(),
        w0,
        "recording, uploading and submitting do not wait"
    );
    assert_eq!(b.to_f32().unwrap(), [2.0, 4.0, 6.0, 8.0]);
    assert_eq!(g.host_waits(), w0 + 1, "a readback waits once");
    g.synchronize().unwrap();
    assert_eq!(g.host_waits(), w0 + 2);
}

#[test]
fn read_with_reads_losses_and_tensors_bit_exactly_in_one_wait() {
    let g = own_gpu();
    let mut log = StepLosses::new(&g, 4).unwrap();
    for v in [0.5f32, f32::NAN, -3.25] {
        log.record(&Tensor::from_f32(&g, &[1], &[v]).unwrap())
            .unwrap();
    }
    let big = Tensor::from_f32(
        &g,
        &[5, 2],
        &(0..10).map(|i| i as f32 * 0.1).collect::<Vec<_>>(),
    )
    .unwrap();
    let view = big.rows(3, 5).unwrap();
    let empty = Tensor::from_f32(&g, &[0], &[]).unwrap();
    let m = Tensor::from_f32(&g, &[2, 3], &[1e-30, -0.0, f32::INFINITY, 7.0, 8.0, 9.0]).unwrap();
    let before = g.host_waits();
    let (losses, rest) = log.read_with(&[&view, &empty, &m]).unwrap();
    assert_eq!(g.host_waits(), before + 1, "one readback for everything");
    assert_eq!(bits(&losses), bits(&[0.5, f32::NAN, -3.25]));
    assert_eq!(rest.len(), 3);
    assert_eq!(bits(&rest[0]), bits(&[0.6, 0.7, 0.8, 0.90000004]));
    assert!(rest[1].is_empty());
    assert_eq!(
        bits(&rest[2]),
        bits(&[1e-30, -0.0, f32::INFINITY, 7.0, 8.0, 9.0])
    );
    // Nothing to read: no wait.
    let before = g.host_waits();
    let none = StepLosses::read_all(&g, &[&empty, &empty]).unwrap();
    assert_eq!(none, vec![Vec::<f32>::new(); 2]);
    assert_eq!(g.host_waits(), before);
    let ints = Tensor::from_u32(&g, &[1], &[1]).unwrap();
    assert!(StepLosses::read_all(&g, &[&m, &ints]).is_err());
}

fn small_lgrin(epochs: usize) -> LgrinConfig {
    common::fixtures::small_lgrin(LgrinConfig::reference(5, 2), 4, epochs)
}

/// Every tensor of the model's state as (name, shape, bits).
fn state_bits(model: &mut Lgrin) -> Vec<(String, Vec<usize>, Vec<u32>)> {
    model
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, s, v)| (n, s, bits(&v)))
        .collect()
}

/// Tensors that together exceed the device's largest binding (each fits alone) are read in
/// groups that fit, one wait per group, with every value intact; the Synch-Graph GCN reads its
/// weights this way, and a wide one would otherwise fail after its last epoch.
#[test]
fn read_all_splits_tensors_over_the_binding_limit_into_groups() {
    let g = own_gpu();
    let limit = g.max_binding_bytes() as usize;
    let n = (limit / 4) * 3 / 8; // 3/8 of the limit each: two fit one binding, three do not
    let parts: Vec<Tensor> = (0..3)
        .map(|k| {
            let zero = Tensor::zeros(&g, &[n], synchgraph::tensor::DType::F32).unwrap();
            elementwise::affine(&zero, 0.0, k as f32 + 1.5).unwrap()
        })
        .collect();
    let refs: Vec<&Tensor> = parts.iter().collect();
    let before = g.host_waits();
    let values = StepLosses::read_all(&g, &refs).unwrap();
    assert_eq!(g.host_waits() - before, 2, "two groups, one wait each");
    for (k, v) in values.iter().enumerate() {
        assert_eq!(v.len(), n);
        assert!(v.iter().all(|&x| x == k as f32 + 1.5), "tensor {k}");
    }
}

#[test]
fn lgrin_training_waits_once_per_epoch_and_keeps_the_best_epoch_on_the_gpu() {
    let g = own_gpu();
    let (feats, mut labels) = synthetic(24, 10, 5);
    // Half the validation clips mislabelled: the model's confidence costs validation loss as
    // it learns, so the kept epoch is not the last.
    for l in &mut labels[16..20] {
        *l = 1 - *l;
    }
    let idx: Vec<usize> = (0..16).collect();
    let val: Vec<usize> = (16..24).collect();
    let epochs = 8;
    let mut model = Lgrin::new(&g, small_lgrin(epochs)).unwrap();
    let start = g.host_waits();
    let mut at_epoch = Vec::new();
    let out = train(
        &mut model,
        &feats,
        &labels,
        &idx,
        &val,
        &mut |_, _| {},
        &mut |_| at_epoch.push(g.host_waits()),
    )
    .unwrap();
    // One wait per epoch reads the step losses and the validation probabilities; a better
    // epoch's snapshot and the final restore read nothing.
    assert_eq!(steps(start, &at_epoch), vec![1; epochs]);
    assert_eq!(g.host_waits(), start + epochs as u64);
    let best = out.best_epoch;
    assert!(
        best + 1 < epochs,
        "precondition: the kept epoch {best} is not the last ({:?})",
        out.log
            .iter()
            .map(|e| (e.val_accuracy, e.val_loss))
            .collect::<Vec<_>>()
    );
    // A run that stops at the kept epoch ends in the same state (the same steps, and that
    // epoch is its best too): the longer run's restore gave back exactly that state.
    let mut short = Lgrin::new(&g, small_lgrin(best + 1)).unwrap();
    let out_short = common::fixtures::train_lgrin(&mut short, &feats, &labels, &idx, &val);
    assert_eq!(out_short.best_epoch, best);
    assert!(state_bits(&mut model) == state_bits(&mut short));
}

#[test]
fn lgrin_steps_upload_no_features_the_clips_stay_on_the_gpu() {
    // The training and validation clips are uploaded once and each epoch's gather indices
    // once; a step gathers its batch on the GPU. Before, every step uploaded its batch's
    // features and every epoch its validation clips.
    let g = own_gpu();
    let (feats, labels) = synthetic(24, 10, 5);
    let idx: Vec<usize> = (0..16).collect();
    let val: Vec<usize> = (16..24).collect();
    let epochs = 3;
    let mut model = Lgrin::new(&g, small_lgrin(epochs)).unwrap();
    let start = g.uploaded_bytes();
    let mut at_step = Vec::new();
    let mut at_epoch = Vec::new();
    train(
        &mut model,
        &feats,
        &labels,
        &idx,
        &val,
        &mut |_, _| at_step.push(g.uploaded_bytes()),
        &mut |_| at_epoch.push(g.uploaded_bytes()),
    )
    .unwrap();
    let iters = 16 / 4;
    assert_eq!(at_step.len(), epochs * iters);
    // A step uploads a few scalars (the backward seed and the two row-pool offsets: 20 bytes),
    // not its batch: 4 clips x 10 nodes x 5 features would be 800 bytes.
    for (e, epoch) in at_step.chunks(iters).enumerate() {
        let per_step = steps(epoch[0], &epoch[1..]);
        assert!(
            per_step.iter().all(|&b| b <= 32),
            "epoch {e}: steps uploaded {per_step:?} bytes"
        );
    }
    // Before the first step: the 16 training clips (10 x 5 f32 each) and their labels.
    let clips_bytes = (16 * 10 * 5 * 4 + 16 * 4) as u64;
    assert!(at_step[0] - start >= clips_bytes, "{}", at_step[0] - start);
    // Later epochs upload their gather indices (row and label positions, each step's slice
    // padded to the storage-offset alignment) and small scalars (at most 32 bytes for each of
    // the 4 steps and the 2 validation minibatches), nothing else: the validation clips
    // (8 x 10 x 5 f32 = 1,600 bytes) were uploaded once, before the first epoch.
    let words = (g.limits().min_storage_buffer_offset_alignment as u64 / 4).max(1);
    let padded = |n: u64| n.div_ceil(words) * words;
    let indices = iters as u64 * 4 * (padded(4 * 10) + padded(4));
    for (e, w) in at_epoch.windows(2).enumerate() {
        let epoch = w[1] - w[0];
        assert!(
            epoch >= indices && epoch - indices <= 32 * (iters as u64 + 2),
            "epoch {}: {epoch} bytes, {indices} of them gather indices",
            e + 1
        );
    }
}

#[test]
fn lgrin_snapshot_and_restore_give_back_every_parameter_and_statistic() {
    let g = own_gpu();
    let (feats, labels) = synthetic(12, 10, 5);
    let idx: Vec<usize> = (0..12).collect();
    let mut model = Lgrin::new(&g, small_lgrin(1)).unwrap();
    let before = state_bits(&mut model);
    let waits = g.host_waits();
    let snap = model.snapshot().unwrap();
    assert_eq!(g.host_waits(), waits, "a snapshot reads nothing back");
    common::fixtures::train_lgrin(&mut model, &feats, &labels, &idx, &[]);
    let trained = state_bits(&mut model);
    // Parameters and batch-norm running statistics both moved.
    for suffix in [".running_mean", "classifier1.weight"] {
        let moved = before
            .iter()
            .zip(&trained)
            .any(|(a, b)| a.0.ends_with(suffix) && a.2 != b.2);
        assert!(moved, "training changed no tensor named *{suffix}");
    }
    model.restore(snap).unwrap();
    assert!(state_bits(&mut model) == before);
}

/// MUTAG as a graph-classification task with a 3/1/1 split of its graphs.
/// A snapshot with one tensor of the wrong shape is refused before anything changes: every
/// parameter keeps its value (no half-restored store).
#[test]
fn a_bad_snapshot_leaves_the_store_unchanged() {
    use synchgraph::autodiff::ParamStore;
    let g = own_gpu();
    let mut store = ParamStore::new();
    for (k, n) in [2usize, 3, 4].iter().enumerate() {
        store.add(
            &format!("p{k}"),
            Tensor::from_f32(&g, &[*n], &vec![k as f32; *n]).unwrap(),
            0.0,
        );
    }
    let bad = vec![
        Tensor::from_f32(&g, &[2], &[9.0; 2]).unwrap(),
        Tensor::from_f32(&g, &[5], &[9.0; 5]).unwrap(),
        Tensor::from_f32(&g, &[4], &[9.0; 4]).unwrap(),
    ];
    let e = store.restore(bad).unwrap_err().to_string();
    assert!(e.contains("'p1'"), "{e}");
    let ids: Vec<_> = store.ids().collect();
    for (k, id) in ids.into_iter().enumerate() {
        let v = store.value(id).to_f32().unwrap();
        assert!(v.iter().all(|&x| x == k as f32), "p{k} changed: {v:?}");
    }
}

#[test]
fn graph_gcn_training_waits_once_per_epoch() {
    let g = own_gpu();
    let (task, train, val, test) = mutag();
    let epochs = 4;
    let config = GraphGcnConfig {
        epochs,
        lr: 0.01,
        ..GraphGcnConfig::default()
    };
    let start = g.host_waits();
    let mut at_epoch = Vec::new();
    let (_, run) = GraphGcn::train(&g, &task, &train, &val, &test, config, 0, 0, &mut |_| {
        at_epoch.push(g.host_waits())
    })
    .unwrap();
    assert_eq!(run.history.len(), epochs);
    // The first epoch also counts the setup (the validation and test batches).
    let per_epoch = steps(start, &at_epoch);
    assert_eq!(per_epoch[1..], vec![1; epochs - 1], "{per_epoch:?}");
}

/// A ring of `n` nodes with one-hot features (a square sparse matrix) and three classes.
fn ring_task(g: &Gpu, n: usize) -> NodeTask {
    let edges: Vec<(u32, u32)> = (0..n as u32).map(|i| (i, (i + 1) % n as u32)).collect();
    let adj = Csr::from_edges(g, n, &edges, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap();
    let features = Csr::from_edges(g, n, &[], None, true, false).unwrap();
    assert_eq!(features.nnz(), n);
    let all: Vec<usize> = (0..n).collect();
    NodeTask {
        adj,
        features,
        labels: (0..n as u32).map(|i| i * 3 / n as u32).collect(),
        classes: 3,
        train: all.iter().copied().filter(|i| i % 3 == 0).collect(),
        val: all.iter().copied().filter(|i| i % 3 == 1).collect(),
        test: all.iter().copied().filter(|i| i % 3 == 2).collect(),
    }
}

#[test]
fn node_gcn_training_waits_once_per_epoch() {
    let g = own_gpu();
    let task = ring_task(&g, 30);
    let epochs = 5;
    let config = NodeGcnConfig {
        epochs,
        patience: 0,
        ..NodeGcnConfig::default()
    };
    let start = g.host_waits();
    let mut at_epoch = Vec::new();
    let (_, run) =
        NodeGcn::train(&g, &task, config, 3, &mut |_| at_epoch.push(g.host_waits())).unwrap();
    assert_eq!(run.epochs_run, epochs);
    assert_eq!(steps(start, &at_epoch), vec![1; epochs]);
    // The final evaluation reads once more.
    assert_eq!(g.host_waits(), start + epochs as u64 + 1);
}

/// `eval_every` beyond the run's length (here usize::MAX, "only at the end") sizes the loss
/// window by the epochs run, not by `eval_every`: training runs and evaluates once.
/// The Synch-Graph GCN of `cfg` fitted on the triangle clips (0..12 train, 12..16 validate),
/// with `progress` called per epoch: the model and the fit's result.
fn fit_triangles(
    g: &Gpu,
    cfg: &GcnConfig,
    progress: impl FnMut(usize, f32),
) -> (Gcn, synchgraph::Result<FitResult>) {
    let (graph, labels) = triangles();
    let mut model = Gcn::new(g, cfg, 5, 2).unwrap();
    let train: Vec<usize> = (0..12).collect();
    let val: Vec<usize> = (12..16).collect();
    let fit = model.fit(g, &graph, &labels, &train, &val, progress);
    (model, fit)
}

#[test]
fn synchgraph_gcn_takes_an_evaluation_period_longer_than_the_run() {
    let g = own_gpu();
    let cfg = GcnConfig {
        hidden: 8,
        epochs: 3,
        lr: 0.02,
        eval_every: usize::MAX,
        ..GcnConfig::default()
    };
    let fit = fit_triangles(&g, &cfg, |_, _| {}).1.unwrap();
    assert_eq!(fit.losses.len(), 3);
    assert_eq!(fit.val_history.len(), 1);
}

#[test]
fn synchgraph_gcn_waits_once_per_evaluation_and_returns_the_kept_weights() {
    let g = own_gpu();
    let cfg = GcnConfig {
        hidden: 16,
        epochs: 12,
        lr: 0.02,
        dropout: 0.3,
        eval_every: 5,
        ..GcnConfig::default()
    };
    let start = g.host_waits();
    let mut calls = Vec::new();
    let (model, fit) = fit_triangles(&g, &cfg, |e, l| {
        calls.push((e, l.to_bits(), g.host_waits()))
    });
    let fit = fit.unwrap();
    // Evaluations at epochs 5, 10 and 12, each one wait, and one more for the final prediction
    // and the kept weights.
    assert_eq!(g.host_waits(), start + 4);
    let epochs: Vec<usize> = calls.iter().map(|c| c.0).collect();
    assert_eq!(epochs, (1..=12).collect::<Vec<_>>());
    let losses: Vec<u32> = calls.iter().map(|c| c.1).collect();
    assert_eq!(losses, bits(&fit.losses));
    assert_eq!(
        fit.val_history.iter().map(|v| v.0).collect::<Vec<_>>(),
        [5, 10, 12]
    );
    // The host copies are the model's weights after training, name by name.
    let ids: Vec<_> = model.store.ids().collect();
    assert_eq!(fit.weights.len(), ids.len());
    for (id, (name, shape, values)) in ids.into_iter().zip(&fit.weights) {
        assert_eq!(name, model.store.name(id));
        assert_eq!(shape, model.store.value(id).shape());
        assert_eq!(bits(values), bits(&model.store.value(id).to_f32().unwrap()));
    }
}

#[test]
fn synchgraph_gcn_reports_the_first_non_finite_epoch_between_evaluations() {
    let g = own_gpu();
    let cfg = GcnConfig {
        hidden: 16,
        epochs: 20,
        lr: 1e30,
        dropout: 0.0,
        eval_every: 10,
        ..GcnConfig::default()
    };
    let mut seen = Vec::new();
    let err = fit_triangles(&g, &cfg, |e, l| seen.push((e, l)))
        .1
        .unwrap_err()
        .to_string();
    // Every reported epoch had a finite loss, and the error names the next one.
    let epochs: Vec<usize> = seen.iter().map(|s| s.0).collect();
    assert_eq!(epochs, (1..=epochs.len()).collect::<Vec<_>>());
    assert!(seen.iter().all(|s| s.1.is_finite()), "{seen:?}");
    let bad = epochs.len() + 1;
    assert!(
        bad % 10 != 0,
        "precondition: epoch {bad} is not an evaluation epoch"
    );
    assert!(
        err.contains(&format!("diverged at epoch {bad} ")),
        "{err} (after {seen:?})"
    );
}
