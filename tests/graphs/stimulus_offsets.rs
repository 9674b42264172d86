//! `stimulus_edges` refuses clip offsets that do not start at node 0. Its check ("clip offsets
//! do not cover the nodes in order") looked at the order and the last offset only, so offsets
//! `[1, 2, 3]` over three nodes passed: node 0 belonged to no clip and silently got no stimulus
//! edge, while the offsets claimed to cover every node. Offsets that start at 0 still work,
//! and zero clips over zero nodes (`[0]`) give no edges. Host-only; exact comparisons.

use synchgraph::graph::stimulus::{stimulus_edges, StimulusEdges};

#[test]
fn offsets_must_start_at_node_zero() {
    let neuron = [0u32, 0, 0];
    for mode in [
        StimulusEdges::Train,
        StimulusEdges::Paper,
        StimulusEdges::None,
    ] {
        let err = stimulus_edges(mode, &[1, 2, 3], &neuron, &[0, 0], &[true, true])
            .expect_err("offsets from node 1 passed");
        assert!(err.to_string().contains("clip offsets"), "{err}");
    }
    let e = stimulus_edges(
        StimulusEdges::Paper,
        &[0, 1, 3],
        &neuron,
        &[0, 0],
        &[true, true],
    )
    .unwrap();
    assert_eq!(e, vec![(0, 1), (1, 0), (0, 2), (2, 0)]);
    let none = stimulus_edges(StimulusEdges::Paper, &[0], &[], &[], &[]).unwrap();
    assert!(none.is_empty());
}
