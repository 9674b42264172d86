//! `Lgrin::load_state` is all or nothing: a tensor missing from the map, or one of the wrong
//! shape, is an error that leaves the model as it was. It used to replace the parameters one by
//! one and fail only on reaching the missing batch-norm statistic, leaving a model that mixed
//! the other checkpoint's weights with its own statistics. Exact checks: the state after the
//! failed load equals the state before it bit for bit.
use crate::common;

use std::collections::HashMap;

use common::gpu;
use synchgraph::models::lgrin::{Lgrin, LgrinConfig};

fn config(seed: u64) -> LgrinConfig {
    LgrinConfig {
        nodes: 4,
        g1: 4,
        g2: 3,
        hidden: 5,
        seed,
        ..LgrinConfig::reference(3, 2)
    }
}

type State = Vec<(String, Vec<usize>, Vec<u32>)>;

fn bits(model: &mut Lgrin) -> State {
    model
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, s, v)| (n, s, v.iter().map(|x| x.to_bits()).collect()))
        .collect()
}

#[test]
fn a_failed_load_leaves_the_model_unchanged() {
    let g = gpu();
    let mut model = Lgrin::new(&g, config(1)).unwrap();
    let mut other = Lgrin::new(&g, config(2)).unwrap();
    let before = bits(&mut model);
    let full: HashMap<String, (Vec<usize>, Vec<f32>)> = other
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, s, v)| (n, (s, v)))
        .collect();
    // The last tensor of the state (a running variance) missing, then of the wrong shape.
    let last = before.last().unwrap().0.clone();
    assert!(last.ends_with(".running_var"), "{last}");
    let mut missing = full.clone();
    missing.remove(&last);
    let mut misshapen = full.clone();
    misshapen.insert(last.clone(), (vec![1], vec![1.0]));
    for (what, map) in [("missing", missing), ("misshapen", misshapen)] {
        let e = model.load_state(&map).unwrap_err().to_string();
        assert!(e.contains(&last), "{what}: {e}");
        assert!(
            bits(&mut model) == before,
            "{what}: the failed load changed the model"
        );
    }
    // The complete map loads every tensor.
    model.load_state(&full).unwrap();
    assert!(bits(&mut model) == bits(&mut other));
}
