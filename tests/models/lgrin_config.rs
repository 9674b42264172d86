//! L-GrIN settings and sizes that used to panic or pass unchecked:
//!
//! * `layers::aggregate` (public) divided by the node count `m` unchecked: `m` = 0 panicked
//!   ("attempt to divide by zero"); it is now a shape error, as is an `m` that does not divide
//!   the rows.
//! * `LgrinConfig::validate` did not bound the layer widths: a G1 width near `usize::MAX` passed
//!   and `Lgrin::new` panicked adding widths ("attempt to add with overflow", debug builds), also
//!   when the configuration came from a checkpoint's metadata. Such widths are now a
//!   configuration error; a hidden width or class count near `usize::MAX` is an allocation error.
//! * `validate` accepted a NaN, infinite or negative `lambda_struct` / `lambda_p`. A NaN one
//!   built a model that `save_model` wrote with `null` in its configuration, which `load_model`
//!   then refused: the round trip failed.
//! * `train` did not check the configuration again, though its training settings are public
//!   fields of the built model: a `batch` set to 0 afterwards panicked in `one_pass_batches`.
//!
//! Exact checks only (error kinds and messages; no numeric tolerance involved).
use crate::common;

use common::fixtures::{small_lgrin, tiny_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::models::lgrin::layers::aggregate;
use synchgraph::models::lgrin::{load_model, save_model, train, Lgrin, LgrinConfig};
use synchgraph::{DType, Error, Tensor};

fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked instead of returning an error"))
}

#[test]
fn aggregate_refuses_a_node_count_that_does_not_divide_the_rows() {
    let g = gpu();
    let mut tape = Tape::new(&g, false, 0);
    let adj = tape.constant(&Tensor::zeros(&g, &[3, 3], DType::F32).unwrap());
    let h = tape.constant(&Tensor::zeros(&g, &[4, 2], DType::F32).unwrap());
    for m in [0, 3] {
        let r = no_panic(&format!("aggregate with m = {m}"), || {
            aggregate(&mut tape, &adj, &h, m).map(|v| v.shape().to_vec())
        });
        match r {
            Err(Error::Shape { .. }) => {}
            other => panic!("m = {m}: {other:?}"),
        }
    }
}

#[test]
fn overflowing_widths_are_refused_not_a_panic() {
    let g = gpu();
    let cases = [
        (
            "g1",
            LgrinConfig {
                g1: usize::MAX,
                ..tiny_lgrin()
            },
            true,
        ),
        (
            "g2",
            LgrinConfig {
                g2: usize::MAX - 1,
                ..tiny_lgrin()
            },
            true,
        ),
        (
            "layers",
            LgrinConfig {
                layers: usize::MAX / 2,
                ..tiny_lgrin()
            },
            true,
        ),
        (
            "in_dims",
            LgrinConfig {
                in_dims: usize::MAX / 2,
                ..tiny_lgrin()
            },
            true,
        ),
        (
            "hidden",
            LgrinConfig {
                hidden: usize::MAX,
                ..tiny_lgrin()
            },
            false,
        ),
        (
            "classes",
            LgrinConfig {
                classes: usize::MAX,
                ..tiny_lgrin()
            },
            false,
        ),
    ];
    for (name, config, refused_by_validate) in cases {
        let checked = config.validate();
        assert_eq!(checked.is_err(), refused_by_validate, "{name}: {checked:?}");
        if let Err(e) = checked {
            assert!(matches!(e, Error::Config(_)), "{name}: {e}");
            assert!(e.to_string().contains("widths overflow"), "{name}: {e}");
        }
        let built = no_panic(&format!("Lgrin::new with {name} near usize::MAX"), || {
            Lgrin::new(&g, config).map(|m| m.parameter_count())
        });
        assert!(built.is_err(), "{name}: {built:?}");
    }
}

#[test]
fn penalty_weights_must_be_finite_and_non_negative() {
    for bad in [f32::NAN, f32::INFINITY, -0.1] {
        for (name, config) in [
            (
                "lambda_struct",
                LgrinConfig {
                    lambda_struct: bad,
                    ..tiny_lgrin()
                },
            ),
            (
                "lambda_p",
                LgrinConfig {
                    lambda_p: bad,
                    ..tiny_lgrin()
                },
            ),
        ] {
            match config.validate() {
                Err(Error::Config(m)) => assert!(m.contains(name), "{m}"),
                other => panic!("{name} = {bad}: {other:?}"),
            }
        }
    }
    // 0 switches a penalty off and is accepted.
    LgrinConfig {
        lambda_struct: 0.0,
        lambda_p: 0.0,
        ..tiny_lgrin()
    }
    .validate()
    .unwrap();
}

#[test]
fn a_model_that_can_be_built_can_be_saved_and_loaded() {
    // The model a NaN penalty weight used to build saved `null` into its configuration.
    let g = gpu();
    let nan = LgrinConfig {
        lambda_struct: f32::NAN,
        ..tiny_lgrin()
    };
    assert!(Lgrin::new(&g, nan).is_err());
    let mut model = Lgrin::new(&g, tiny_lgrin()).unwrap();
    let mut settings = FeatureSettings::for_format(DatasetFormat::Features, 4);
    settings.dims = 3;
    let dir = std::env::temp_dir().join(format!("review3-lgrin-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    save_model(&mut model, &["a".into(), "b".into()], &settings, &path).unwrap();
    let loaded = load_model(&g, &path);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(loaded.unwrap().model.config, tiny_lgrin());
}

#[test]
fn train_checks_a_configuration_changed_after_building() {
    let g = gpu();
    let (feats, labels) = two_class_node_graphs(6, 10, 5);
    let idx: Vec<usize> = (0..6).collect();
    let mut model = Lgrin::new(&g, small_lgrin(LgrinConfig::reference(5, 2), 4, 1)).unwrap();
    model.config.batch = 0;
    let r = no_panic("train with batch 0", || {
        train(
            &mut model,
            &feats,
            &labels,
            &idx,
            &[],
            &mut |_, _| {},
            &mut |_| {},
        )
        .map(|o| o.best_epoch)
    });
    match r {
        Err(Error::Config(m)) => assert!(m.contains("batch"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Set back, the same model trains.
    model.config.batch = 4;
    train(
        &mut model,
        &feats,
        &labels,
        &idx,
        &[],
        &mut |_, _| {},
        &mut |_| {},
    )
    .unwrap();
}
