//! Stimulus edges between clips that share a class label. The Synch-Graph paper links neurons of
//! different clips with the same label; when those clips include test clips, the test labels leak
//! into the graph. [`StimulusEdges::Train`] (the default) links training clips only,
//! [`StimulusEdges::None`] adds nothing, and [`StimulusEdges::Paper`] reproduces the paper's
//! leaking variant and must be asked for explicitly.
//!
//! For each label the eligible clips that have nodes, in index order, form a ring (each clip
//! joined to the next, the last to the first when there are more than two); two joined clips link
//! their nodes of the same neuron, in both directions. A clip without nodes (no neuron spiked)
//! stays out of the ring, so it cannot cut the links between the clips on either side of it. The
//! edge count stays linear in the number of nodes.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Which clips stimulus edges may join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StimulusEdges {
    /// No stimulus edges.
    None,
    /// Only training clips (no label leakage).
    #[default]
    Train,
    /// Every clip, test clips included, as in the paper (leaks test labels into the graph).
    Paper,
}

impl FromStr for StimulusEdges {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Self::None),
            "train" => Ok(Self::Train),
            "paper" => Ok(Self::Paper),
            _ => Err(Error::InvalidInput(format!(
                "stimulus edges '{s}': expected none, train or paper"
            ))),
        }
    }
}

impl fmt::Display for StimulusEdges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Train => "train",
            Self::Paper => "paper",
        })
    }
}

/// Directed stimulus edges (both directions of each link) between nodes of a batched graph.
/// `clip_offsets` `[clips + 1]` gives each clip's node range (non-decreasing, from 0 to the node
/// count, so every node belongs to a clip), `node_neuron` `[nodes]` each node's neuron,
/// `labels` and `is_train` `[clips]` each clip's label and split.
pub fn stimulus_edges(
    mode: StimulusEdges,
    clip_offsets: &[u32],
    node_neuron: &[u32],
    labels: &[usize],
    is_train: &[bool],
) -> Result<Vec<(u32, u32)>> {
    let clips = clip_offsets.len().saturating_sub(1);
    if labels.len() != clips || is_train.len() != clips {
        return Err(Error::InvalidInput(format!(
            "stimulus edges: {} labels and {} split flags for {clips} clips",
            labels.len(),
            is_train.len()
        )));
    }
    if clip_offsets.first() != Some(&0)
        || clip_offsets.last().map(|&n| n as usize) != Some(node_neuron.len())
        || clip_offsets.windows(2).any(|w| w[0] > w[1])
    {
        return Err(Error::InvalidInput(
            "stimulus edges: clip offsets do not cover the nodes in order".into(),
        ));
    }
    if mode == StimulusEdges::None {
        return Ok(Vec::new());
    }
    // A clip without nodes would be a ring member that links nothing, cutting the ring there.
    let eligible = |c: usize| {
        (mode == StimulusEdges::Paper || is_train[c]) && clip_offsets[c] < clip_offsets[c + 1]
    };
    // The labels that occur, ascending: a label is any usize (not necessarily below the number
    // of classes), so looping over 0..=max would overflow at usize::MAX and crawl for large ids.
    let mut rings: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for c in (0..clips).filter(|&c| eligible(c)) {
        rings.entry(labels[c]).or_default().push(c);
    }
    let mut edges = Vec::new();
    for ring in rings.into_values() {
        let pairs = match ring.len() {
            0 | 1 => 0,
            2 => 1,
            n => n,
        };
        for k in 0..pairs {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            let nodes = |c: usize| clip_offsets[c]..clip_offsets[c + 1];
            for u in nodes(a) {
                for v in nodes(b) {
                    if node_neuron[u as usize] == node_neuron[v as usize] {
                        edges.push((u, v));
                        edges.push((v, u));
                    }
                }
            }
        }
    }
    Ok(edges)
}
