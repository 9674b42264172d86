//! Run outputs: checkpoints round-trip exactly and fail clearly when damaged, figures decode as
//! PNGs of the expected size, and metrics serialise to a stable JSON shape.

use crate::common;

use std::path::PathBuf;

use common::gpu;
use synchgraph::autodiff::ParamStore;
use synchgraph::report::{plot, Checkpoint, Confusion};
use synchgraph::{Error, Tensor};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-report-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn checkpoint_round_trips_tensors_and_metadata_atomically() {
    let dir = scratch("ckpt");
    let path = dir.join("model.safetensors");
    let mut ck = Checkpoint::new();
    ck.insert(
        "w",
        &[2, 3],
        vec![1.0, -2.5, 3.25, 0.0, f32::MIN_POSITIVE, 7.0],
    )
    .unwrap();
    ck.insert("b", &[3], vec![0.5, 0.25, -0.125]).unwrap();
    ck.set_meta("classes", "anger,boredom");
    ck.save(&path).unwrap();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        vec!["model.safetensors".to_string()],
        "no temporary file is left"
    );
    let back = Checkpoint::load(&path).unwrap();
    assert_eq!(back, ck);
    assert_eq!(back.meta("classes").unwrap(), "anger,boredom");
    assert!(back.meta("missing").is_err());
    assert!(ck.insert("bad", &[2, 2], vec![1.0]).is_err());
}

#[test]
fn damaged_checkpoints_are_clear_errors() {
    let dir = scratch("damaged");
    let path = dir.join("model.safetensors");
    let mut ck = Checkpoint::new();
    ck.insert("w", &[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    ck.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    std::fs::write(&path, b"not a checkpoint").unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    let err = Checkpoint::load(&dir.join("absent.safetensors")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn parameters_reload_into_a_store_and_shapes_are_checked() {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add(
        "layer.w",
        Tensor::from_f32(&g, &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap(),
        0.0,
    );
    let mut ck = Checkpoint::new();
    ck.insert_params(&store).unwrap();
    let mut other = ParamStore::new();
    let id2 = other.add(
        "layer.w",
        Tensor::zeros(&g, &[2, 2], synchgraph::DType::F32).unwrap(),
        0.0,
    );
    ck.load_params(&mut other).unwrap();
    assert_eq!(
        other.value(id2).to_f32().unwrap(),
        store.value(id).to_f32().unwrap()
    );
    let mut wrong = ParamStore::new();
    wrong.add(
        "layer.w",
        Tensor::zeros(&g, &[4], synchgraph::DType::F32).unwrap(),
        0.0,
    );
    let err = ck.load_params(&mut wrong).unwrap_err();
    assert!(err.to_string().contains("layer.w"), "{err}");
}

#[test]
fn a_failed_parameter_load_leaves_the_store_as_it_was() {
    let g = gpu();
    let mut store = ParamStore::new();
    let a = store.add("a", Tensor::from_f32(&g, &[2], &[5.0, 6.0]).unwrap(), 0.0);
    let b = store.add("b", Tensor::from_f32(&g, &[2], &[7.0, 8.0]).unwrap(), 0.0);
    let mut ck = Checkpoint::new();
    ck.insert("a", &[2], vec![1.0, 2.0]).unwrap();
    ck.insert("b", &[3], vec![1.0, 2.0, 3.0]).unwrap();
    let err = ck.load_params(&mut store).unwrap_err();
    assert!(err.to_string().contains("\"b\""), "{err}");
    assert_eq!(store.value(a).to_f32().unwrap(), vec![5.0, 6.0]);
    assert_eq!(store.value(b).to_f32().unwrap(), vec![7.0, 8.0]);
}

#[test]
fn a_parameter_of_another_dtype_fails_the_load_before_any_value_changes() {
    let g = gpu();
    let mut store = ParamStore::new();
    let a = store.add("a", Tensor::from_f32(&g, &[2], &[5.0, 6.0]).unwrap(), 0.0);
    // An f16 parameter: the checkpoint's f32 tensor for it cannot be set.
    store.add(
        "b",
        Tensor::from_f16(&g, &[2], &[half::f16::ONE, half::f16::ONE]).unwrap(),
        0.0,
    );
    let mut ck = Checkpoint::new();
    ck.insert("a", &[2], vec![1.0, 2.0]).unwrap();
    ck.insert("b", &[2], vec![3.0, 4.0]).unwrap();
    assert!(ck.load_params(&mut store).is_err());
    assert_eq!(store.value(a).to_f32().unwrap(), vec![5.0, 6.0]);
}

#[test]
fn a_checkpoint_refuses_two_tensors_of_one_name() {
    let g = gpu();
    let mut store = ParamStore::new();
    store.add("fc.w", Tensor::from_f32(&g, &[1], &[1.0]).unwrap(), 0.0);
    store.add("fc.w", Tensor::from_f32(&g, &[1], &[2.0]).unwrap(), 0.0);
    let err = Checkpoint::new().insert_params(&store).unwrap_err();
    assert!(err.to_string().contains("\"fc.w\" is added twice"), "{err}");
}

#[test]
fn figures_are_pngs_of_the_expected_size() {
    let dir = scratch("plots");
    let loss = dir.join("loss.png");
    let train = [2.0, 1.5, 1.1, 0.9, f32::NAN, 0.7];
    let val = [2.1, 1.7, 1.4, 1.3, 1.3, 1.2];
    plot::line_plot(&loss, "Loss", "epoch", &[("train", &train), ("val", &val)]).unwrap();
    assert_eq!(image::image_dimensions(&loss).unwrap(), (800, 500));
    assert!(plot::line_plot(&loss, "Loss", "epoch", &[("nan", &[f32::NAN])]).is_err());

    let adj = dir.join("adjacency.png");
    let values: Vec<f32> = (0..120 * 120).map(|i| ((i % 120) as f32).sin()).collect();
    plot::heatmap(&adj, "ReLU(A)", &values, 120, 120).unwrap();
    assert_eq!(
        image::image_dimensions(&adj).unwrap(),
        (120 * 5 + 160, 120 * 5 + 70)
    );
    assert!(plot::heatmap(&adj, "bad", &values, 10, 10).is_err());

    let conf = Confusion::new(3, &[0, 1, 2, 2], &[0, 1, 1, 2]).unwrap();
    let names: Vec<String> = ["anger", "fear", "neutral"].map(String::from).to_vec();
    let cpath = dir.join("confusion.png");
    plot::confusion_plot(&cpath, "Confusion", &conf, &names).unwrap();
    let img = image::open(&cpath).unwrap().to_rgb8();
    assert!(img.width() > 3 * 56 && img.height() > 3 * 56);
    assert!(plot::confusion_plot(&cpath, "c", &conf, &names[..2]).is_err());

    let raster = dir.join("raster.png");
    plot::raster_plot(
        &raster,
        "Spikes",
        &[(0, 1.0), (5, 100.0), (9, 499.0)],
        10,
        500.0,
        5,
    )
    .unwrap();
    assert_eq!(image::image_dimensions(&raster).unwrap(), (900, 540));
}

#[test]
fn metrics_json_shape_is_stable() {
    let conf = Confusion::new(2, &[0, 1, 1, 1], &[0, 1, 0, 1]).unwrap();
    let summary = serde_json::json!({
        "accuracy": conf.accuracy(),
        "unweighted_accuracy": conf.unweighted_accuracy(),
        "per_class_recall": conf.per_class_recall(),
        "confusion": conf,
    });
    insta::assert_json_snapshot!(summary);
}
