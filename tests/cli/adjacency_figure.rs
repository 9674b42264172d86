//! `train lgrin` draws the adjacency its model aggregates with as `adjacency.png`; a run
//! without a learned A (`--fixed-adjacency`, `--model gcn-baseline`) draws the fixed temporal
//! graph, and its title must say so rather than call it the learned ReLU(A). Likewise
//! `loss.png` of the GCN baseline is titled as the baseline's, not as L-GrIN's.

use crate::common;

use common::cli::*;
use synchgraph::models::lgrin::model::{normalised_temporal, temporal_adjacency};
use synchgraph::report::plot;

#[test]
fn a_fixed_graph_is_not_titled_learned() {
    let d = scratch("adjacency-figure", "fixed");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let cases: [(&str, &[&str], Vec<f32>, &str); 2] = [
        (
            "fixed",
            &["--fixed-adjacency"],
            temporal_adjacency(4),
            "fixed temporal adjacency A",
        ),
        (
            "gcn",
            &["--model", "gcn-baseline"],
            normalised_temporal(4),
            "fixed normalised temporal adjacency",
        ),
    ];
    for (name, flags, values, title) in cases {
        let out = d.join(name);
        let mut extra = vec!["--folds", "2", "--epochs", "1", "--hidden", "4"];
        extra.extend_from_slice(flags);
        let args = lgrin_args(s(&data), s(&out), &extra);
        succeeds(&run_for(&args, &[], 300), name);
        let drawn = std::fs::read(out.join("adjacency.png")).unwrap();
        let learned = d.join(format!("{name}-learned.png"));
        plot::heatmap(&learned, "learned ReLU(A)", &values, 4, 4).unwrap();
        assert_ne!(
            drawn,
            std::fs::read(&learned).unwrap(),
            "{name}: the fixed graph is titled learned ReLU(A)"
        );
        let fixed = d.join(format!("{name}-fixed.png"));
        plot::heatmap(&fixed, title, &values, 4, 4).unwrap();
        assert_eq!(
            drawn,
            std::fs::read(&fixed).unwrap(),
            "{name}: not '{title}'"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_baseline_loss_figure_is_titled_as_the_baseline() {
    let d = scratch("adjacency-figure", "loss");
    let data = d.join("data");
    npy_dataset(&data, 2, 4);
    let out = d.join("gcn");
    let extra = [
        "--folds",
        "2",
        "--epochs",
        "2",
        "--hidden",
        "4",
        "--model",
        "gcn-baseline",
    ];
    succeeds(
        &run_for(&lgrin_args(s(&data), s(&out), &extra), &[], 300),
        "gcn",
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let log = m["epochs_log"].as_array().unwrap();
    let value = |e: &serde_json::Value, k: &str| e[k].as_f64().map_or(f32::NAN, |v| v as f32);
    let train: Vec<f32> = log.iter().map(|e| value(e, "train_loss")).collect();
    let val: Vec<f32> = log.iter().map(|e| value(e, "val_loss")).collect();
    let drawn = std::fs::read(out.join("loss.png")).unwrap();
    let want = d.join("want.png");
    plot::line_plot(
        &want,
        "GCN baseline training loss",
        "epoch",
        &[("train loss", &train), ("validation CE", &val)],
    )
    .unwrap();
    assert!(
        drawn == std::fs::read(&want).unwrap(),
        "loss.png is not titled as the baseline's"
    );
    let _ = std::fs::remove_dir_all(&d);
}
