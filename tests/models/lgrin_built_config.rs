//! The settings an `Lgrin` is built from stay true of it: a training setting changed on
//! `model.config` afterwards (the weight decay) is the one training uses, and a setting that
//! fixed the model's tensors when it was built (the class count, the node count, the widths,
//! the ablation switches) cannot be changed afterwards: inference, training and saving refuse
//! it rather than answer with tensors of the old shape read as the new one.

use crate::common;

use common::fixtures::two_class_node_graphs as synthetic;
use common::gpu;
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::{predict_proba, save_model, train, Lgrin, LgrinConfig};
use synchgraph::Error;

/// 5 nodes of 3 features, 3 classes, minibatches of 4, two epochs.
fn config() -> LgrinConfig {
    LgrinConfig {
        nodes: 5,
        g1: 4,
        g2: 3,
        hidden: 6,
        batch: 4,
        iters_per_epoch: 0,
        epochs: 2,
        lr: 0.05,
        seed: 3,
        ..LgrinConfig::reference(3, 3)
    }
}

fn fit(model: &mut Lgrin) -> synchgraph::Result<usize> {
    let (feats, labels) = synthetic(12, 5, 3);
    let idx: Vec<usize> = (0..12).collect();
    train(
        model,
        &feats,
        &labels,
        &idx,
        &[],
        &mut |_, _| {},
        &mut |_| {},
    )
    .map(|o| o.best_epoch)
}

#[test]
fn a_weight_decay_set_after_building_is_the_one_training_uses() {
    let g = gpu();
    let decayed = LgrinConfig {
        weight_decay: 0.5,
        ..config()
    };
    let mut built_with = Lgrin::new(&g, decayed.clone()).unwrap();
    fit(&mut built_with).unwrap();
    let mut set_after = Lgrin::new(&g, config()).unwrap();
    set_after.config.weight_decay = 0.5;
    fit(&mut set_after).unwrap();
    let mut without = Lgrin::new(&g, config()).unwrap();
    fit(&mut without).unwrap();
    let want = built_with.state().unwrap();
    assert_ne!(
        want,
        without.state().unwrap(),
        "the decay must change the run"
    );
    assert_eq!(set_after.state().unwrap(), want);
}

fn changed(what: &str) -> Lgrin {
    let mut model = Lgrin::new(&gpu(), config()).unwrap();
    match what {
        "classes" => model.config.classes = 2,
        "nodes" => model.config.nodes = 4,
        "hidden" => model.config.hidden = 7,
        "learned_p" => model.config.learned_p = false,
        "inception" => model.config.inception = false,
        _ => unreachable!(),
    }
    model
}

fn refused(what: &str, r: synchgraph::Result<impl std::fmt::Debug>) {
    match r {
        Err(Error::Config(m)) => assert!(m.contains(what), "{what}: {m}"),
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn a_shape_setting_changed_after_building_is_refused() {
    let (feats, _) = synthetic(4, 5, 3);
    for what in ["classes", "nodes", "hidden", "learned_p", "inception"] {
        let mut model = changed(what);
        let clips: Vec<FrameMatrix> = if what == "nodes" {
            (0..4).map(|_| FrameMatrix::zeros(4, 3)).collect()
        } else {
            feats.clone()
        };
        let refs: Vec<&FrameMatrix> = clips.iter().collect();
        refused(what, predict_proba(&mut model, &refs));
        let mut model = changed(what);
        if what != "nodes" {
            refused(what, fit(&mut model));
        }
        let mut settings = FeatureSettings::for_format(DatasetFormat::Features, model.config.nodes);
        settings.dims = 3;
        let dir =
            std::env::temp_dir().join(format!("lgrin-built-config-{}-{what}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.safetensors");
        let classes: Vec<String> = (0..model.config.classes).map(|k| k.to_string()).collect();
        let r = save_model(&mut model, &classes, &settings, &path);
        let written = path.exists();
        std::fs::remove_dir_all(&dir).unwrap();
        match r {
            Err(Error::Checkpoint { message, .. }) => assert!(message.contains(what), "{message}"),
            other => panic!("{what}: {other:?}"),
        }
        assert!(!written, "{what}: a model that cannot load was written");
    }
}
