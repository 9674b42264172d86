//! A training run whose loss stops being finite fails naming the divergence and leaves the
//! model usable: with no epoch kept yet, its parameters are the ones it had when training began,
//! not the non-finite values the last steps spread into them. The same holds when only the last
//! step's update overflows the parameters, which no loss of the run shows.

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

#[test]
fn a_last_step_that_overflows_the_parameters_is_a_divergence_too() {
    // One step per epoch, one epoch: the loss of that step is finite (it is computed from the
    // initial parameters), but its update at a learning rate near f32::MAX overflows them. No
    // later loss shows it, so the run must look at the parameters themselves: with and without
    // a validation part, it fails as diverged and gives back the parameters it began with.
    let gpu = gpu();
    let (feats, labels) = two_class_node_graphs(12, 10, 5);
    let idx: Vec<usize> = (0..10).collect();
    for val in [vec![10, 11], vec![]] {
        let mut config = small_lgrin(LgrinConfig::reference(5, 2), 10, 1);
        config.lr = 3e38;
        let mut model = Lgrin::new(&gpu, config).unwrap();
        let before = values(&model);
        let r = train(
            &mut model,
            &feats,
            &labels,
            &idx,
            &val,
            &mut |_, _| {},
            &mut |_| {},
        );
        let after = values(&model);
        match r {
            Err(e) => assert!(e.to_string().contains("training diverged"), "{e}"),
            Ok(o) => panic!(
                "validation {val:?}: trained without an error ({:?}) into {} non-finite values",
                o.log.iter().map(|e| e.train_loss).collect::<Vec<_>>(),
                after.iter().flatten().filter(|v| !v.is_finite()).count()
            ),
        }
        assert!(
            before == after,
            "validation {val:?}: the parameters are not the initial ones"
        );
    }
}
