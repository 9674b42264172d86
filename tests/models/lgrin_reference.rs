//! The whole L-GrIN forward pass in evaluation mode against an independent f64 host computation.
//!
//! Each test trains a tiny model for a few steps, so that the weights, the Ψ weights p, the PReLU
//! slopes, the adjacency and every batch-norm running statistic have moved away from their
//! initial values. It then reads the parameters and running statistics through `Lgrin::state`
//! and recomputes, clip by clip and in plain f64, the class probabilities of unseen clips from the
//! model's documented semantics (no engine kernel or model method computes any value):
//!
//! * input batch norm without affine parameters: (x - running mean) / sqrt(running var + 1e-5);
//! * per inception layer the columns [1-hop max pool | G1*conv | G2*conv], where
//!   - the max pool takes, per node and feature, the max over the node's neighbours: nodes i - 1
//!     and i + 1 but not i itself (reference variant), or the nodes j with ReLU(A)[i, j] > 0
//!     (paper variant); 0 for a node without neighbours;
//!   - a G*conv is ReLU(BN(MLP(ReLU(A) H))), (ReLU(A) H)[i] = Σ_j ReLU(A)[i, j] H[j], the MLP
//!     Linear → BN → ReLU → Linear of hidden width (in + out) / 4 (a single Linear when ablated),
//!     every BN with γ, β and running statistics;
//! * readout [max over nodes | Hᵀp | mean over nodes] (GCN baseline: [max | mean]);
//! * classifier Linear → Dropout (off: p = 0.5 is configured) → PReLU → Linear, then softmax.
//!
//! In evaluation mode nothing couples the clips of a minibatch, so the host computes each clip
//! alone as an [m, f] matrix, while the model runs node-major minibatches ([m · b, f], row
//! node · b + clip) of `batch` = 2 clips: the three clips make a full and a partial minibatch.
//!
//! Tolerance: the model computes in f32 and the host in f64 from the same f32 inputs and
//! parameters, so they differ only by f32 rounding through about fifteen layers (observed on
//! lavapipe: at most 4e-7 on probabilities and on logits relative to 1 + |z|). Probabilities
//! must agree to 1e-5 absolute and logits (from `Lgrin::forward` on an evaluation tape) to
//! 1e-5 · (1 + |z|): a margin of over 20 for other devices' summation orders, while every
//! wiring mistake tried moves them by 5e-2 or more (Aᵀ for A, the concatenated parts in another
//! order, the node itself in the temporal max pool: see `the_comparison_detects_wiring_mistakes`).

// The host reference indexes several matrices with the same (row, column) pair; index loops
// read closest to the formulas they implement.
#![allow(clippy::needless_range_loop)]

use crate::common;

use std::collections::HashMap;

use crate::host_mat::{concat_cols, matmul, relu, Mat};
use common::{gpu, Rng};
use synchgraph::autodiff::Tape;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::model::node_major;
use synchgraph::models::lgrin::{predict_proba, Lgrin, LgrinConfig, MaxpoolGraph, ModelKind};
use synchgraph::Tensor;

/// PyTorch's batch-norm epsilon, which the model documents as its own.
const BN_EPS: f64 = 1e-5;
/// Absolute tolerance on probabilities, and the scale of the logits' tolerance (see the top).
const TOL: f64 = 1e-5;

/// The model's parameters and running statistics, by name, widened to f64.
struct State(HashMap<String, (Vec<usize>, Vec<f64>)>);

impl State {
    fn of(model: &mut Lgrin) -> State {
        let tensors = model.state().unwrap();
        State(
            tensors
                .into_iter()
                .map(|(name, shape, v)| (name, (shape, v.iter().map(|&x| f64::from(x)).collect())))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> (&[usize], &[f64]) {
        let (shape, v) = self
            .0
            .get(name)
            .unwrap_or_else(|| panic!("the model's state has no tensor '{name}'"));
        (shape, v)
    }

    /// A `[cols]` vector, checked against the width it is applied to.
    fn vector(&self, name: &str, cols: usize) -> &[f64] {
        let (shape, v) = self.get(name);
        assert_eq!(shape, [cols], "{name}");
        v
    }

    fn matrix(&self, name: &str) -> Mat {
        let (shape, v) = self.get(name);
        assert_eq!(shape.len(), 2, "{name} {shape:?}");
        Mat {
            rows: shape[0],
            cols: shape[1],
            v: v.to_vec(),
        }
    }
}

/// x W + b with `<name>.weight` [in, out] and `<name>.bias` [out].
fn linear(s: &State, name: &str, x: &Mat) -> Mat {
    let w = s.matrix(&format!("{name}.weight"));
    let b = s.vector(&format!("{name}.bias"), w.cols);
    let mut y = matmul(x, &w);
    for r in 0..y.rows {
        for c in 0..y.cols {
            y.set(r, c, y.at(r, c) + b[c]);
        }
    }
    y
}

/// Evaluation-mode batch norm `name` over the rows of x, with γ / β when `affine`.
fn batch_norm(s: &State, name: &str, x: &Mat, affine: bool) -> Mat {
    let n = x.cols;
    let mean = s.vector(&format!("{name}.running_mean"), n);
    let var = s.vector(&format!("{name}.running_var"), n);
    let ones = vec![1.0; n];
    let zeros = vec![0.0; n];
    let (gamma, beta) = if affine {
        (
            s.vector(&format!("{name}.weight"), n),
            s.vector(&format!("{name}.bias"), n),
        )
    } else {
        (&ones[..], &zeros[..])
    };
    let mut y = x.clone();
    for r in 0..x.rows {
        for c in 0..n {
            let xhat = (x.at(r, c) - mean[c]) / (var[c] + BN_EPS).sqrt();
            y.set(r, c, xhat * gamma[c] + beta[c]);
        }
    }
    y
}

/// G*conv `name` of the aggregated features agg = Adj · H: ReLU(BN(MLP(agg))).
fn gconv(s: &State, name: &str, agg: &Mat, mlp: bool) -> Mat {
    let t = if mlp {
        let t = linear(s, &format!("{name}.mlp0"), agg);
        let out = s.matrix(&format!("{name}.mlp1.weight")).cols;
        assert_eq!(t.cols, ((agg.cols + out) / 4).max(1), "{name}: MLP width");
        let t = relu(&batch_norm(s, &format!("{name}.mlp_bn"), &t, true));
        linear(s, &format!("{name}.mlp1"), &t)
    } else {
        linear(s, &format!("{name}.lin"), agg)
    };
    relu(&batch_norm(s, &format!("{name}.bn"), &t, true))
}

/// out[i, c] = max of h[j, c] over the j with mask[i, j] > 0 (0 without any).
fn neighbour_max(mask: &Mat, h: &Mat) -> Mat {
    let mut out = Mat::zeros(h.rows, h.cols);
    for i in 0..h.rows {
        for c in 0..h.cols {
            let best = (0..h.rows)
                .filter(|&j| mask.at(i, j) > 0.0)
                .map(|j| h.at(j, c))
                .reduce(f64::max);
            out.set(i, c, best.unwrap_or(0.0));
        }
    }
    out
}

/// The m x m 0/1 matrix with a one where `keep(|i - j|)`.
fn band(m: usize, keep: impl Fn(usize) -> bool) -> Mat {
    let mut a = Mat::zeros(m, m);
    for i in 0..m {
        for j in 0..m {
            a.set(i, j, if keep(i.abs_diff(j)) { 1.0 } else { 0.0 });
        }
    }
    a
}

/// Deliberate mistakes the reference can make, to show that the comparison catches them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wiring {
    /// The documented model.
    Faithful,
    /// Aggregate with ReLU(A)ᵀ.
    TransposedA,
    /// Concatenate [G1 | maxpool | G2].
    SwappedParts,
    /// Temporal max pool over i - 1, i and i + 1.
    SelfInMaxpool,
}

/// The logits of one clip [m, in_dims] in evaluation mode, wired as `wiring` says.
fn reference(c: &LgrinConfig, s: &State, clip: &FrameMatrix, wiring: Wiring) -> Vec<f64> {
    let m = c.nodes;
    let x = Mat {
        rows: clip.rows,
        cols: clip.cols,
        v: clip.data.iter().map(|&v| f64::from(v)).collect(),
    };
    let lgrin = c.model == ModelKind::Lgrin;
    // The adjacency of the aggregation: ReLU(A) when learned, else the temporal graph with self
    // loops, symmetrically normalised for the GCN baseline.
    let mut adj = if lgrin && c.learned_a {
        relu(&s.matrix("adjacency"))
    } else {
        band(m, |d| d <= 1)
    };
    assert_eq!((adj.rows, adj.cols), (m, m));
    if !lgrin {
        let deg: Vec<f64> = (0..m).map(|i| (0..m).map(|j| adj.at(i, j)).sum()).collect();
        for i in 0..m {
            for j in 0..m {
                adj.set(i, j, adj.at(i, j) / (deg[i] * deg[j]).sqrt());
            }
        }
    }
    let pool_mask = match (c.maxpool_graph, wiring) {
        (MaxpoolGraph::Temporal, Wiring::SelfInMaxpool) => band(m, |d| d <= 1),
        (MaxpoolGraph::Temporal, _) => band(m, |d| d == 1),
        (MaxpoolGraph::Learned, _) => adj.clone(),
    };
    if wiring == Wiring::TransposedA {
        adj = adj.transpose();
    }

    let mut h = batch_norm(s, "input_bn", &x, false);
    for l in 0..c.layers {
        let agg = matmul(&adj, &h);
        h = if !lgrin {
            gconv(s, &format!("gcn{l}"), &agg, false)
        } else {
            let name = format!("inception{l}");
            let g1 = gconv(s, &format!("{name}.g1"), &agg, c.gconv_mlp);
            if c.inception {
                let g2 = gconv(s, &format!("{name}.g2"), &agg, c.gconv_mlp);
                let mp = neighbour_max(&pool_mask, &h);
                match wiring {
                    Wiring::SwappedParts => concat_cols(&[g1, mp, g2]),
                    _ => concat_cols(&[mp, g1, g2]),
                }
            } else {
                g1
            }
        };
    }

    let w = h.cols;
    let mut max = Mat::zeros(1, w);
    let mut mean = Mat::zeros(1, w);
    let mut psi = Mat::zeros(1, w);
    let ones = vec![1.0; m];
    let p = if lgrin && c.learned_p {
        s.vector("psi_p", m)
    } else {
        &ones[..]
    };
    for col in 0..w {
        let column: Vec<f64> = (0..m).map(|i| h.at(i, col)).collect();
        max.set(
            0,
            col,
            column.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        mean.set(0, col, column.iter().sum::<f64>() / m as f64);
        psi.set(0, col, (0..m).map(|i| p[i] * column[i]).sum());
    }
    let pooled = if lgrin {
        concat_cols(&[max, psi, mean])
    } else {
        concat_cols(&[max, mean])
    };

    // Dropout is the identity in evaluation mode.
    let mut z = linear(s, "classifier0", &pooled);
    let slope = s.vector("prelu.weight", z.cols);
    for k in 0..z.cols {
        let v = z.at(0, k);
        z.set(0, k, if v > 0.0 { v } else { slope[k] * v });
    }
    linear(s, "classifier1", &z).v
}

fn softmax(z: &[f64]) -> Vec<f64> {
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - top).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// The tiny configuration every test starts from: 5 nodes (two end nodes with one temporal
/// neighbour, three with two), 4 features, 3 classes, minibatches of 2.
fn tiny(base: LgrinConfig) -> LgrinConfig {
    LgrinConfig {
        nodes: 5,
        g1: 4,
        g2: 3,
        hidden: 6,
        batch: 2,
        iters_per_epoch: 0,
        epochs: 2,
        lr: 0.05,
        seed: 3,
        ..base
    }
}

/// `n` clips of m nodes x f features, every value distinct; feature c has its own offset and
/// scale so that the input batch norm has something to undo.
fn clips(n: usize, m: usize, f: usize, seed: u64) -> Vec<FrameMatrix> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let mut fm = FrameMatrix::zeros(m, f);
            for r in 0..m {
                for c in 0..f {
                    fm.data[r * f + c] = 0.4 * c as f32 + (1.0 + c as f32) * rng.uniform(-1.0, 1.0);
                }
            }
            fm
        })
        .collect()
}

/// A model of `config` trained for a few steps (six minibatches of two clips, no validation
/// part, so the last step's state is kept), its state, and three unseen clips.
fn trained(config: LgrinConfig) -> (Lgrin, State, Vec<FrameMatrix>) {
    let (m, f) = (config.nodes, config.in_dims);
    let feats = clips(6, m, f, 11);
    let labels: Vec<usize> = (0..feats.len()).map(|i| i % config.classes).collect();
    let idx: Vec<usize> = (0..feats.len()).collect();
    let mut model = Lgrin::new(&gpu(), config).unwrap();
    common::fixtures::train_lgrin(&mut model, &feats, &labels, &idx, &[]);
    let state = State::of(&mut model);
    // The running statistics must have left their initial 0 and 1, or evaluation mode would
    // read as the identity.
    for (name, (_, v)) in &state.0 {
        let start = if name.ends_with(".running_mean") {
            0.0
        } else if name.ends_with(".running_var") {
            1.0
        } else {
            continue;
        };
        let moved = v.iter().map(|x| (x - start).abs()).fold(0.0, f64::max);
        assert!(moved > 1e-3, "{name} stayed at its initial value: {v:?}");
    }
    (model, state, clips(3, m, f, 99))
}

/// The model's logits [clips][classes] from one evaluation-mode forward pass of all the clips.
fn model_logits(model: &mut Lgrin, clips: &[FrameMatrix]) -> Vec<Vec<f64>> {
    let c = model.config.clone();
    let refs: Vec<&FrameMatrix> = clips.iter().collect();
    let x = node_major(&refs, c.nodes, c.in_dims).unwrap();
    let gpu = model.gpu().clone();
    let xt = Tensor::from_f32(&gpu, &[c.nodes * clips.len(), c.in_dims], &x).unwrap();
    let mut tape = Tape::new(&gpu, false, 0);
    let fwd = model.forward(&mut tape, &xt, clips.len()).unwrap();
    let z = fwd.logits.value().to_f32().unwrap();
    z.chunks(c.classes)
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .collect()
}

/// Largest |model - reference| over the probabilities (from `predict_proba`) and over the
/// logits relative to 1 + |z|, for the clips `eval`.
fn deviation(model: &mut Lgrin, s: &State, eval: &[FrameMatrix], wiring: Wiring) -> (f64, f64) {
    let c = model.config.clone();
    let refs: Vec<&FrameMatrix> = eval.iter().collect();
    let probs = predict_proba(model, &refs).unwrap();
    let logits = model_logits(model, eval);
    assert_eq!((probs.len(), logits.len()), (eval.len(), eval.len()));
    let (mut dp, mut dz) = (0.0f64, 0.0f64);
    for (k, clip) in eval.iter().enumerate() {
        let z = reference(&c, s, clip, wiring);
        let p = softmax(&z);
        assert_eq!(probs[k].len(), c.classes);
        for j in 0..c.classes {
            dp = dp.max((f64::from(probs[k][j]) - p[j]).abs());
            dz = dz.max((logits[k][j] - z[j]).abs() / (1.0 + z[j].abs()));
        }
    }
    (dp, dz)
}

/// Train `config`, then require the model to match the faithful reference.
fn check(label: &str, config: LgrinConfig) {
    let (mut model, s, eval) = trained(tiny(config));
    let (dp, dz) = deviation(&mut model, &s, &eval, Wiring::Faithful);
    eprintln!("{label}: probabilities within {dp:.2e}, logits within {dz:.2e} (1 + |z|)");
    assert!(
        dp <= TOL && dz <= TOL,
        "{label}: the model departs from the host reference: probabilities by {dp:.3e}, \
         logits by {dz:.3e} (1 + |z|); tolerance {TOL:e}"
    );
    // The comparison means something only if the clips get different, non-uniform answers.
    let refs: Vec<&FrameMatrix> = eval.iter().collect();
    let probs = predict_proba(&mut model, &refs).unwrap();
    let spread = probs
        .iter()
        .flatten()
        .map(|&p| (f64::from(p) - 1.0 / model.config.classes as f64).abs())
        .fold(0.0, f64::max);
    assert!(
        spread > 1e-2,
        "{label}: near-uniform probabilities {probs:?}"
    );
    assert!(probs.windows(2).all(|w| w[0] != w[1]), "{label}: {probs:?}");
}

#[test]
fn reference_variant_matches_the_host_computation() {
    let c = LgrinConfig::reference(4, 3);
    assert_eq!(c.maxpool_graph, MaxpoolGraph::Temporal);
    assert!(
        c.dropout > 0.0,
        "dropout must be configured for its absence to be checked"
    );
    check("reference", c);
}

#[test]
fn paper_variant_matches_the_host_computation() {
    let c = LgrinConfig::paper(4, 3);
    assert_eq!(c.maxpool_graph, MaxpoolGraph::Learned);
    check("paper", c);
}

#[test]
fn ablations_match_the_host_computation() {
    let base = LgrinConfig::reference(4, 3);
    check(
        "no G*conv MLP",
        LgrinConfig {
            gconv_mlp: false,
            ..base.clone()
        },
    );
    check(
        "no inception",
        LgrinConfig {
            inception: false,
            ..base.clone()
        },
    );
    check(
        "fixed A",
        LgrinConfig {
            learned_a: false,
            ..base.clone()
        },
    );
    check(
        "fixed p",
        LgrinConfig {
            learned_p: false,
            ..base
        },
    );
}

#[test]
fn gcn_baseline_matches_the_host_computation() {
    check(
        "GCN baseline",
        LgrinConfig {
            model: ModelKind::GcnBaseline,
            ..LgrinConfig::reference(4, 3)
        },
    );
}

#[test]
fn the_comparison_detects_wiring_mistakes() {
    let (mut model, s, eval) = trained(tiny(LgrinConfig::reference(4, 3)));
    for wiring in [
        Wiring::TransposedA,
        Wiring::SwappedParts,
        Wiring::SelfInMaxpool,
    ] {
        let (dp, dz) = deviation(&mut model, &s, &eval, wiring);
        eprintln!("{wiring:?}: probabilities move by {dp:.2e}, logits by {dz:.2e} (1 + |z|)");
        assert!(
            dp > 10.0 * TOL && dz > 10.0 * TOL,
            "{wiring:?} is not caught: probabilities move by {dp:.3e}, logits by {dz:.3e}"
        );
    }
}
