//! L-GrIN model: a snapshot of the parameter shapes and count (reference variant, 32 LLD
//! features, 7 classes, and the GCN baseline), forward shapes, and that a few training steps on
//! separable synthetic graphs lower the loss for every ablation switch, and that batched
//! inference puts every clip's probabilities in its own row.

use crate::common;

use common::fixtures::{small_lgrin, two_class_node_graphs as synthetic};

use common::gpu;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::{predict_proba, Lgrin, LgrinConfig, MaxpoolGraph, ModelKind};

#[test]
fn parameter_shapes_and_count() {
    let g = gpu();
    let model = Lgrin::new(&g, LgrinConfig::reference(32, 7)).unwrap();
    let shapes: Vec<String> = model
        .parameter_shapes()
        .iter()
        .map(|(n, s)| format!("{n} {s:?}"))
        .collect();
    insta::assert_json_snapshot!(
        "lgrin_reference_parameters",
        (shapes, model.parameter_count())
    );
    let mut gcn = LgrinConfig::reference(32, 7);
    gcn.model = ModelKind::GcnBaseline;
    let base = Lgrin::new(&g, gcn).unwrap();
    let shapes: Vec<String> = base
        .parameter_shapes()
        .iter()
        .map(|(n, s)| format!("{n} {s:?}"))
        .collect();
    insta::assert_json_snapshot!("gcn_baseline_parameters", (shapes, base.parameter_count()));
}

#[test]
fn training_lowers_the_loss_for_every_switch() {
    let g = gpu();
    let (m, f) = (10, 5);
    let (feats, labels) = synthetic(24, m, f);
    let idx: Vec<usize> = (0..20).collect();
    let val: Vec<usize> = (20..24).collect();
    let mut base = small_lgrin(LgrinConfig::reference(f, 2), 10, 8);
    base.dropout = 0.0;
    let mut variants = vec![base.clone()];
    let mut paper = small_lgrin(LgrinConfig::paper(f, 2), 10, 8);
    paper.dropout = 0.0;
    assert_eq!(paper.maxpool_graph, MaxpoolGraph::Learned);
    variants.push(paper);
    for k in 0..5 {
        let mut v = base.clone();
        match k {
            0 => v.gconv_mlp = false,
            1 => v.inception = false,
            2 => v.learned_a = false,
            3 => v.learned_p = false,
            _ => v.model = ModelKind::GcnBaseline,
        }
        variants.push(v);
    }
    for cfg in variants {
        let mut model = Lgrin::new(&g, cfg.clone()).unwrap();
        let out = common::fixtures::train_lgrin(&mut model, &feats, &labels, &idx, &val);
        // Mean of the first two epochs against the last two (minibatch noise).
        let n = out.log.len();
        let first = (out.log[0].train_loss + out.log[1].train_loss) / 2.0;
        let last = (out.log[n - 1].train_loss + out.log[n - 2].train_loss) / 2.0;
        assert!(last < first, "{cfg:?}: loss {first} -> {last} did not fall");
        assert!(out.log.iter().all(|e| e.val_accuracy.is_some()));
    }
}

#[test]
fn one_pass_folds_a_single_leftover_graph_into_the_last_batch() {
    // 17 training graphs in batches of 8: two steps per epoch (8 and 9 graphs), every graph
    // once, where a third step of one graph (or a full batch repeating 7 graphs) would come.
    // 18 graphs leave two over: a third step of 2.
    use synchgraph::models::lgrin::one_pass_batches;
    assert_eq!(one_pass_batches(17, 8), [8, 9]);
    assert_eq!(one_pass_batches(18, 8), [8, 8, 2]);
    assert_eq!(one_pass_batches(9, 8), [9]);
    assert_eq!(one_pass_batches(3, 8), [3]);
    assert_eq!(one_pass_batches(16, 8), [8, 8]);
    let g = gpu();
    let (feats, labels) = synthetic(22, 10, 5);
    let val: Vec<usize> = (18..22).collect();
    for (n, steps_per_epoch) in [(17, 2), (18, 3), (16, 2)] {
        let idx: Vec<usize> = (0..n).collect();
        let mut model = Lgrin::new(&g, small_lgrin(LgrinConfig::reference(5, 2), 8, 3)).unwrap();
        let mut steps = Vec::new();
        synchgraph::models::lgrin::train(
            &mut model,
            &feats,
            &labels,
            &idx,
            &val,
            &mut |done, total| steps.push((done, total)),
            &mut |_| {},
        )
        .unwrap();
        let total = 3 * steps_per_epoch;
        let want: Vec<(usize, usize)> = (1..=total).map(|d| (d, total)).collect();
        assert_eq!(steps, want, "{n} graphs");
    }
}

#[test]
fn wrong_input_width_is_an_error() {
    let g = gpu();
    let mut cfg = LgrinConfig::reference(5, 2);
    cfg.nodes = 4;
    cfg.g1 = 4;
    cfg.g2 = 4;
    cfg.hidden = 4;
    let mut model = Lgrin::new(&g, cfg).unwrap();
    let bad = FrameMatrix::zeros(4, 6);
    let e = synchgraph::models::lgrin::predict_proba(&mut model, &[&bad])
        .unwrap_err()
        .to_string();
    assert!(e.contains("[4, 6]"), "{e}");
    let mut cfg = LgrinConfig::reference(5, 2);
    cfg.batch = 1;
    assert!(Lgrin::new(&g, cfg).is_err());
}

#[test]
fn batched_probabilities_equal_clip_by_clip_ones() {
    // 7 clips in minibatches of 3 (3 + 3 + 1): every clip's probabilities must land in its own
    // row. Evaluation mode has no batch statistics, so a clip scored alone gives the same
    // numbers up to float summation order (tolerance 1e-5 absolute).
    let g = gpu();
    let (m, f) = (6, 4);
    let (feats, _) = synthetic(7, m, f);
    let cfg = LgrinConfig {
        nodes: m,
        g1: 8,
        g2: 4,
        hidden: 16,
        batch: 3,
        ..LgrinConfig::reference(f, 3)
    };
    let mut model = Lgrin::new(&g, cfg).unwrap();
    let clips: Vec<&FrameMatrix> = feats.iter().collect();
    let batched = predict_proba(&mut model, &clips).unwrap();
    assert_eq!(batched.len(), 7);
    for (i, clip) in clips.iter().enumerate() {
        let alone = predict_proba(&mut model, &[*clip]).unwrap().remove(0);
        assert_eq!(alone.len(), 3);
        for (b, a) in batched[i].iter().zip(&alone) {
            assert!(
                (b - a).abs() <= 1e-5,
                "clip {i}: {:?} vs {alone:?}",
                batched[i]
            );
        }
    }
    // The clips differ, so a misplaced row cannot pass by accident.
    assert!(batched.windows(2).all(|w| w[0] != w[1]));
    assert!(predict_proba(&mut model, &[]).unwrap().is_empty());
}

/// `LgrinConfig::parameter_count` counts, without building the model, what the built model has.
#[test]
fn the_configured_parameter_count_matches_the_built_model_for_every_variant() {
    let gpu = common::gpu();
    let base = LgrinConfig {
        nodes: 12,
        hidden: 24,
        g1: 16,
        g2: 8,
        ..LgrinConfig::reference(10, 4)
    };
    let variants = [
        base.clone(),
        LgrinConfig {
            inception: false,
            ..base.clone()
        },
        LgrinConfig {
            gconv_mlp: false,
            layers: 3,
            ..base.clone()
        },
        LgrinConfig {
            learned_a: false,
            learned_p: false,
            ..base.clone()
        },
        LgrinConfig {
            model: ModelKind::GcnBaseline,
            ..base.clone()
        },
    ];
    for c in variants {
        let want = Lgrin::new(&gpu, c.clone()).unwrap().parameter_count();
        assert_eq!(c.parameter_count(), Some(want), "{c:?}");
    }
    // A count past usize is None, not a wrapped number.
    let huge = LgrinConfig {
        g1: usize::MAX / 8,
        ..base
    };
    assert_eq!(huge.parameter_count(), None);
}
