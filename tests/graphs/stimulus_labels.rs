//! Stimulus edges for labels that are large ids rather than small class indices: the rings are
//! formed per label that occurs, so a label of `usize::MAX` neither overflows nor is skipped.
//! Host-only; the edge lists are compared exactly.

use synchgraph::graph::stimulus::{stimulus_edges, StimulusEdges};

#[test]
fn a_label_of_usize_max_links_its_clips() {
    // Three clips of one node each, all neuron 0; clips 0 and 2 share the label usize::MAX.
    let offsets = [0u32, 1, 2, 3];
    let neuron = [0u32, 0, 0];
    let labels = [usize::MAX, 7, usize::MAX];
    let train = [true; 3];
    let e = stimulus_edges(StimulusEdges::Train, &offsets, &neuron, &labels, &train).unwrap();
    assert_eq!(e, vec![(0, 2), (2, 0)]);
}

#[test]
fn labels_are_visited_in_ascending_order() {
    // Same edges, in the same order, as the per-class loop gave for small labels.
    let offsets = [0u32, 1, 2, 3, 4, 5];
    let neuron = [0u32; 5];
    let labels = [1usize, 0, 1, 0, 1];
    let train = [true; 5];
    let e = stimulus_edges(StimulusEdges::Paper, &offsets, &neuron, &labels, &train).unwrap();
    assert_eq!(
        e,
        vec![
            (1, 3),
            (3, 1),
            (0, 2),
            (2, 0),
            (2, 4),
            (4, 2),
            (4, 0),
            (0, 4)
        ]
    );
}
