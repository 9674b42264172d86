//! The cross-entropy that `models::lgrin::evaluate` reports, and that `train` logs as the
//! validation loss and uses to choose the kept epoch between epochs of equal accuracy, is
//! -log softmax(logits)[label] averaged over the clips. A clip the model gets confidently wrong
//! has a label probability far below any fixed floor, and its loss must still be the true one.
//!
//! Independent reference: with the last classifier layer's weight set to zero its output is
//! its bias b for every clip, so the loss of a clip labelled 0 is ln Σ_k e^(b_k) - b_0 in
//! closed form (f64). Tolerance 1e-3 relative (f32 logits and host f64 sums).

use crate::common;

use common::fixtures::{small_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::models::lgrin::{evaluate, Lgrin, LgrinConfig};
use synchgraph::Tensor;

#[test]
fn a_confidently_wrong_clip_gets_its_true_cross_entropy() {
    let g = gpu();
    let cfg = small_lgrin(LgrinConfig::reference(5, 3), 4, 1);
    let mut model = Lgrin::new(&g, cfg).unwrap();
    let find = |model: &Lgrin, name: &str| {
        model
            .store
            .ids()
            .find(|&id| model.store.name(id) == name)
            .unwrap_or_else(|| panic!("no parameter {name}"))
    };
    let w = find(&model, "classifier1.weight");
    let b = find(&model, "classifier1.bias");
    let shape = model.store.value(w).shape().to_vec();
    let zeros = vec![0.0f32; shape.iter().product()];
    model
        .store
        .set_value(w, Tensor::from_f32(&g, &shape, &zeros).unwrap())
        .unwrap();
    for bias in [[0.0f32, 2.0, -1.0], [0.0, 50.0, 0.0], [-40.0, 0.0, 30.0]] {
        model
            .store
            .set_value(b, Tensor::from_f32(&g, &[3], &bias).unwrap())
            .unwrap();
        let (feats, _) = two_class_node_graphs(4, 10, 5);
        let labels = vec![0; 4];
        let (pred, ce) = evaluate(&mut model, &feats, &labels, &[0, 1, 2, 3]).unwrap();
        let b64: Vec<f64> = bias.iter().map(|&v| f64::from(v)).collect();
        let top = b64.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = top + b64.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
        let want = lse - b64[0];
        let best = (0..3).max_by(|&i, &j| b64[i].total_cmp(&b64[j])).unwrap();
        assert_eq!(pred, vec![best; 4], "bias {bias:?}");
        assert!(
            (f64::from(ce) - want).abs() <= 1e-3 * want.max(1.0),
            "bias {bias:?}: cross-entropy {ce}, want {want}"
        );
    }
}
