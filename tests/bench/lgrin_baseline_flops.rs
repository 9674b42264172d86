//! `lgrin_forward_flops` counts the dense products of the model the configuration builds. The
//! GCN baseline builds one plain linear G*conv per layer (no MLP, no G2 branch, no max-pool
//! branch, so each layer's output is G1 wide) whatever the MLP and inception switches say; the
//! count must not add the L-GrIN layers' products to it. The expected count is taken from the
//! weights of the model itself: every linear map `[in, out]` is one product over the m x b node
//! rows (G*conv) or the b graph rows (classifier), and every layer aggregates its input once
//! (`ReLU(A) · H`, [m, m] times [m, b x in]).

use crate::common;
use synchgraph::bench::cases_train::{lgrin_config, lgrin_forward_flops};
use synchgraph::models::lgrin::{Lgrin, LgrinConfig, ModelKind};

/// Forward dense-product FLOPs of `config`'s model on `b` graphs, from its parameters.
fn counted_from_model(config: &LgrinConfig, b: u64) -> u64 {
    let model = Lgrin::new(&common::gpu(), config.clone()).unwrap();
    let m = config.nodes as u64;
    let mut total = 0;
    for id in model.store.ids() {
        let name = model.store.name(id);
        let shape = model.store.value(id).shape();
        if !name.ends_with(".weight") || shape.len() != 2 {
            continue; // biases, batch norms, PReLU slopes, A and p
        }
        let (i, o) = (shape[0] as u64, shape[1] as u64);
        let rows = if name.starts_with("classifier") {
            b
        } else {
            m * b
        };
        total += 2 * rows * i * o;
        // The first linear map of a layer's G1 branch reads that layer's aggregation.
        let first = name.ends_with(".lin.weight") || name.ends_with(".mlp0.weight");
        if first && (name.starts_with("gcn") || name.contains(".g1.")) {
            total += 2 * m * m * b * i;
        }
    }
    total
}

#[test]
fn the_gcn_baseline_forward_counts_its_own_layers() {
    let b = 16;
    let baseline = LgrinConfig {
        model: ModelKind::GcnBaseline,
        ..lgrin_config(b)
    };
    assert_eq!(
        lgrin_forward_flops(&baseline, b),
        counted_from_model(&baseline, b as u64),
        "GCN baseline: plain linear G*conv layers, G1 wide"
    );
}

#[test]
fn the_lgrin_forward_counts_its_own_layers() {
    let b = 16;
    let reference = lgrin_config(b);
    assert_eq!(
        lgrin_forward_flops(&reference, b),
        counted_from_model(&reference, b as u64)
    );
    let single = LgrinConfig {
        inception: false,
        gconv_mlp: false,
        ..reference
    };
    assert_eq!(
        lgrin_forward_flops(&single, b),
        counted_from_model(&single, b as u64)
    );
}
