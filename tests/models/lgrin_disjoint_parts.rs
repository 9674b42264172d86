//! `models::lgrin::train` refuses a clip listed twice, within its training or validation part or
//! across them (as the GCN trainers do): a validation clip that is also trained on would choose
//! the kept epoch on training data, and a repeated clip counts twice, yet the run went on
//! without a word. The refusal comes before any GPU work and leaves the model as it was.

use crate::common;

use common::fixtures::{small_lgrin, two_class_node_graphs};
use common::gpu;
use synchgraph::models::lgrin::{train, Lgrin, LgrinConfig};
use synchgraph::Error;

#[test]
fn lgrin_training_refuses_a_clip_listed_twice_in_or_across_its_parts() {
    let (feats, labels) = two_class_node_graphs(12, 10, 5);
    let mut m = Lgrin::new(&gpu(), small_lgrin(LgrinConfig::reference(5, 2), 4, 1)).unwrap();
    let before = m.state().unwrap();
    let cases: [(&[usize], &[usize], &str, &str); 3] = [
        (&[0, 1, 2, 3, 4, 5], &[5, 6, 7], "clip 5", "validation"),
        (&[0, 1, 2, 3, 2], &[6, 7], "clip 2", "training"),
        (&[0, 1, 2, 3], &[6, 7, 6], "clip 6", "validation"),
    ];
    for (tr, val, clip, part) in cases {
        let e = train(
            &mut m,
            &feats,
            &labels,
            tr,
            val,
            &mut |_, _| {},
            &mut |_| {},
        )
        .err()
        .unwrap_or_else(|| panic!("{tr:?} / {val:?}: a clip listed twice must be refused"));
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(clip) && msg.contains(part), "{msg}");
        assert_eq!(
            m.state().unwrap(),
            before,
            "{tr:?} / {val:?}: the model changed"
        );
    }
    // Disjoint parts, each clip once, still train.
    train(
        &mut m,
        &feats,
        &labels,
        &[0, 1, 2, 3, 4, 5],
        &[6, 7],
        &mut |_, _| {},
        &mut |_| {},
    )
    .unwrap();
}
