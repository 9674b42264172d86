//! A training run whose loss stops being finite fails naming the divergence and leaves the
//! model usable: with no epoch kept yet, its parameters are the ones it had when training began,
//! not the non-finite values the last steps spread into them.

use crate::common;

use common::fixtures::{small_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::models::lgrin::{train, Lgrin, LgrinConfig};

fn values(model: &Lgrin) -> Vec<Vec<f32>> {
    model
        .store
        .ids()
        .map(|id| model.store.value(id).to_f32().unwrap())
        .collect()
}

#[test]
fn a_diverged_run_puts_back_the_parameters_it_began_with() {
    let gpu = gpu();
    let (feats, labels) = two_class_node_graphs(12, 10, 5);
    let idx: Vec<usize> = (0..10).collect();
    let val: Vec<usize> = (10..12).collect();
    let mut config = small_lgrin(LgrinConfig::reference(5, 2), 5, 2);
    config.lr = 1e30;
    let mut model = Lgrin::new(&gpu, config).unwrap();
    let before = values(&model);
    let err = train(
        &mut model,
        &feats,
        &labels,
        &idx,
        &val,
        &mut |_, _| {},
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("training diverged"), "{err}");
    let after = values(&model);
    assert!(
        after.iter().flatten().all(|v| v.is_finite()),
        "the model kept non-finite parameters after: {err}"
    );
    assert_eq!(
        before, after,
        "the parameters are not those training began with"
    );
}
