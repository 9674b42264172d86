//! L-GrIN training as a whole: a run is a function of its seed (minibatches, dropout, kept
//! epoch), the kept epoch's state is the one that epoch ended with, StepLR decays at the
//! documented epochs, evaluation leaves the batch-norm statistics alone, and a saved model
//! loads back to the same state and predictions. Also one training-mode step (batch statistics,
//! running-statistic update, loss with its structure terms) against a plain f64 host
//! computation, and every parameter's gradient against central finite differences. Tiny models
//! (5 nodes, 3 features), 1-5 epochs.

// The host reference indexes several matrices with the same (row, column) pair; index loops
// read closest to the formulas they implement.
#![allow(clippy::needless_range_loop)]

use crate::common;

use std::collections::HashMap;

use crate::host_mat::{concat_cols, matmul, relu, Mat};
use common::fixtures::two_class_node_graphs as synthetic;
use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::model::{node_major, NamedTensor};
use synchgraph::models::lgrin::{
    load_model, predict_proba, save_model, train, EpochLog, Lgrin, LgrinConfig, TrainOutcome,
};
use synchgraph::Tensor;

/// 5 nodes of 3 features, G1 4, G2 3, classifier 6, 2 classes, dropout on, minibatches of 4.
fn config(epochs: usize, iters: usize) -> LgrinConfig {
    LgrinConfig {
        nodes: 5,
        g1: 4,
        g2: 3,
        hidden: 6,
        batch: 4,
        iters_per_epoch: iters,
        epochs,
        lr: 0.05,
        lr_step: 2,
        lr_gamma: 0.5,
        seed: 7,
        ..LgrinConfig::reference(3, 2)
    }
}

fn data() -> (Vec<FrameMatrix>, Vec<usize>) {
    synthetic(16, 5, 3)
}

/// Train a fresh model of `c` on clips 0..12 with clips 12..16 for model selection.
fn run(c: LgrinConfig) -> (Lgrin, TrainOutcome, Vec<EpochLog>) {
    let (feats, labels) = data();
    let mut model = Lgrin::new(&gpu(), c).unwrap();
    let idx: Vec<usize> = (0..12).collect();
    let val: Vec<usize> = (12..16).collect();
    let mut seen = Vec::new();
    let outcome = train(
        &mut model,
        &feats,
        &labels,
        &idx,
        &val,
        &mut |_, _| {},
        &mut |e| seen.push(e.clone()),
    )
    .unwrap();
    (model, outcome, seen)
}

fn state(model: &mut Lgrin) -> Vec<NamedTensor> {
    model.state().unwrap()
}

#[test]
fn a_run_is_a_function_of_its_seed() {
    for iters in [0, 3] {
        let (mut a, oa, _) = run(config(2, iters));
        let (mut b, ob, _) = run(config(2, iters));
        let la: Vec<_> = oa.log.iter().map(|e| (e.train_loss, e.val_loss)).collect();
        let lb: Vec<_> = ob.log.iter().map(|e| (e.train_loss, e.val_loss)).collect();
        assert_eq!(la, lb, "iters_per_epoch {iters}");
        assert_eq!(oa.best_epoch, ob.best_epoch);
        assert_eq!(state(&mut a), state(&mut b), "iters_per_epoch {iters}");
        // Another seed draws other minibatches and another initialisation.
        let (mut other, _, _) = run(LgrinConfig {
            seed: 8,
            ..config(2, iters)
        });
        assert_ne!(state(&mut a), state(&mut other));
    }
}

#[test]
fn the_kept_epoch_is_the_state_that_epoch_ended_with() {
    let (mut full, outcome, seen) = run(config(4, 0));
    assert_eq!(seen.len(), 4);
    assert_eq!(outcome.log.len(), 4);
    // Best validation accuracy, then lowest validation loss, the first of equals.
    let mut want = 0;
    for (k, e) in seen.iter().enumerate() {
        let (a, l) = (e.val_accuracy.unwrap(), e.val_loss.unwrap());
        let (ba, bl) = (
            seen[want].val_accuracy.unwrap(),
            seen[want].val_loss.unwrap(),
        );
        if a > ba || (a == ba && l < bl) {
            want = k;
        }
    }
    assert_eq!(outcome.best_epoch, want);
    // A run stopped after the kept epoch ends in that epoch's state: the same state.
    let (mut short, short_outcome, _) = run(config(want + 1, 0));
    assert_eq!(short_outcome.best_epoch, want);
    assert_eq!(state(&mut full), state(&mut short));
}

#[test]
fn step_lr_decays_after_every_lr_step_epochs() {
    let (_, outcome, _) = run(config(5, 0));
    let lrs: Vec<f32> = outcome.log.iter().map(|e| e.lr).collect();
    assert_eq!(lrs, vec![0.05, 0.05, 0.025, 0.025, 0.0125]);
}

#[test]
fn evaluation_leaves_the_running_statistics_alone() {
    let (mut model, _, _) = run(config(1, 0));
    let (feats, _) = data();
    let before = state(&mut model);
    let refs: Vec<&FrameMatrix> = feats.iter().collect();
    let first = predict_proba(&mut model, &refs).unwrap();
    let second = predict_proba(&mut model, &refs).unwrap();
    assert_eq!(first, second);
    assert_eq!(before, state(&mut model));
}

#[test]
fn a_saved_model_loads_to_the_same_state_and_predictions() {
    let g = gpu();
    for (k, c) in [
        config(2, 0),
        LgrinConfig {
            learned_p: false,
            inception: false,
            ..config(2, 0)
        },
        LgrinConfig {
            maxpool_graph: synchgraph::models::lgrin::MaxpoolGraph::Learned,
            ..config(2, 0)
        },
    ]
    .into_iter()
    .enumerate()
    {
        let (mut model, _, _) = run(c);
        let (feats, _) = data();
        let refs: Vec<&FrameMatrix> = feats.iter().collect();
        let want = predict_proba(&mut model, &refs).unwrap();
        let mut settings = FeatureSettings::for_format(DatasetFormat::Features, 5);
        settings.dims = 3;
        let dir =
            std::env::temp_dir().join(format!("lgrin-training-checks-{}-{k}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.safetensors");
        save_model(&mut model, &["a".into(), "b".into()], &settings, &path).unwrap();
        let loaded = load_model(&g, &path);
        std::fs::remove_dir_all(&dir).unwrap();
        let mut loaded = loaded.unwrap();
        assert_eq!(loaded.model.config, model.config);
        assert_eq!(state(&mut loaded.model), state(&mut model));
        assert_eq!(predict_proba(&mut loaded.model, &refs).unwrap(), want);
    }
}

// ---------------------------------------------------------------------------------------------
// One training-mode step against a plain f64 host computation.

/// Parameters and statistics by name, in f64.
type Host = HashMap<String, (Vec<usize>, Vec<f64>)>;

fn host_state(model: &mut Lgrin) -> Host {
    state(model)
        .into_iter()
        .map(|(n, s, v)| (n, (s, v.iter().map(|&x| f64::from(x)).collect())))
        .collect()
}

fn vector<'a>(s: &'a Host, name: &str) -> &'a [f64] {
    &s.get(name).unwrap_or_else(|| panic!("no tensor {name}")).1
}

fn matrix(s: &Host, name: &str) -> Mat {
    let (shape, v) = s.get(name).unwrap_or_else(|| panic!("no tensor {name}"));
    Mat {
        rows: shape[0],
        cols: shape[1],
        v: v.clone(),
    }
}

/// x W + b on every graph.
fn linear(s: &Host, name: &str, xs: &[Mat]) -> Vec<Mat> {
    let w = matrix(s, &format!("{name}.weight"));
    let b = vector(s, &format!("{name}.bias"));
    xs.iter()
        .map(|x| {
            let mut y = matmul(x, &w);
            for r in 0..y.rows {
                for c in 0..y.cols {
                    y.set(r, c, y.at(r, c) + b[c]);
                }
            }
            y
        })
        .collect()
}

/// Training-mode batch norm over the rows of every graph together (biased batch variance),
/// with γ / β when `affine`; records the running statistics PyTorch would keep in `next`.
fn batch_norm(s: &Host, next: &mut Host, name: &str, xs: &[Mat], affine: bool) -> Vec<Mat> {
    let cols = xs[0].cols;
    let n = xs.iter().map(|x| x.rows).sum::<usize>() as f64;
    let mut mean = vec![0.0; cols];
    let mut var = vec![0.0; cols];
    for c in 0..cols {
        let all: Vec<f64> = xs
            .iter()
            .flat_map(|x| (0..x.rows).map(move |r| x.at(r, c)))
            .collect();
        mean[c] = all.iter().sum::<f64>() / n;
        var[c] = all.iter().map(|v| (v - mean[c]).powi(2)).sum::<f64>() / n;
    }
    let rm = vector(s, &format!("{name}.running_mean"));
    let rv = vector(s, &format!("{name}.running_var"));
    next.insert(
        format!("{name}.running_mean"),
        (
            vec![cols],
            (0..cols).map(|c| 0.9 * rm[c] + 0.1 * mean[c]).collect(),
        ),
    );
    next.insert(
        format!("{name}.running_var"),
        (
            vec![cols],
            (0..cols)
                .map(|c| 0.9 * rv[c] + 0.1 * var[c] * n / (n - 1.0))
                .collect(),
        ),
    );
    let (gamma, beta) = if affine {
        (
            vector(s, &format!("{name}.weight")).to_vec(),
            vector(s, &format!("{name}.bias")).to_vec(),
        )
    } else {
        (vec![1.0; cols], vec![0.0; cols])
    };
    xs.iter()
        .map(|x| {
            let mut y = x.clone();
            for r in 0..x.rows {
                for c in 0..cols {
                    let xhat = (x.at(r, c) - mean[c]) / (var[c] + 1e-5).sqrt();
                    y.set(r, c, xhat * gamma[c] + beta[c]);
                }
            }
            y
        })
        .collect()
}

fn gconv(s: &Host, next: &mut Host, name: &str, agg: &[Mat]) -> Vec<Mat> {
    let t = linear(s, &format!("{name}.mlp0"), agg);
    let t: Vec<Mat> = batch_norm(s, next, &format!("{name}.mlp_bn"), &t, true)
        .iter()
        .map(relu)
        .collect();
    let t = linear(s, &format!("{name}.mlp1"), &t);
    batch_norm(s, next, &format!("{name}.bn"), &t, true)
        .iter()
        .map(relu)
        .collect()
}

/// The reference variant's logits of `clips` as one training minibatch (dropout 0), its loss
/// for `labels`, and the running statistics after the step.
fn host_step(
    c: &LgrinConfig,
    s: &Host,
    clips: &[FrameMatrix],
    labels: &[usize],
) -> (Vec<Vec<f64>>, f64, Host) {
    let m = c.nodes;
    let mut next = Host::new();
    let xs: Vec<Mat> = clips
        .iter()
        .map(|fm| Mat {
            rows: fm.rows,
            cols: fm.cols,
            v: fm.data.iter().map(|&v| f64::from(v)).collect(),
        })
        .collect();
    let a = matrix(s, "adjacency");
    let adj = relu(&a);
    let mut h = batch_norm(s, &mut next, "input_bn", &xs, false);
    for l in 0..c.layers {
        let agg: Vec<Mat> = h.iter().map(|hg| matmul(&adj, hg)).collect();
        let g1 = gconv(s, &mut next, &format!("inception{l}.g1"), &agg);
        let g2 = gconv(s, &mut next, &format!("inception{l}.g2"), &agg);
        h = h
            .iter()
            .zip(g1.iter().zip(&g2))
            .map(|(hg, (a1, a2))| {
                let mut mp = Mat::zeros(m, hg.cols);
                for i in 0..m {
                    for col in 0..hg.cols {
                        let nb = [i.wrapping_sub(1), i + 1];
                        let best = nb
                            .iter()
                            .filter(|&&j| j < m)
                            .map(|&j| hg.at(j, col))
                            .fold(f64::NEG_INFINITY, f64::max);
                        mp.set(i, col, best);
                    }
                }
                concat_cols(&[mp, a1.clone(), a2.clone()])
            })
            .collect();
    }
    let p = vector(s, "psi_p");
    let pooled: Vec<Mat> = h
        .iter()
        .map(|hg| {
            let w = hg.cols;
            let mut out = Mat::zeros(1, 3 * w);
            for col in 0..w {
                let column: Vec<f64> = (0..m).map(|i| hg.at(i, col)).collect();
                out.set(
                    0,
                    col,
                    column.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                out.set(0, w + col, (0..m).map(|i| p[i] * column[i]).sum());
                out.set(0, 2 * w + col, column.iter().sum::<f64>() / m as f64);
            }
            out
        })
        .collect();
    let z = linear(s, "classifier0", &pooled);
    let slope = vector(s, "prelu.weight");
    let z: Vec<Mat> = z
        .iter()
        .map(|zg| {
            let mut y = zg.clone();
            for k in 0..y.cols {
                let v = y.at(0, k);
                y.set(0, k, if v > 0.0 { v } else { slope[k] * v });
            }
            y
        })
        .collect();
    let logits: Vec<Vec<f64>> = linear(s, "classifier1", &z)
        .into_iter()
        .map(|m| m.v)
        .collect();
    let mut ce = 0.0;
    for (zg, &y) in logits.iter().zip(labels) {
        let top = zg.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = top + zg.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
        ce += lse - zg[y];
    }
    ce /= labels.len() as f64;
    let k = (m * m) as f64;
    let mut dist = 0.0;
    let mut sq = 0.0;
    for i in 0..m {
        for j in 0..m {
            let r = adj.at(i, j);
            dist += r * ((i as f64) - (j as f64)).powi(2);
            sq += r * r;
        }
    }
    let pen = p.iter().map(|v| v * v).sum::<f64>() / m as f64;
    let loss = ce + f64::from(c.lambda_struct) * (dist / k + sq / k) + f64::from(c.lambda_p) * pen;
    (logits, loss, next)
}

#[test]
fn a_training_step_matches_the_host_computation() {
    // One epoch moves every parameter and statistic away from its initial value; then one more
    // training-mode forward pass (dropout 0, so it is deterministic) of three clips.
    let c = LgrinConfig {
        dropout: 0.0,
        ..config(1, 0)
    };
    let (mut model, _, _) = run(c.clone());
    let s = host_state(&mut model);
    let (feats, labels) = data();
    let clips: Vec<FrameMatrix> = feats[12..15].to_vec();
    let y: Vec<usize> = labels[12..15].to_vec();
    let (want_logits, want_loss, want_stats) = host_step(&c, &s, &clips, &y);

    let g = gpu();
    let refs: Vec<&FrameMatrix> = clips.iter().collect();
    let x = node_major(&refs, c.nodes, c.in_dims).unwrap();
    let xt = Tensor::from_f32(&g, &[c.nodes * clips.len(), c.in_dims], &x).unwrap();
    let yt = Tensor::from_u32(
        &g,
        &[y.len()],
        &y.iter().map(|&v| v as u32).collect::<Vec<_>>(),
    )
    .unwrap();
    let mut tape = Tape::new(&g, true, 1);
    let fwd = model.forward(&mut tape, &xt, clips.len()).unwrap();
    let loss = model.loss(&mut tape, &fwd, &yt).unwrap();
    let logits = fwd.logits.value().to_f32().unwrap();
    let loss = f64::from(loss.value().to_f32().unwrap()[0]);
    for (k, want) in want_logits.iter().enumerate() {
        for (j, w) in want.iter().enumerate() {
            let got = f64::from(logits[k * c.classes + j]);
            assert!(
                (got - w).abs() <= 1e-4 * (1.0 + w.abs()),
                "clip {k} class {j}: {got} vs {w}"
            );
        }
    }
    assert!(
        (loss - want_loss).abs() <= 1e-4 * (1.0 + want_loss.abs()),
        "loss {loss} vs {want_loss}"
    );
    let after = host_state(&mut model);
    assert!(!want_stats.is_empty());
    for (name, (_, want)) in &want_stats {
        let got = vector(&after, name);
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                "{name}: {got:?} vs {want:?}"
            );
        }
    }
}

/// Loss of one training-mode pass (dropout 0) of the batch `x`/`y` of `b` graphs.
fn step_loss(model: &mut Lgrin, x: &Tensor, y: &Tensor, b: usize) -> f64 {
    let g = model.gpu().clone();
    let mut tape = Tape::new(&g, true, 1);
    let fwd = model.forward(&mut tape, x, b).unwrap();
    let loss = model.loss(&mut tape, &fwd, y).unwrap();
    f64::from(loss.value().to_f32().unwrap()[0])
}

#[test]
fn the_gradient_of_every_parameter_matches_finite_differences() {
    // Central differences (step 2e-3, f32 losses) of a few entries of every parameter against
    // the tape's gradient, for the reference and the paper variant: |analytic - numeric| <=
    // 2e-3 + 5e-2 |numeric| for at least 3 of every 4 entries (a ReLU kink or a max switching
    // between the two evaluations may spoil one), and all within 2e-2 + 0.5 |numeric|.
    for base in [LgrinConfig::reference(3, 2), LgrinConfig::paper(3, 2)] {
        let c = LgrinConfig {
            dropout: 0.0,
            lambda_struct: 0.1,
            lambda_p: 0.1,
            ..LgrinConfig {
                a_init: base.a_init,
                loss_means: base.loss_means,
                maxpool_graph: base.maxpool_graph,
                ..config(1, 0)
            }
        };
        let (mut model, _, _) = run(c.clone());
        let g = gpu();
        let (feats, labels) = data();
        let refs: Vec<&FrameMatrix> = feats[..4].iter().collect();
        let b = refs.len();
        let x = node_major(&refs, c.nodes, c.in_dims).unwrap();
        let x = Tensor::from_f32(&g, &[c.nodes * b, c.in_dims], &x).unwrap();
        let yv: Vec<u32> = labels[..4].iter().map(|&v| v as u32).collect();
        let y = Tensor::from_u32(&g, &[b], &yv).unwrap();
        let mut tape = Tape::new(&g, true, 1);
        let fwd = model.forward(&mut tape, &x, b).unwrap();
        let loss = model.loss(&mut tape, &fwd, &y).unwrap();
        model.store.zero_grad();
        tape.backward(&loss, &mut model.store).unwrap();
        let ids: Vec<_> = model.store.ids().collect();
        for id in ids {
            let name = model.store.name(id).to_string();
            let value = model.store.value(id).clone();
            let shape = value.shape().to_vec();
            let v0 = value.to_f32().unwrap();
            let grad = model
                .store
                .grad(id)
                .unwrap_or_else(|| panic!("{name} has no gradient"))
                .to_f32()
                .unwrap();
            let h = 2e-3f32;
            let mut good = 0;
            let picks: Vec<usize> = (0..4).map(|k| (k * 7 + 1) % v0.len()).collect();
            for &k in &picks {
                let mut diff = [0.0; 2];
                for (s, sign) in [1.0f32, -1.0].iter().enumerate() {
                    let mut v = v0.clone();
                    v[k] += sign * h;
                    model
                        .store
                        .set_value(id, Tensor::from_f32(&g, &shape, &v).unwrap())
                        .unwrap();
                    diff[s] = step_loss(&mut model, &x, &y, b);
                }
                model
                    .store
                    .set_value(id, Tensor::from_f32(&g, &shape, &v0).unwrap())
                    .unwrap();
                let numeric = (diff[0] - diff[1]) / (2.0 * f64::from(h));
                let analytic = f64::from(grad[k]);
                let err = (analytic - numeric).abs();
                assert!(
                    err <= 2e-2 + 0.5 * numeric.abs(),
                    "{:?} {name}[{k}]: analytic {analytic}, numeric {numeric}",
                    c.maxpool_graph
                );
                if err <= 2e-3 + 5e-2 * numeric.abs() {
                    good += 1;
                }
            }
            assert!(
                good >= 3,
                "{:?} {name}: only {good} of 4 entries agree",
                c.maxpool_graph
            );
        }
    }
}
