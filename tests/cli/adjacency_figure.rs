//! `train lgrin` draws the adjacency its model aggregates with as `adjacency.png`; a run
//! without a learned A (`--fixed-adjacency`, `--model gcn-baseline`) draws the fixed temporal
//! graph, and its title must say so rather than call it the learned ReLU(A).

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
